"""The report on execution as a DOCX: title page, summary by addressee group, each recommendation,
municipalities, the appendix of evidence. Every word from the catalogs (`documents.report.*`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.documents import docx_layout as layout
from bot.documents.execution_report import ExecutionData, GroupSummary, RecSection, RepeatNote
from bot.documents.figures import Tally
from bot.domain import ReviewState
from bot.texts.i18n import Translator
from storage.repositories.digest import EvidenceRow
from storage.repositories.documents import OrgNote

if TYPE_CHECKING:
    from docx.document import Document

TALLY_KEYS = (
    "status.done",
    "status.in_progress",
    "status.not_started",
    "status.not_applicable",
    "doc.no_answer",
)
# Column widths (cm) on A4 with 30 + 15 mm margins: 16.5 cm of text width.
GROUP_WIDTHS = (1.0, 4.0, 1.6, 1.9, 1.6, 1.3, 1.3, 1.6, 1.2, 1.6)
MUNICIPALITY_WIDTHS = (4.5, 1.6, 1.3, 1.6, 1.3, 1.3, 1.6, 1.3, 1.6)
EVIDENCE_WIDTHS = (1.0, 5.3, 1.6, 8.6)


def day(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value is not None else "—"


def percent(tally: Tally) -> str:
    return f"{tally.percent_done:.0f}"


def tally_cells(tally: Tally) -> list[object]:
    return [tally.done, tally.in_progress, tally.not_started, tally.not_applicable, tally.no_answer]


def _title_page(document: Document, data: ExecutionData, t: Translator) -> None:
    info = data.resolution
    for _ in range(6):
        layout.centered(document, "")
    layout.centered(document, t.plain("documents.report.title"), bold=True, size=16, space_after=12)
    layout.centered(document, info.title, bold=True, space_after=12)
    adopted = [day(info.adopted_on)] if info.adopted_on else []
    if info.place:
        adopted.append(info.place)
    if adopted:
        layout.centered(document, t.plain("documents.report.adopted", details=", ".join(adopted)))
    layout.centered(document, t.plain("documents.report.as_of", date=day(data.today)), space_after=12)
    layout.page_break(document)


def _summary(document: Document, data: ExecutionData, t: Translator) -> None:
    document.add_heading(t.plain("documents.report.summary_heading"), level=1)
    overall = data.figures.overall
    document.add_paragraph(
        t.plain(
            "documents.report.summary_text",
            orgs=len(data.figures.organizations),
            recs=len(data.sections),
            done=overall.done,
            applicable=overall.applicable,
            percent=percent(overall),
            no_answer=overall.no_answer,
        )
    )
    header = [
        t.plain("documents.report.col_number"),
        t.plain("documents.report.col_group"),
        t.plain("documents.report.col_orgs"),
        t.plain("documents.report.col_recs"),
        *(t.plain(key) for key in TALLY_KEYS),
        t.plain("documents.report.col_percent"),
    ]
    rows: list[list[object]] = [_group_row(g) for g in data.groups]
    total_orgs = sum(g.organizations for g in data.groups)
    rows.append(
        [
            "",
            t.plain("documents.report.total"),
            total_orgs,
            len(data.sections),
            *tally_cells(overall),
            percent(overall),
        ]
    )
    layout.table(document, header, rows, GROUP_WIDTHS, bold_last=True)


def _group_row(summary: GroupSummary) -> list[object]:
    return [
        summary.group.position,
        summary.group.heading,
        summary.organizations,
        summary.recommendations,
        *tally_cells(summary.tally),
        percent(summary.tally),
    ]


def _repeat_text(t: Translator, note: RepeatNote) -> str:
    if not note.applicable:
        return t.plain("documents.report.repeat_plain", year=note.year or "—", number=note.number)
    return t.plain(
        "documents.report.repeat",
        year=note.year or "—",
        number=note.number,
        done=note.done,
        applicable=note.applicable,
        percent=round(100 * note.done / note.applicable),
    )


def _section(document: Document, section: RecSection, t: Translator) -> None:
    rec, tally = section.rec, section.tally
    document.add_heading(t.plain("documents.report.rec_heading", number=rec.number), level=3)
    document.add_paragraph(rec.text)
    for note in section.repeats:
        layout.labelled(document, t.plain("documents.report.repeat_label"), _repeat_text(t, note))
    layout.labelled(
        document,
        t.plain("documents.report.counts_label"),
        t.plain(
            "documents.report.counts",
            total=tally.total,
            done=tally.done,
            in_progress=tally.in_progress,
            not_started=tally.not_started,
            not_applicable=tally.not_applicable,
            no_answer=tally.no_answer,
            percent=percent(tally),
        ),
    )
    review = section.review
    layout.labelled(
        document,
        t.plain("documents.report.review_label"),
        t.plain(
            "documents.report.review",
            accepted=review.get(ReviewState.ACCEPTED.value, 0),
            pending=review.get(ReviewState.PENDING.value, 0),
            returned=review.get(ReviewState.RETURNED.value, 0),
        ),
    )
    _deadline(document, section, t)
    _extended(document, section, t)
    _notes(
        document,
        t,
        "documents.report.done_label",
        "documents.report.done_none",
        section.comments,
        section.comments_total,
    )
    if section.tally.not_applicable:
        _notes(
            document,
            t,
            "documents.report.reasons_label",
            "documents.report.reasons_none",
            section.reasons,
            section.reasons_total,
        )


def _deadline(document: Document, section: RecSection, t: Translator) -> None:
    deadline = section.rec.deadline
    if deadline is None and not section.late:
        return
    text = t.plain("documents.report.deadline", date=day(deadline)) if deadline else ""
    late = (
        t.plain("documents.report.late", count=section.late)
        if section.late
        else t.plain("documents.report.late_none")
    )
    layout.labelled(
        document, t.plain("documents.report.deadline_label"), " ".join(p for p in (text, late) if p)
    )
    for name in section.late_names:
        layout.bullet(document, name)
    _more(document, t, section.late - len(section.late_names))


def _extended(document: Document, section: RecSection, t: Translator) -> None:
    """One line: whose deadline an approved extension moved, to when; their overdue counts from it."""
    if not section.extended:
        return
    names = "; ".join(
        t.plain("documents.report.extended_item", org=org, date=day(date)) for org, date in section.extended
    )
    left = section.extended_total - len(section.extended)
    text = (
        t.plain("documents.report.extended_more", names=names, count=left)
        if left > 0
        else t.plain("documents.report.extended", names=names)
    )
    layout.labelled(document, t.plain("documents.report.extended_label"), text)


def _notes(
    document: Document, t: Translator, label: str, empty: str, notes: list[OrgNote], total: int
) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(t.plain(label)).bold = True
    if not notes:
        paragraph.add_run(" " + t.plain(empty))
        return
    for note in notes:
        who = f"{note.org_name} ({note.municipality})" if note.municipality else note.org_name
        layout.bullet(document, f"{who}: {note.text.strip()}")
    _more(document, t, total - len(notes))


def _more(document: Document, t: Translator, count: int) -> None:
    if count > 0:
        document.add_paragraph(t.plain("documents.report.and_more", count=count))


def _recommendations(document: Document, data: ExecutionData, t: Translator) -> None:
    document.add_heading(t.plain("documents.report.recs_heading"), level=1)
    headings = {g.group.group_id: g.group for g in data.groups}
    current = None
    for section in data.sections:
        if section.rec.group_id != current:
            current = section.rec.group_id
            group = headings[current]
            document.add_heading(f"{group.position}. {group.heading}", level=2)
        _section(document, section, t)


def _municipalities(document: Document, data: ExecutionData, t: Translator) -> None:
    document.add_heading(t.plain("documents.report.munis_heading"), level=1)
    orgs: dict[str, int] = {}
    for org in data.figures.organizations:
        orgs[org.municipality] = orgs.get(org.municipality, 0) + 1
    header = [
        t.plain("documents.report.col_municipality"),
        t.plain("documents.report.col_orgs"),
        t.plain("documents.report.col_pairs"),
        *(t.plain(key) for key in TALLY_KEYS),
        t.plain("documents.report.col_percent"),
    ]
    no_name = t.plain("documents.report.no_municipality")
    rows: list[list[object]] = [
        [name or no_name, orgs.get(name, 0), tally.total, *tally_cells(tally), percent(tally)]
        for name, tally in data.figures.municipalities.items()
    ]
    if not rows:
        document.add_paragraph(t.plain("documents.report.nothing"))
        return
    layout.table(document, header, rows, MUNICIPALITY_WIDTHS)


def _evidence_item(t: Translator, row: EvidenceRow) -> str:
    if row.file_name:
        return row.file_name
    if row.url:
        return row.url
    return (row.text or "").strip() or t.plain(f"doc.kind.{row.kind}")


def _appendix(document: Document, data: ExecutionData, t: Translator) -> None:
    layout.page_break(document)
    document.add_heading(t.plain("documents.report.appendix_heading"), level=1)
    if not data.evidence:
        document.add_paragraph(t.plain("documents.report.appendix_empty"))
        return
    numbers = {s.rec.rec_id: s.rec.number for s in data.sections}
    header = [
        t.plain("documents.report.col_number"),
        t.plain("doc.col.organization"),
        t.plain("documents.report.col_item"),
        t.plain("documents.report.col_evidence"),
    ]
    rows: list[list[object]] = []
    for i, row in enumerate(data.evidence, start=1):
        name, municipality = data.org_names.get(row.org_id, ("—", ""))
        who = f"{name} ({municipality})" if municipality else name
        rows.append([i, who, numbers.get(row.rec_id, "—"), _evidence_item(t, row)])
    layout.table(document, header, rows, EVIDENCE_WIDTHS)
    left = data.evidence_total - len(data.evidence)
    if left > 0:
        document.add_paragraph(t.plain("documents.report.appendix_more", count=left))


def build_execution_docx(data: ExecutionData, t: Translator) -> bytes:
    document = layout.new_document()
    _title_page(document, data, t)
    _summary(document, data, t)
    _recommendations(document, data, t)
    _municipalities(document, data, t)
    _appendix(document, data, t)
    return layout.to_bytes(document)
