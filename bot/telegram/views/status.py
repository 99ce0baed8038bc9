"""The officials' drill-down screens."""

from __future__ import annotations

from itertools import chain
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import ReportStatus, ReviewState, RevisionEvent
from bot.domain.evidence import EvidenceItem
from bot.domain.scope import REGION, ViewScope
from bot.services.organizations import municipality_code
from bot.services.status import GroupProgress, MunicipalityProgress, OrgProgress, ReportCard
from bot.telegram.callbacks import (
    DigestPick,
    EvidenceSend,
    ReachNav,
    ReviewAct,
    ReviewDecide,
    StatusLevel,
    StatusNav,
)
from bot.telegram.views.delivery import recommendation_number
from bot.telegram.views.organizations import format_date
from bot.telegram.views.reports import (
    NO_REPORT_ICON,
    STATUS_ICONS,
    evidence_line,
    review_mark,
    status_label,
)
from bot.telegram.views.review import revision_line
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten
from bot.texts.titles import normalize_title, short_title
from storage.models import Organization, Recommendation, Report, Resolution

PAGE = 10
HISTORY_SHOWN = 12
Screen = tuple[Html, InlineKeyboardMarkup]


def _b(text: str, **nav: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=StatusNav(**nav).pack())  # type: ignore[arg-type]


def _go(text: str, nav: StatusNav) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=nav.pack())


def _percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def resolutions_screen(t: Translator, resolutions: list[Resolution]) -> Screen:
    if not resolutions:
        return t("status.no_resolutions"), InlineKeyboardMarkup(inline_keyboard=[])
    rows = [
        [_b(shorten(short_title(r.title, r.adopted_on), 60), level=StatusLevel.RES, res=r.id)]
        for r in resolutions
    ]
    return t("status.choose_resolution"), InlineKeyboardMarkup(inline_keyboard=rows)


def review_lines(t: Translator, progress: list[OrgProgress]) -> list[str]:
    """The headline of accepted «Выполнено», and where the answers stand with the department."""
    total = sum(p.total for p in progress)
    accepted_done = sum(p.accepted_done for p in progress)
    return [
        t("status.accepted_overall", done=accepted_done, total=total, percent=_percent(accepted_done, total)),
        t(
            "status.review_overall",
            accepted=sum(p.accepted for p in progress),
            awaiting=sum(p.awaiting_review for p in progress),
            returned=sum(p.returned for p in progress),
        ),
    ]


def resolution_screen(
    t: Translator, resolution: Resolution, progress: list[OrgProgress], scope: ViewScope = REGION
) -> Screen:
    total = sum(p.total for p in progress)
    done = sum(p.done for p in progress)
    answered = sum(p.answered for p in progress)
    silent = sum(1 for p in progress if p.answered == 0)
    lines = [
        t("res.title", title=normalize_title(resolution.title)),
        *review_lines(t, progress),
        t(
            "status.overall",
            done=done,
            total=total,
            percent=_percent(done, total),
            answered=answered,
            orgs=len(progress),
            silent=silent,
        ),
        "",
        t("status.by_group"),
    ]
    rows = []
    for group in (g for g in resolution.groups if scope.covers_kind(g.kind)):
        lines.append(
            t(
                "status.group_line",
                number=group.position,
                heading=shorten(group.heading, 90),
                kind=t.plain(f"kind_short.{group.kind.value}"),
            )
        )
        rows.append(
            [
                _b(
                    f"{group.position}. {shorten(group.heading, 50)}",
                    level=StatusLevel.GRP,
                    res=resolution.id,
                    grp=group.id,
                )
            ]
        )
    rows.append([_municipality_button(t, resolution.id, scope)])
    rows.append([_b(t.plain("btn.back"), level=StatusLevel.LIST)])
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def _municipality_button(t: Translator, resolution_id: int, scope: ViewScope) -> InlineKeyboardButton:
    """The region chooses among municipalities; a municipal authority goes straight to its own."""
    if scope.municipality is None:
        return _b(t.plain("btn.by_municipality"), level=StatusLevel.MUNIS, res=resolution_id)
    label = t.plain("btn.own_municipality", name=shorten(scope.municipality, 40))
    return _b(label, level=StatusLevel.MUNI, res=resolution_id, muni=municipality_code(scope.municipality))


def org_list_screen(
    t: Translator,
    title: Html,
    progress: list[OrgProgress],
    page: int,
    back: StatusNav,
    here: StatusNav,
) -> Screen:
    pages = max(1, -(-len(progress) // PAGE))
    page = min(max(page, 0), pages - 1)
    lines = [title, t("status.orgs_hint", page=page + 1, pages=pages)]
    rows = []
    for item in progress[page * PAGE : (page + 1) * PAGE]:
        mark = "🔇 " if item.answered == 0 else ""
        label = f"{mark}{shorten(item.name, 34)} · {item.done}/{item.total} · ☑️{item.accepted_done}"
        rows.append([_b(label, level=StatusLevel.ORG, res=here.res, org=item.org_id)])
    nav = []
    if page > 0:
        nav.append(_go("◀", here.model_copy(update={"page": page - 1})))
    if page + 1 < pages:
        nav.append(_go("▶", here.model_copy(update={"page": page + 1})))
    if nav:
        rows.append(nav)
    rows.append([_go(t.plain("btn.back"), back)])
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def municipalities_screen(t: Translator, resolution: Resolution, progress: list[OrgProgress]) -> Screen:
    by_muni: dict[str, list[OrgProgress]] = {}
    for item in progress:
        by_muni.setdefault(item.municipality, []).append(item)
    lines = [t("res.title", title=normalize_title(resolution.title)), t("status.by_municipality")]
    rows = []
    for name in sorted(by_muni):
        items = by_muni[name]
        done, total = sum(i.done for i in items), sum(i.total for i in items)
        accepted = sum(i.accepted_done for i in items)
        label = name or t.plain("card.no_municipality")
        line = t("status.muni_line", name=label, done=done, total=total, percent=_percent(done, total))
        lines.append(
            Html(line + t("status.muni_accepted", accepted=accepted, percent=_percent(accepted, total)))
        )
        rows.append(
            [_b(shorten(label, 40), level=StatusLevel.MUNI, res=resolution.id, muni=municipality_code(name))]
        )
    rows.append([_b(t.plain("btn.back"), level=StatusLevel.RES, res=resolution.id)])
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def org_screen(
    t: Translator,
    resolution: Resolution,
    org: Organization,
    items: list[tuple[Recommendation, Report | None]],
) -> Screen:
    lines = [t("card.title", name=org.name), t("card.municipality", municipality=org.municipality or "—"), ""]
    rows = []
    for rec, report in items:
        icon = STATUS_ICONS[report.status] if report else NO_REPORT_ICON
        number = recommendation_number(rec.group, rec)
        line = t("report.list_line", icon=icon, number=number, text=shorten(rec.text, 90))
        lines.append(Html(f"{line} <i>({review_mark(t, report)})</i>") if report else line)
        rows.append(
            [_b(f"{icon} {number}", level=StatusLevel.REP, res=resolution.id, org=org.id, rec=rec.id)]
        )
    rows = [list(chain.from_iterable(rows[i : i + 4])) for i in range(0, len(rows), 4)]
    rows.append([_b(t.plain("btn.back"), level=StatusLevel.RES, res=resolution.id)])
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def report_screen(t: Translator, card: ReportCard, tz: ZoneInfo, scope: ViewScope = REGION) -> Screen:
    rec, report = card.rec, card.report
    lines = [
        t("card.title", name=card.org.name),
        t("report.rec_heading", number=recommendation_number(rec.group, rec), text=shorten(rec.text, 500)),
        "",
        t("status.report_status", status=status_label(t, report.status if report else None)),
    ]
    rows = []
    if report is not None:
        if report.status is ReportStatus.NOT_APPLICABLE and report.reason:
            lines.append(t("report.confirm_reason", reason=report.reason))
        lines.append(t("report.confirm_comment", comment=report.comment or "—"))
        lines.append(
            t("status.report_version", version=report.version, when=format_date(report.updated_at, tz))
        )
        lines.append(t("status.report_review", state=t.plain(f"progress.state.{report.review_state.value}")))
        # Items a member took off stay in the history and the archive, not on the card.
        attached = [item for item in report.evidence if item.attached]
        if attached:
            lines.append(t.n("report.confirm_evidence", len(attached)))
            for item in attached:
                lines.append(
                    evidence_line(
                        t, EvidenceItem(item.kind, file_name=item.file_name, url=item.url, text=item.text)
                    )
                )
            rows.append(
                [
                    InlineKeyboardButton(
                        text=t.plain("btn.get_files"), callback_data=EvidenceSend(report_id=report.id).pack()
                    )
                ]
            )
        # Reopening an accepted report is the department's decision.
        if report.review_state is ReviewState.ACCEPTED and scope.is_region:
            reopen = ReviewDecide(action=ReviewAct.REOPEN, report_id=report.id, version=report.version)
            rows.append(
                [InlineKeyboardButton(text=t.plain("btn.review_reopen"), callback_data=reopen.pack())]
            )
        rows.append(
            [
                _b(
                    t.plain("btn.history"),
                    level=StatusLevel.HIST,
                    res=card.resolution.id,
                    org=card.org.id,
                    rec=rec.id,
                )
            ]
        )
    rows.append([_b(t.plain("btn.back"), level=StatusLevel.ORG, res=card.resolution.id, org=card.org.id)])
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def history_screen(t: Translator, card: ReportCard, tz: ZoneInfo) -> Screen:
    lines = [
        t("status.history_title", name=card.org.name, number=recommendation_number(card.rec.group, card.rec))
    ]
    if len(card.revisions) > HISTORY_SHOWN:
        lines.append(t.n("status.history_earlier_n", len(card.revisions) - HISTORY_SHOWN))
    for revision in card.revisions[-HISTORY_SHOWN:]:
        author = card.authors.get(revision.author_id or 0)
        lines.append("")
        if revision.event is not RevisionEvent.SUBMITTED:
            # An official's decision: who decided what, and why.
            lines.append(revision_line(t, card, revision, tz))
            continue
        lines.append(
            t(
                "status.history_line",
                version=revision.version,
                when=format_date(revision.created_at, tz),
                who=author.full_name if author else "—",
                status=status_label(t, revision.status),
            )
        )
        changes = revision.changes or {}
        if "status" in changes and changes["status"][0]:
            old = ReportStatus(changes["status"][0])
            lines.append(
                t("status.change_status", old=status_label(t, old), new=status_label(t, revision.status))
            )
        if "comment" in changes:
            lines.append(t("status.change_comment", comment=shorten(revision.comment or "—", 200)))
        if "reason" in changes and revision.reason:
            lines.append(t("report.confirm_reason", reason=shorten(revision.reason, 200)))
        if changes.get("evidence_added"):
            lines.append(t("status.change_evidence", count=changes["evidence_added"]))
        if changes.get("evidence_removed"):
            lines.append(t("status.change_evidence_removed", count=changes["evidence_removed"]))
    rows = [
        [
            _b(
                t.plain("btn.back"),
                level=StatusLevel.REP,
                res=card.resolution.id,
                org=card.org.id,
                rec=card.rec.id,
            )
        ]
    ]
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def _digest_button(text: str, data: DigestPick) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=text, callback_data=data.pack())]


def digest_menu_markup(
    t: Translator, published: list[Resolution], by_municipality: bool = True
) -> InlineKeyboardMarkup:
    """`by_municipality` False: a municipal authority's menu, its own municipality only."""
    rows = [_digest_button(t.plain("btn.digest_all"), DigestPick())]
    if len(published) > 1:
        rows += [
            _digest_button(f"📜 {shorten(short_title(r.title, r.adopted_on), 55)}", DigestPick(res=r.id))
            for r in published
        ]
    if by_municipality:
        rows.append(_digest_button(t.plain("btn.digest_municipality"), DigestPick(muni="?")))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def digest_municipality_markup(resolution_id: int, names: list[str]) -> InlineKeyboardMarkup:
    rows = [
        _digest_button(shorten(name, 50), DigestPick(res=resolution_id, muni=municipality_code(name)))
        for name in names
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def group_screen(t: Translator, found: GroupProgress, page: int) -> Screen:
    res, group = found.resolution.id, found.group
    title = t("status.group_title", number=group.position, heading=group.heading)
    back = StatusNav(level=StatusLevel.RES, res=res)
    here = StatusNav(level=StatusLevel.GRP, res=res, grp=group.id)
    return org_list_screen(t, title, found.progress, page, back, here)


def municipality_screen(
    t: Translator, found: MunicipalityProgress, page: int, scope: ViewScope = REGION
) -> Screen:
    res = found.resolution.id
    title = t("status.muni_title", name=found.name)
    # A municipal authority has no list of municipalities to go back to.
    back = StatusNav(level=StatusLevel.MUNIS if scope.is_region else StatusLevel.RES, res=res)
    here = StatusNav(level=StatusLevel.MUNI, res=res, muni=municipality_code(found.name))
    text, markup = org_list_screen(t, title, found.progress, page, back, here)
    if not scope.is_region:
        reach = InlineKeyboardButton(text=t.plain("btn.reach"), callback_data=ReachNav().pack())
        markup.inline_keyboard.insert(-1, [reach])
    return text, markup
