"""Resolution previews, lists and cards for admins."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import OrgKind, ResolutionStatus
from bot.domain.delegation import delegation_on
from bot.services.publication import PublishResult
from bot.services.repeats import Repeat
from bot.telegram.callbacks import (
    DraftAct,
    DraftAction,
    DraftGroupKind,
    RemindNow,
    RepeatDecision,
    ResolutionOpen,
)
from bot.telegram.views.delivery import format_day, repeat_label
from bot.telegram.views.review import delegation_line, delegation_rows
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten
from bot.texts.titles import normalize_title, short_title
from storage.models import AddresseeGroup, Resolution

# Confirm/unlink buttons shown at most; the rest of the repeats are listed in the text all the same.
REPEAT_BUTTONS = 10


def _button(text: str, data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())  # type: ignore[attr-defined]


def short_kind(t: Translator, kind: OrgKind) -> str:
    return t.plain(f"kind_short.{kind.value}")


def resolution_header(t: Translator, resolution: Resolution) -> list[str]:
    lines = [t("res.title", title=normalize_title(resolution.title))]
    details = [format_day(resolution.adopted_on)] if resolution.adopted_on else []
    if resolution.place:
        details.append(resolution.place)
    if details:
        lines.append(t("res.details", details=", ".join(details)))
    lines.append(t(f"res.status.{resolution.status.value}"))
    if resolution.deadline:
        lines.append(t("res.deadline", date=format_day(resolution.deadline)))
    return lines


def _group_lines(t: Translator, group: AddresseeGroup) -> list[str]:
    lines = [
        "",
        t("res.group_line", number=group.position, heading=shorten(group.heading, 200)),
        t(
            "res.group_meta",
            kind=t.plain(f"kind_dative.{group.kind.value}"),
            count=len(group.recommendations),
        ),
    ]
    for rec in group.recommendations[:2]:
        lines.append(
            t("res.rec_sample", number=f"{group.position}.{rec.position}", text=shorten(rec.text, 90))
        )
    return lines


def _deadline_lines(t: Translator, resolution: Resolution) -> list[str]:
    own_deadlines = [
        f"{g.position}.{r.position} — {format_day(r.deadline)}"
        for g in resolution.groups
        for r in g.recommendations
        if r.deadline
    ]
    return ["", t("res.rec_deadlines", items="; ".join(own_deadlines))] if own_deadlines else []


def _act(t: Translator, key: str, resolution_id: int, action: DraftAct) -> InlineKeyboardButton:
    return _button(t.plain(key), DraftAction(res_id=resolution_id, action=action))


def _draft_rows(t: Translator, resolution: Resolution) -> list[list[InlineKeyboardButton]]:
    rows = [
        [
            _button(
                t.plain("btn.group_kind", number=group.position, kind=short_kind(t, group.kind)),
                DraftGroupKind(res_id=resolution.id, group_id=group.id),
            )
        ]
        for group in resolution.groups
    ]
    deadline_row = [_act(t, "btn.deadline", resolution.id, DraftAct.DEADLINE)]
    if resolution.deadline:
        deadline_row.append(_act(t, "btn.no_deadline", resolution.id, DraftAct.NO_DEADLINE))
    rows.append(deadline_row)
    rows.append(
        [
            _act(t, "btn.publish", resolution.id, DraftAct.PUBLISH),
            _act(t, "btn.discard", resolution.id, DraftAct.DISCARD),
        ]
    )
    return rows


def _repeat_lines(t: Translator, resolution: Resolution, repeats: Sequence[Repeat]) -> list[str]:
    if not repeats:
        return []
    numbers = {r.id: f"{g.position}.{r.position}" for g in resolution.groups for r in g.recommendations}
    lines = ["", t("documents.repeats_header")]
    for repeat in repeats:
        key = "documents.repeat_line_confirmed" if repeat.confirmed else "documents.repeat_line"
        lines.append(t(key, number=numbers.get(repeat.rec_id, "?"), repeat=repeat_label(t, repeat)))
    return lines


def _repeat_rows(
    t: Translator, resolution: Resolution, repeats: Sequence[Repeat]
) -> list[list[InlineKeyboardButton]]:
    numbers = {r.id: f"{g.position}.{r.position}" for g in resolution.groups for r in g.recommendations}
    rows = []
    for repeat in repeats[:REPEAT_BUTTONS]:
        number = numbers.get(repeat.rec_id, "?")
        row = [
            _button(t.plain("documents.btn_unlink", number=number), RepeatDecision(link_id=repeat.link_id))
        ]
        if not repeat.confirmed:
            confirm = RepeatDecision(link_id=repeat.link_id, confirm=True)
            row.insert(0, _button(t.plain("documents.btn_confirm_repeat", number=number), confirm))
        rows.append(row)
    return rows


def preview_view(
    t: Translator, resolution: Resolution, repeats: Sequence[Repeat] = (), delegation_default: bool = False
) -> tuple[Html, InlineKeyboardMarkup]:
    """`delegation_default` is REVIEW_DELEGATION: what a resolution without its own switch follows."""
    lines = resolution_header(t, resolution)
    total = sum(len(g.recommendations) for g in resolution.groups)
    lines.append(t.n("res.groups_total", len(resolution.groups), recs=total))
    for group in resolution.groups:
        lines.extend(_group_lines(t, group))
    lines.extend(_deadline_lines(t, resolution))
    lines.extend(_repeat_lines(t, resolution, repeats))
    rows: list[list[InlineKeyboardButton]] = _repeat_rows(t, resolution, repeats)
    delegated = delegation_on(resolution.review_delegation, delegation_default)
    if resolution.status is not ResolutionStatus.WITHDRAWN:
        lines.extend(["", delegation_line(t, delegated, resolution.review_delegation is None)])
    if resolution.status is ResolutionStatus.DRAFT:
        lines.extend(["", t("res.preview_hint")])
        rows += _draft_rows(t, resolution)
    elif resolution.status is ResolutionStatus.PUBLISHED:
        rows += [[_act(t, "btn.withdraw", resolution.id, DraftAct.WITHDRAW)]]
    if resolution.status is not ResolutionStatus.WITHDRAWN:
        rows += delegation_rows(t, resolution, delegated, queue=False)
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def group_kind_keyboard(t: Translator, resolution_id: int, group_id: int) -> InlineKeyboardMarkup:
    rows = [
        [
            _button(
                t.plain(f"kind.{kind.value}"),
                DraftGroupKind(res_id=resolution_id, group_id=group_id, kind=kind),
            )
        ]
        for kind in OrgKind
    ]
    rows.append([_button(t.plain("btn.back"), DraftAction(res_id=resolution_id, action=DraftAct.VIEW))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def publish_confirm_keyboard(t: Translator, resolution_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(
                    t.plain("btn.confirm_publish"), DraftAction(res_id=resolution_id, action=DraftAct.CONFIRM)
                ),
                _button(t.plain("btn.back"), DraftAction(res_id=resolution_id, action=DraftAct.VIEW)),
            ]
        ]
    )


def listing_view(t: Translator, resolutions: list[Resolution]) -> tuple[Html, InlineKeyboardMarkup]:
    if not resolutions:
        return t("res.list_empty"), InlineKeyboardMarkup(inline_keyboard=[])
    lines = [t("res.list_title")]
    rows = []
    for resolution in resolutions:
        status = t.plain(f"res.status_short.{resolution.status.value}")
        title = short_title(resolution.title, resolution.adopted_on)
        label = f"{status} · {format_day(resolution.adopted_on) or '—'} · {title}"
        rows.append([_button(shorten(label, 60), ResolutionOpen(res_id=resolution.id))])
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def group_kind_view(t: Translator, group: AddresseeGroup) -> tuple[Html, InlineKeyboardMarkup]:
    text = t("res.choose_group_kind", number=group.position, heading=group.heading)
    return text, group_kind_keyboard(t, group.resolution_id, group.id)


def publish_confirm_view(t: Translator, estimate: PublishResult) -> tuple[Html, InlineKeyboardMarkup]:
    text = t(
        "res.publish_confirm",
        title=normalize_title(estimate.resolution.title),
        recipients=estimate.recipients,
        messages=estimate.messages,
        unstaffed=estimate.organizations_without_people,
    )
    return text, publish_confirm_keyboard(t, estimate.resolution.id)


def progress_text(t: Translator, result: PublishResult) -> Html:
    """The first state of the publication progress message; the outbox pump keeps it current."""
    return t(
        "delivery.progress",
        title=short_title(result.resolution.title, result.resolution.adopted_on),
        sent=0,
        total=result.messages,
        queued=result.messages,
        unreachable=0,
        failed=0,
    )


def remind_choice_markup(published: list[Resolution]) -> InlineKeyboardMarkup:
    rows = [
        [_button(shorten(short_title(r.title, r.adopted_on), 60), RemindNow(res_id=r.id))] for r in published
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def remind_confirm_markup(t: Translator, resolution_id: int) -> InlineKeyboardMarkup:
    button = _button(t.plain("btn.remind_confirm"), RemindNow(res_id=resolution_id, confirm=True))
    return InlineKeyboardMarkup(inline_keyboard=[[button]])
