"""The report dialog's screens, the member's list of recommendations and their summary."""

from __future__ import annotations

import datetime as dt

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import EvidenceKind, ReportStatus, ReviewState
from bot.domain.evidence import EvidenceItem
from bot.domain.reports import ReportDraft
from bot.services.reports import Overview
from bot.telegram.callbacks import (
    EvidenceRemove,
    ExtensionAsk,
    ReportAct,
    ReportList,
    ReportOpen,
    ReportStatusPick,
    ReportStep,
)
from bot.telegram.views.delivery import deadline_of, format_day, recommendation_number
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten
from bot.texts.titles import short_title
from storage.models import Evidence, Recommendation, Report

STATUS_ICONS = {
    ReportStatus.NOT_STARTED: "⬜",
    ReportStatus.IN_PROGRESS: "🔄",
    ReportStatus.DONE: "✅",
    ReportStatus.NOT_APPLICABLE: "➖",
}
NO_REPORT_ICON = "❔"
LIST_PAGE = 8
REMOVE_BUTTONS = 10
MY_DEADLINES = 10


def _button(text: str, data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())  # type: ignore[attr-defined]


def status_label(t: Translator, status: ReportStatus | None) -> str:
    if status is None:
        return f"{NO_REPORT_ICON} {t.plain('status.none')}"
    return f"{STATUS_ICONS[status]} {t.plain(f'status.{status.value}')}"


def rec_heading(t: Translator, rec: Recommendation, deadline: dt.date | None = None) -> Html:
    """The recommendation and its deadline: the organization's own (`deadline`) when it has one."""
    lines = [
        t("report.rec_heading", number=recommendation_number(rec.group, rec), text=shorten(rec.text, 600)),
    ]
    deadline = deadline or deadline_of(rec.group.resolution, rec)
    if deadline:
        lines.append(t("delivery.deadline", date=format_day(deadline)))
    return Html("\n".join(lines))


def status_picker(
    t: Translator, rec: Recommendation, report: Report | None, deadline: dt.date | None = None
) -> tuple[Html, InlineKeyboardMarkup]:
    lines = [
        rec_heading(t, rec, deadline),
        t("report.current", status=status_label(t, report.status if report else None)),
    ]
    if report is not None and report.comment:
        lines.append(t("report.current_comment", comment=shorten(report.comment, 300)))
    lines.append("")
    lines.append(t("report.pick_status"))
    rows = [
        [_button(status_label(t, status), ReportStatusPick(rec_id=rec.id, status=status))]
        for status in ReportStatus
    ]
    rows.append([_button(t.plain("btn.ext_ask"), ExtensionAsk(rec_id=rec.id))])
    rows.append([_button(t.plain("btn.cancel"), ReportStep(rec_id=rec.id, action=ReportAct.CANCEL))])
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def cancel_only(t: Translator, rec_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(t.plain("btn.cancel"), ReportStep(rec_id=rec_id, action=ReportAct.CANCEL))]]
    )


def comment_keyboard(t: Translator, rec_id: int, has_previous: bool) -> InlineKeyboardMarkup:
    rows = []
    if has_previous:
        rows.append(
            [_button(t.plain("btn.keep_comment"), ReportStep(rec_id=rec_id, action=ReportAct.KEEP_COMMENT))]
        )
    rows.append([_button(t.plain("btn.cancel"), ReportStep(rec_id=rec_id, action=ReportAct.CANCEL))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def evidence_keyboard(
    t: Translator, rec_id: int, collected: int, removable: list[Evidence] | None = None
) -> InlineKeyboardMarkup:
    """«Готово» (or «Без подтверждений»), a «🗑» button per earlier item still attached, «Отмена»."""
    first = (
        _button(
            t.plain("btn.evidence_done", count=collected),
            ReportStep(rec_id=rec_id, action=ReportAct.EVIDENCE_DONE),
        )
        if collected
        else _button(t.plain("btn.no_evidence"), ReportStep(rec_id=rec_id, action=ReportAct.NO_EVIDENCE))
    )
    rows = [[first]]
    for number, item in enumerate((removable or [])[:REMOVE_BUTTONS], start=1):
        label = t.plain("btn.evidence_remove", number=number, item=shorten(stored_line(t, item), 40))
        rows.append([_button(label, EvidenceRemove(rec_id=rec_id, evidence_id=item.id))])
    rows.append([_button(t.plain("btn.cancel"), ReportStep(rec_id=rec_id, action=ReportAct.CANCEL))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def stored_line(t: Translator, item: Evidence) -> str:
    """An attached Evidence row, worded like a draft's item."""
    return evidence_line(
        t,
        EvidenceItem(item.kind, file_name=item.file_name, url=item.url, text=item.text),
    )


def attached_lines(t: Translator, kept: list[Evidence], removed: list[Evidence]) -> list[str]:
    """What is already attached to the report (numbered as the 🗑 buttons), and what the draft takes off."""
    lines: list[str] = []
    if kept:
        lines.append(t.n("report.attached", len(kept)))
        lines += [f"{n}. {stored_line(t, item)}" for n, item in enumerate(kept, start=1)]
    if removed:
        lines.append(t.n("report.will_remove", len(removed)))
        lines += [f"— <s>{stored_line(t, item)}</s>" for item in removed]
    return lines


def evidence_prompt(
    t: Translator, draft: ReportDraft, kept: list[Evidence], removed: list[Evidence], gated: bool
) -> tuple[Html, InlineKeyboardMarkup]:
    """The evidence step: what is attached already, how to add more, and why «Выполнено» needs it."""
    lines = [t("report.ask_evidence")]
    if gated:
        lines.append(t("report.done_needs_evidence_hint"))
    if kept or removed:
        lines += ["", *attached_lines(t, kept, removed)]
    if draft.evidence:
        lines += ["", t.n("report.evidence_total", len(draft.evidence))]
    markup = evidence_keyboard(t, draft.rec_id, len(draft.evidence), kept)
    return Html("\n".join(lines)), markup


def evidence_line(t: Translator, item: EvidenceItem) -> Html:
    if item.kind is EvidenceKind.DOCUMENT:
        return t("evidence.document", name=item.file_name or "—")
    if item.kind is EvidenceKind.PHOTO:
        return t("evidence.photo")
    if item.kind is EvidenceKind.LINK:
        return t("evidence.link", url=item.url or "")
    return t("evidence.text", text=shorten(item.text or "", 80))


def confirm_view(
    t: Translator,
    draft: ReportDraft,
    rec: Recommendation,
    report: Report | None,
    kept: list[Evidence],
    removed: list[Evidence],
    deadline: dt.date | None = None,
) -> tuple[Html, InlineKeyboardMarkup]:
    comment = draft.comment if draft.comment is not None else (report.comment if report else "")
    lines = [
        t("report.confirm_title"),
        rec_heading(t, rec, deadline),
        "",
        t("report.confirm_status", status=status_label(t, draft.status)),
    ]
    if draft.status is ReportStatus.NOT_APPLICABLE and draft.reason:
        lines.append(t("report.confirm_reason", reason=draft.reason))
    lines.append(t("report.confirm_comment", comment=comment or "—"))
    lines += attached_lines(t, kept, removed)
    if draft.evidence:
        lines.append(t.n("report.confirm_evidence", len(draft.evidence)))
        lines.extend(evidence_line(t, item) for item in draft.evidence)
    elif not kept:
        lines.append(t("report.confirm_no_evidence"))
    if report is not None:
        lines.append(t("report.confirm_previous", version=report.version))
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(t.plain("btn.submit"), ReportStep(rec_id=draft.rec_id, action=ReportAct.SUBMIT)),
                _button(t.plain("btn.edit"), ReportStep(rec_id=draft.rec_id, action=ReportAct.EDIT)),
            ],
            [_button(t.plain("btn.cancel"), ReportStep(rec_id=draft.rec_id, action=ReportAct.CANCEL))],
        ]
    )
    return Html("\n".join(lines)), markup


def review_mark(t: Translator, report: Report | None) -> str:
    """How the department has judged the report: «на проверке», «принято» or «возвращено»."""
    return t.plain(f"progress.mark.{report.review_state.value}") if report else ""


def _list_line(t: Translator, overview: Overview, rec: Recommendation, report: Report | None) -> Html:
    number = recommendation_number(rec.group, rec)
    icon = STATUS_ICONS[report.status] if report else NO_REPORT_ICON
    line = t("report.list_line", icon=icon, number=number, text=shorten(rec.text, 110))
    extra = [review_mark(t, report)] if report else []
    deadline = overview.deadline(rec)
    if deadline:
        key = "report.list_overdue" if overview.is_overdue(rec, report) else "report.list_deadline"
        extra.append(t.plain(key, date=format_day(deadline)))
    return Html(f"{line}\n    <i>{' · '.join(extra)}</i>") if extra else line


def report_list_view(t: Translator, overview: Overview, page: int) -> tuple[Html, InlineKeyboardMarkup]:
    org, items = overview.org, overview.items
    if not items:
        return t("report.list_empty", org=org.name), InlineKeyboardMarkup(inline_keyboard=[])
    pages = max(1, -(-len(items) // LIST_PAGE))
    page = min(max(page, 0), pages - 1)
    chunk = items[page * LIST_PAGE : (page + 1) * LIST_PAGE]
    lines = [t("report.list_title", org=org.name, page=page + 1, pages=pages)]
    rows: list[list[InlineKeyboardButton]] = []
    current_resolution = None
    for rec, report in chunk:
        resolution = rec.group.resolution
        if resolution.id != current_resolution:
            current_resolution = resolution.id
            lines.append("")
            lines.append(
                t("report.list_resolution", title=short_title(resolution.title, resolution.adopted_on))
            )
        lines.append(_list_line(t, overview, rec, report))
        number = recommendation_number(rec.group, rec)
        icon = STATUS_ICONS[report.status] if report else NO_REPORT_ICON
        rows.append([_button(f"{icon} {number} {shorten(rec.text, 40)}", ReportOpen(rec_id=rec.id))])
    nav = []
    if page > 0:
        nav.append(_button("◀", ReportList(page=page - 1)))
    if pages > 1:
        nav.append(_button(f"{page + 1}/{pages}", ReportList(page=page)))
    if page + 1 < pages:
        nav.append(_button("▶", ReportList(page=page + 1)))
    if nav:
        rows.append(nav)
    lines.append("")
    lines.append(t("report.list_legend"))
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def _review_lines(t: Translator, overview: Overview) -> list[str]:
    """The department's side: accepted, awaiting review, returned (only the non-zero ones)."""
    counts = overview.review_counts()
    return [
        t("my.review_line", label=t.plain(f"progress.state.{state.value}"), count=counts[state])
        for state in ReviewState
        if counts.get(state)
    ]


def _deadline_lines(t: Translator, overview: Overview) -> list[str]:
    """Open items with a deadline, nearest first; the overdue ones marked."""
    dated = sorted(
        (
            (deadline, rec)
            for rec, report in overview.items
            if overview.is_open(report) and (deadline := overview.deadline(rec)) is not None
        ),
        key=lambda item: item[0],
    )
    if not dated:
        return []
    lines = ["", t("my.deadlines", count=len(dated))]
    for deadline, rec in dated[:MY_DEADLINES]:
        key = "my.deadline_overdue" if deadline < overview.today else "my.deadline_line"
        number = recommendation_number(rec.group, rec)
        lines.append(t(key, number=number, date=format_day(deadline), text=shorten(rec.text, 60)))
    if len(dated) > MY_DEADLINES:
        lines.append(t("my.deadlines_more", count=len(dated) - MY_DEADLINES))
    return lines


def summary_view(t: Translator, overview: Overview) -> Html:
    org, items = overview.org, overview.items
    if not items:
        return t("report.list_empty", org=org.name)
    counts: dict[ReportStatus | None, int] = {}
    for _, report in items:
        key = report.status if report else None
        counts[key] = counts.get(key, 0) + 1
    applicable = len(items) - counts.get(ReportStatus.NOT_APPLICABLE, 0)
    done = counts.get(ReportStatus.DONE, 0)
    accepted = overview.accepted_done()
    lines = [
        t("my.title", org=org.name),
        t(
            "my.progress_accepted",
            accepted=accepted,
            applicable=applicable,
            percent=round(100 * accepted / applicable) if applicable else 100,
            declared=done,
            declared_percent=round(100 * done / applicable) if applicable else 100,
        ),
        "",
    ]
    for status in [*ReportStatus, None]:
        if counts.get(status):
            lines.append(t("my.line", label=status_label(t, status), count=counts[status]))
    review = _review_lines(t, overview)
    if review:
        lines += ["", t("my.review_title"), *review]
    lines += _deadline_lines(t, overview)
    lines.append("")
    lines.append(t("my.hint"))
    return Html("\n".join(lines))
