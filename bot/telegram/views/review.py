"""The reviewers' screens (/review: officials, and municipal authorities under delegated review), and the
notices of the review loop."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import ReportStatus, ReviewState, RevisionEvent
from bot.domain.delegation import open_decisions, stands_by
from bot.domain.evidence import EvidenceItem
from bot.domain.scope import REGION, ViewScope
from bot.services.intents import ReviewDecisionNotice, ReviewQueueNotice
from bot.services.organizations import municipality_code
from bot.services.review import MunicipalDecisionsView, QueueView
from bot.services.status import ReportCard
from bot.telegram.callbacks import (
    Cancel,
    DelegationMode,
    DelegationSwitch,
    EvidenceSend,
    ExtensionList,
    MunicipalDecisions,
    ReportRevise,
    ReviewAct,
    ReviewDecide,
    ReviewFilter,
    ReviewFilterWhat,
    ReviewHistory,
    ReviewMute,
    ReviewNav,
)
from bot.telegram.views.delivery import recommendation_number
from bot.telegram.views.organizations import format_date
from bot.telegram.views.reports import evidence_line, status_label
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten
from storage.models import Report, ReportRevision, Resolution
from storage.repositories.reports import QueueFilter

Screen = tuple[Html, InlineKeyboardMarkup]
Rows = list[list[InlineKeyboardButton]]
HISTORY_INLINE = 3
HISTORY_SHOWN = 12
STATE_ICONS = {ReviewState.PENDING: "⏳", ReviewState.ACCEPTED: "✅", ReviewState.RETURNED: "↩️"}


def _b(text: str, data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())  # type: ignore[attr-defined]


def nav_of(where: QueueFilter, skip: int = 0) -> ReviewNav:
    muni = municipality_code(where.municipality) if where.municipality is not None else "-"
    return ReviewNav(res=where.resolution_id or 0, grp=where.group_id or 0, muni=muni, skip=skip)


def review_state_label(t: Translator, state: ReviewState) -> str:
    return f"{STATE_ICONS[state]} {t.plain(f'review.state.{state.value}')}"


def decider(t: Translator, card: ReportCard, revision: ReportRevision) -> str:
    """Who took a decision and for which body: «Иванова И. И., Отдел образования», «…, департамент»."""
    author = card.authors.get(revision.author_id or 0)
    name = author.full_name if author else "—"
    body = revision.acting_org.name if revision.acting_org is not None else t.plain("review.department")
    return t.plain("review.decider", name=name, body=body)


def revision_line(t: Translator, card: ReportCard, revision: ReportRevision, tz: ZoneInfo) -> Html:
    author = card.authors.get(revision.author_id or 0)
    common = {
        "version": revision.version,
        "when": format_date(revision.created_at, tz),
        "who": author.full_name if author else "—",
    }
    if revision.event is RevisionEvent.SUBMITTED:
        return t("review.event.submitted", status=status_label(t, revision.status), **common)
    common["who"] = decider(t, card, revision)
    line = t(f"review.event.{revision.event.value}", **common)
    if revision.note:
        line = Html(line + "\n" + t("review.event_note", note=shorten(revision.note, 300)))
    return line


def card_lines(t: Translator, card: ReportCard, tz: ZoneInfo) -> list[str]:
    """Everything an official needs to decide: what, who, the answer, its evidence and recent history."""
    report, rec = card.report, card.rec
    assert report is not None
    lines = [
        t("review.org", name=card.org.name, municipality=card.org.municipality or "—"),
        t("review.resolution", title=shorten(card.resolution.title, 120)),
        t("report.rec_heading", number=recommendation_number(rec.group, rec), text=shorten(rec.text, 500)),
        "",
        t("status.report_status", status=status_label(t, report.status)),
    ]
    if report.status is ReportStatus.NOT_APPLICABLE and report.reason:
        lines.append(t("report.confirm_reason", reason=shorten(report.reason, 500)))
    lines.append(t("report.confirm_comment", comment=shorten(report.comment or "—", 1000)))
    if report.evidence:
        lines.append(t.n("report.confirm_evidence", len(report.evidence)))
        lines.extend(
            evidence_line(t, EvidenceItem(e.kind, file_name=e.file_name, url=e.url, text=e.text))
            for e in report.evidence[:10]
        )
        if len(report.evidence) > 10:
            lines.append(t("review.more_evidence", count=len(report.evidence) - 10))
    else:
        lines.append(t("report.confirm_no_evidence"))
    lines.append(
        t("review.state_line", state=review_state_label(t, report.review_state), version=report.version)
    )
    if report.review_state is ReviewState.PENDING and report.review_comment:
        lines.append(t("review.returned_before", comment=shorten(report.review_comment, 300)))
    decision = last_decision(card)
    if decision is not None:
        lines.append(t(f"review.decided.{decision.event.value}", who=decider(t, card, decision)))
    if card.revisions:
        lines.append("")
        lines.append(t("review.recent"))
        lines.extend(revision_line(t, card, r, tz) for r in card.revisions[-HISTORY_INLINE:])
    return lines


def last_decision(card: ReportCard) -> ReportRevision | None:
    """The decision the report stands by (accepted or returned), None while it waits for one."""
    report = card.report
    if report is None or not card.revisions:
        return None
    latest = card.revisions[-1]
    return latest if stands_by(report.review_state, latest.event) else None


def decision_rows(t: Translator, card: ReportCard, scope: ViewScope = REGION) -> Rows:
    """The decisions open to this reviewer on the report's current state (the department may override a
    municipal authority), each bound to the version shown."""
    report = card.report
    assert report is not None
    by_body = bool(card.revisions) and card.revisions[-1].acting_org_id is not None
    labels = {
        RevisionEvent.ACCEPTED: ("btn.review_accept", ReviewAct.ACCEPT),
        RevisionEvent.RETURNED: ("btn.review_return", ReviewAct.RETURN),
        RevisionEvent.REOPENED: ("btn.review_reopen", ReviewAct.REOPEN),
    }
    buttons = [
        _b(
            t.plain(labels[e][0]),
            ReviewDecide(action=labels[e][1], report_id=report.id, version=report.version),
        )
        for e in open_decisions(report.review_state, scope.is_region, by_body)
    ]
    return [buttons] if buttons else []


def report_rows(t: Translator, card: ReportCard, scope: ViewScope = REGION) -> Rows:
    """Decisions, then the files (through /status's scoped button) and the history."""
    report = card.report
    assert report is not None
    rows = decision_rows(t, card, scope)
    extra = [_b(t.plain("btn.history"), ReviewHistory(report_id=report.id))]
    if report.evidence:
        extra.insert(0, _b(t.plain("btn.get_files"), EvidenceSend(report_id=report.id)))
    rows.append(extra)
    return rows


def filter_lines(t: Translator, view: QueueView) -> list[str]:
    lines = []
    if view.resolution is not None:
        lines.append(t("review.filter_resolution", title=shorten(view.resolution.title, 80)))
        group = next((g for g in view.resolution.groups if g.id == view.where.group_id), None)
        if group is not None:
            lines.append(t("review.filter_group", number=group.position, heading=shorten(group.heading, 80)))
    if view.municipality is not None:
        lines.append(t("review.filter_municipality", name=view.municipality))
    if not view.scope.is_region:
        lines.append(t("review.supervised", name=view.scope.municipality or ""))
    elif view.resolution is not None and view.delegated is not None:
        lines.append(delegation_line(t, view.delegated, view.resolution.review_delegation is None))
    return lines


def delegation_line(t: Translator, delegated: bool, by_setting: bool) -> str:
    line = t("delegation.on" if delegated else "delegation.off")
    return f"{line}\n{t('delegation.by_setting')}" if by_setting else line


def delegation_rows(t: Translator, resolution: Resolution, delegated: bool, queue: bool) -> Rows:
    """The department's switch: the other state, and back to the setting once the resolution has its own."""

    def switch(key: str, mode: DelegationMode) -> InlineKeyboardButton:
        return _b(t.plain(key), DelegationSwitch(res_id=resolution.id, mode=mode, queue=queue))

    row = [
        switch("btn.delegation_off", DelegationMode.OFF)
        if delegated
        else switch("btn.delegation_on", DelegationMode.ON)
    ]
    if resolution.review_delegation is not None:
        row.append(switch("btn.delegation_default", DelegationMode.DEFAULT))
    return [row]


def queue_rows(t: Translator, view: QueueView, muted: bool) -> Rows:
    """Filters, the department's delegation switch, deadline requests and the notice switch: under every
    queue screen (a municipal authority's has no municipality to choose and no deadline requests)."""
    where, region = view.where, view.scope.is_region
    data = {"res": where.resolution_id or 0, "grp": where.group_id or 0, "muni": nav_of(where).muni}
    filters = [_b(t.plain("btn.review_filter_res"), ReviewFilter(what=ReviewFilterWhat.RES, **data))]
    if where.resolution_id:
        filters.append(_b(t.plain("btn.review_filter_grp"), ReviewFilter(what=ReviewFilterWhat.GRP, **data)))
    if region:
        filters.append(
            _b(t.plain("btn.review_filter_muni"), ReviewFilter(what=ReviewFilterWhat.MUNI, **data))
        )
    rows = [filters]
    if where.chosen:
        rows.append([_b(t.plain("btn.review_filter_reset"), ReviewNav())])
    if region and view.resolution is not None and view.delegated is not None:
        rows += delegation_rows(t, view.resolution, view.delegated, queue=True)
    if region and where.resolution_id:
        # The department checks (and may override) what municipal authorities decided.
        decisions = MunicipalDecisions(res=where.resolution_id)
        rows.append([_b(t.plain("btn.review_municipal_decisions"), decisions)])
    if region:
        rows.append([_b(t.plain("btn.review_extensions"), ExtensionList(page=0))])
    mute = _b(t.plain("btn.review_unmute" if muted else "btn.review_mute"), ReviewMute(mute=not muted))
    rows.append([mute])
    return rows


def queue_screen(
    t: Translator, view: QueueView, muted: bool, every: int, tz: ZoneInfo, notice: str | None = None
) -> Screen:
    """One item of the queue; `every` is the notice interval in minutes, shown by the mute switch."""
    lines = [notice, ""] if notice else []
    lines += [t("review.title"), *filter_lines(t, view)]
    rows: Rows = []
    if view.card is None or view.card.report is None:
        lines.append(t("review.empty_filtered" if view.where.chosen else "review.empty"))
    else:
        lines.append(t("review.position", position=view.skip + 1, total=view.total))
        lines.append("")
        lines.extend(card_lines(t, view.card, tz))
        rows = report_rows(t, view.card, view.scope)
        if view.total > 1:
            rows.append([_b(t.plain("btn.review_next"), nav_of(view.where, view.skip + 1))])
    lines.append("")
    lines.append(t("review.muted") if muted else t("review.unmuted", minutes=every))
    rows += queue_rows(t, view, muted)
    return Html("\n".join(str(line) for line in lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def municipal_decisions_screen(t: Translator, view: MunicipalDecisionsView, tz: ZoneInfo) -> Screen:
    """One report of the resolution a municipal authority accepted or returned, with the department's
    decisions (an override) on it; newest decision first."""
    res_id = view.resolution.id
    lines = [
        t("review.decisions_title"),
        t("review.filter_resolution", title=shorten(view.resolution.title, 80)),
    ]
    rows: Rows = []
    if view.card is None or view.card.report is None:
        lines.append(t("review.decisions_empty"))
    else:
        lines += [t("review.decisions_position", position=view.skip + 1, total=view.total), ""]
        lines.extend(card_lines(t, view.card, tz))
        rows = report_rows(t, view.card, REGION)
        if view.total > 1:
            next_one = MunicipalDecisions(res=res_id, skip=view.skip + 1)
            rows.append([_b(t.plain("btn.review_next"), next_one)])
    rows.append([_b(t.plain("btn.review_queue"), ReviewNav(res=res_id))])
    return Html("\n".join(str(line) for line in lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def report_screen(
    t: Translator, card: ReportCard, tz: ZoneInfo, notice: str | None = None, scope: ViewScope = REGION
) -> Screen:
    """One report on its own (a fresh view after a conflict): its decisions and the way back."""
    assert card.report is not None
    lines = [notice, ""] if notice else []
    lines += card_lines(t, card, tz)
    rows = report_rows(t, card, scope)
    rows.append([_b(t.plain("btn.review_queue"), ReviewNav())])
    return Html("\n".join(str(line) for line in lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def history_screen(t: Translator, card: ReportCard, tz: ZoneInfo, scope: ViewScope = REGION) -> Screen:
    assert card.report is not None
    number = recommendation_number(card.rec.group, card.rec)
    lines = [t("status.history_title", name=card.org.name, number=number)]
    if len(card.revisions) > HISTORY_SHOWN:
        lines.append(t.n("status.history_earlier_n", len(card.revisions) - HISTORY_SHOWN))
    for revision in card.revisions[-HISTORY_SHOWN:]:
        lines.append("")
        lines.append(revision_line(t, card, revision, tz))
        if revision.event is RevisionEvent.SUBMITTED and "comment" in (revision.changes or {}):
            lines.append(t("status.change_comment", comment=shorten(revision.comment or "—", 200)))
    rows = decision_rows(t, card, scope)
    rows.append([_b(t.plain("btn.review_queue"), ReviewNav())])
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def decided_notice(t: Translator, card: ReportCard, event: RevisionEvent) -> Html:
    number = recommendation_number(card.rec.group, card.rec)
    return t(f"review.done.{event.value}", org=card.org.name, number=number)


def undo_row(t: Translator, card: ReportCard) -> list[InlineKeyboardButton]:
    """Under the acceptance notice: reopen what was just accepted, should it have been a mistake."""
    report = card.report
    assert report is not None
    number = recommendation_number(card.rec.group, card.rec)
    data = ReviewDecide(action=ReviewAct.REOPEN, report_id=report.id, version=report.version)
    return [_b(t.plain("btn.review_reopen_just", number=number), data)]


def ask_note(t: Translator, card: ReportCard, action: ReviewAct) -> Screen:
    number = recommendation_number(card.rec.group, card.rec)
    key = "review.ask_comment" if action is ReviewAct.RETURN else "review.ask_reason"
    markup = InlineKeyboardMarkup(inline_keyboard=[[_b(t.plain("btn.cancel"), Cancel())]])
    return t(key, org=card.org.name, number=number), markup


def filter_screen(
    t: Translator, what: ReviewFilterWhat, where: QueueFilter, options: list[tuple[str, ReviewNav]]
) -> Screen:
    every = {
        ReviewFilterWhat.RES: ReviewNav(muni=nav_of(where).muni),
        ReviewFilterWhat.GRP: nav_of(QueueFilter(where.resolution_id, None, where.municipality)),
        ReviewFilterWhat.MUNI: nav_of(QueueFilter(where.resolution_id, where.group_id, None)),
    }[what]
    rows = [[_b(shorten(label, 60), nav)] for label, nav in options]
    rows.append([_b(t.plain(f"btn.review_every_{what.value}"), every)])
    rows.append([_b(t.plain("btn.back"), nav_of(where))])
    return t(f"review.choose_{what.value}"), InlineKeyboardMarkup(inline_keyboard=rows)


def resolution_options(where: QueueFilter, resolutions: list[Resolution]) -> list[tuple[str, ReviewNav]]:
    muni = nav_of(where).muni
    return [(r.title, ReviewNav(res=r.id, muni=muni)) for r in resolutions]


def group_options(where: QueueFilter, resolution: Resolution | None) -> list[tuple[str, ReviewNav]]:
    groups = resolution.groups if resolution is not None else []
    return [
        (f"{g.position}. {g.heading}", nav_of(QueueFilter(where.resolution_id, g.id, where.municipality)))
        for g in groups
    ]


def municipality_options(where: QueueFilter, names: list[str]) -> list[tuple[str, ReviewNav]]:
    return [(name, nav_of(QueueFilter(where.resolution_id, where.group_id, name))) for name in names]


# --- notices (rendered by the outbox renderer) ---------------------------------------------------------


def decision_notice(t: Translator, intent: ReviewDecisionNotice) -> Screen:
    rec = intent.rec
    # Under delegated review the municipal authority decided: the notice names it instead of the department.
    if intent.body:
        heading = t(f"review.notice_by_body.{intent.event.value}", body=intent.body)
        note_key = f"review.notice_note_by_body.{intent.event.value}"
    else:
        heading = t(f"review.notice.{intent.event.value}")
        note_key = f"review.notice_note.{intent.event.value}"
    lines = [
        heading,
        t("report.rec_heading", number=recommendation_number(rec.group, rec), text=shorten(rec.text, 400)),
    ]
    if intent.note:
        lines += ["", t(note_key, note=intent.note)]
    rows: Rows = []
    if intent.event is RevisionEvent.RETURNED:
        lines += ["", t("review.notice_revise_hint")]
        rows.append([_b(t.plain("btn.revise"), ReportRevise(rec_id=rec.id))])
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def queue_notice(t: Translator, intent: ReviewQueueNotice) -> Screen:
    lines = [t.n("review.new_submissions", intent.total)]
    for item in intent.first:
        lines.append(
            t(
                "review.new_item",
                org=shorten(item.org_name, 80),
                number=item.number,
                text=shorten(item.text, 80),
            )
        )
    if intent.total > len(intent.first):
        lines.append(t("review.new_more", count=intent.total - len(intent.first)))
    lines += ["", t("review.new_hint")]
    markup = InlineKeyboardMarkup(inline_keyboard=[[_b(t.plain("btn.review_open"), ReviewNav())]])
    return Html("\n".join(lines)), markup


def revise_heading(t: Translator, report: Report | None, body: str | None = None) -> Html | None:
    """Above the member's status picker when the report came back: what the department (or the municipal
    authority `body`, under delegated review) asked for."""
    if report is None or report.review_state is not ReviewState.RETURNED or not report.review_comment:
        return None
    if body:
        return t("review.revise_heading_by_body", body=body, comment=report.review_comment)
    return t("review.revise_heading", comment=report.review_comment)
