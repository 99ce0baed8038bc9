"""The report dialog's screens, the member's list of recommendations and their summary."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import EvidenceKind, ReportStatus
from bot.domain.evidence import EvidenceItem
from bot.domain.reports import ReportDraft
from bot.telegram.callbacks import ReportAct, ReportList, ReportOpen, ReportStatusPick, ReportStep
from bot.telegram.views.delivery import deadline_of, format_day, recommendation_number
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten
from storage.models import Organization, Recommendation, Report

STATUS_ICONS = {
    ReportStatus.NOT_STARTED: "⬜",
    ReportStatus.IN_PROGRESS: "🔄",
    ReportStatus.DONE: "✅",
    ReportStatus.NOT_APPLICABLE: "➖",
}
NO_REPORT_ICON = "❔"
LIST_PAGE = 8


def _button(text: str, data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())  # type: ignore[attr-defined]


def status_label(t: Translator, status: ReportStatus | None) -> str:
    if status is None:
        return f"{NO_REPORT_ICON} {t.plain('status.none')}"
    return f"{STATUS_ICONS[status]} {t.plain(f'status.{status.value}')}"


def rec_heading(t: Translator, rec: Recommendation) -> Html:
    lines = [
        t("report.rec_heading", number=recommendation_number(rec.group, rec), text=shorten(rec.text, 600)),
    ]
    deadline = deadline_of(rec.group.resolution, rec)
    if deadline:
        lines.append(t("delivery.deadline", date=format_day(deadline)))
    return Html("\n".join(lines))


def status_picker(
    t: Translator, rec: Recommendation, report: Report | None
) -> tuple[Html, InlineKeyboardMarkup]:
    lines = [
        rec_heading(t, rec),
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


def evidence_keyboard(t: Translator, rec_id: int, collected: int) -> InlineKeyboardMarkup:
    first = (
        _button(
            t.plain("btn.evidence_done", count=collected),
            ReportStep(rec_id=rec_id, action=ReportAct.EVIDENCE_DONE),
        )
        if collected
        else _button(t.plain("btn.no_evidence"), ReportStep(rec_id=rec_id, action=ReportAct.NO_EVIDENCE))
    )
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [first],
            [_button(t.plain("btn.cancel"), ReportStep(rec_id=rec_id, action=ReportAct.CANCEL))],
        ]
    )


def evidence_line(t: Translator, item: EvidenceItem) -> Html:
    if item.kind is EvidenceKind.DOCUMENT:
        return t("evidence.document", name=item.file_name or "—")
    if item.kind is EvidenceKind.PHOTO:
        return t("evidence.photo")
    if item.kind is EvidenceKind.LINK:
        return t("evidence.link", url=item.url or "")
    return t("evidence.text", text=shorten(item.text or "", 80))


def confirm_view(
    t: Translator, draft: ReportDraft, rec: Recommendation, report: Report | None
) -> tuple[Html, InlineKeyboardMarkup]:
    comment = draft.comment if draft.comment is not None else (report.comment if report else "")
    lines = [
        t("report.confirm_title"),
        rec_heading(t, rec),
        "",
        t("report.confirm_status", status=status_label(t, draft.status)),
    ]
    if draft.status is ReportStatus.NOT_APPLICABLE and draft.reason:
        lines.append(t("report.confirm_reason", reason=draft.reason))
    lines.append(t("report.confirm_comment", comment=comment or "—"))
    if draft.evidence:
        lines.append(t.n("report.confirm_evidence", len(draft.evidence)))
        lines.extend(evidence_line(t, item) for item in draft.evidence)
    else:
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


def report_list_view(
    t: Translator, org: Organization, items: list[tuple[Recommendation, Report | None]], page: int
) -> tuple[Html, InlineKeyboardMarkup]:
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
            lines.append(t("report.list_resolution", title=shorten(resolution.title, 120)))
        number = recommendation_number(rec.group, rec)
        icon = STATUS_ICONS[report.status] if report else NO_REPORT_ICON
        lines.append(t("report.list_line", icon=icon, number=number, text=shorten(rec.text, 110)))
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


def summary_view(t: Translator, org: Organization, items: list[tuple[Recommendation, Report | None]]) -> Html:
    total = len(items)
    if not total:
        return t("report.list_empty", org=org.name)
    counts: dict[ReportStatus | None, int] = {}
    for _, report in items:
        key = report.status if report else None
        counts[key] = counts.get(key, 0) + 1
    applicable = total - counts.get(ReportStatus.NOT_APPLICABLE, 0)
    done = counts.get(ReportStatus.DONE, 0)
    percent = round(100 * done / applicable) if applicable else 100
    lines = [
        t("my.title", org=org.name),
        t("my.progress", done=done, applicable=applicable, percent=percent),
        "",
    ]
    for status in [*ReportStatus, None]:
        if counts.get(status):
            lines.append(t("my.line", label=status_label(t, status), count=counts[status]))
    overdue = [
        rec
        for rec, report in items
        if (report is None or report.status in (ReportStatus.NOT_STARTED, ReportStatus.IN_PROGRESS))
        and deadline_of(rec.group.resolution, rec) is not None
    ]
    if overdue:
        lines.append("")
        lines.append(t("my.with_deadline", count=len(overdue)))
    lines.append("")
    lines.append(t("my.hint"))
    return Html("\n".join(lines))
