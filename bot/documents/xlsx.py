"""The digest workbook: summary, matrix (organization × recommendation), municipalities, evidence; sheet
names, headers and status words in the locale of the Translator it is built with.

XlsxWriter lays out every sheet (formats, widths, frozen panes, headers, the small tables). The two
big bodies — up to 600,000 matrix cells and every evidence item — are then spliced into their sheets
as ready XML (see sheet_xml). openpyxl, even in write-only mode, needs about 15 s for the matrix alone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from bot.documents.figures import (
    ACCEPTED,
    DONE,
    IN_PROGRESS,
    NO_ANSWER,
    NOT_ADDRESSED,
    NOT_APPLICABLE,
    NOT_STARTED,
    RETURNED,
    DigestFigures,
    Matrix,
    Tally,
)
from bot.documents.ranking import MunicipalRanking, ranking_sheet
from bot.documents.sheet_xml import (
    BLANK,
    Splice,
    column_name,
    inline,
    inline_cache,
    number,
    splice,
    status_cells,
    timestamp,
)
from bot.domain import EvidenceKind
from bot.texts.i18n import Translator
from storage.repositories.digest import EvidenceRow

# Catalog keys of the words a person reads in the workbook; the status words are those of the dialogs.
STATUS_KEYS = {
    DONE: "status.done",
    IN_PROGRESS: "status.in_progress",
    NOT_STARTED: "status.not_started",
    NOT_APPLICABLE: "status.not_applicable",
    NO_ANSWER: "doc.no_answer",
}
STATUS_COLORS = {
    DONE: "#C6EFCE",
    DONE + ACCEPTED: "#63BE7B",
    IN_PROGRESS: "#FFEB9C",
    NOT_APPLICABLE: "#EDEDED",
    NO_ANSWER: "#FFC7CE",
}
# A reviewed cell reads "<status>, принято" or "<status>, возвращено"; an unmarked one awaits review.
REVIEW_WORD_KEYS = {ACCEPTED: "doc.cell_accepted", RETURNED: "doc.cell_returned"}
KIND_KEYS = {kind.value: f"doc.kind.{kind.value}" for kind in EvidenceKind}
TALLY_KEYS = (
    "doc.col.total",
    "status.done",
    "status.in_progress",
    "status.not_started",
    "status.not_applicable",
    "doc.no_answer",
    "doc.col.percent_done",
    "doc.col.accepted",
    "doc.col.awaiting_review",
    "doc.col.returned",
    "doc.col.percent_accepted",
)
EVIDENCE_KEYS = (
    "doc.col.organization",
    "doc.col.municipality",
    "doc.col.recommendation",
    "doc.col.kind",
    "doc.col.content",
    "doc.col.size",
    "doc.col.added",
)
DEADLINE_KEYS = (
    "doc.col.organization",
    "doc.col.municipality",
    "doc.col.recommendation",
    "doc.col.common_deadline",
    "doc.col.own_deadline",
    "doc.col.state",
)
# Cells still to be done: no answer, not started, in progress, whatever the review.
OPEN_CELLS = frozenset(
    code + offset for code in (NO_ANSWER, NOT_STARTED, IN_PROGRESS) for offset in (0, ACCEPTED, RETURNED)
) - {ACCEPTED, RETURNED}
# Sheet files are numbered in the order the sheets are added below.
MATRIX_SHEET = "xl/worksheets/sheet2.xml"
EVIDENCE_SHEET = "xl/worksheets/sheet4.xml"
TEXT_LIMIT = 1000


@dataclass(frozen=True)
class Words:
    """The workbook's words in one locale, looked up once per workbook, not once per row."""

    t: Translator
    status: dict[int, str]
    tally_header: list[str]
    no_municipality: str

    @classmethod
    def of(cls, t: Translator) -> Words:
        status = {code: t.plain(key) for code, key in STATUS_KEYS.items()}
        for offset, key in REVIEW_WORD_KEYS.items():
            for code, word in list(status.items()):
                if code <= NOT_APPLICABLE and code != NO_ANSWER:
                    status[code + offset] = t.plain(key, status=word)
        return cls(t, status, [t.plain(key) for key in TALLY_KEYS], t.plain("card.no_municipality"))

    def kind(self, kind: str) -> str:
        key = KIND_KEYS.get(kind)
        return self.t.plain(key) if key else kind


def _tally_row(label: str, tally: Tally) -> list[object]:
    return [
        label,
        tally.total,
        tally.done,
        tally.in_progress,
        tally.not_started,
        tally.not_applicable,
        tally.no_answer,
        round(tally.percent_done, 1),
        tally.accepted,
        tally.awaiting_review,
        tally.returned,
        round(tally.percent_accepted, 1),
    ]


def _summary_lines(t: Translator, figures: DigestFigures) -> list[str]:
    lines = [title for _, title in figures.resolutions]
    if figures.municipality:
        lines.append(t.plain("doc.summary_municipality", name=figures.municipality))
    lines.append(t.plain("doc.summary_organizations", count=len(figures.organizations)))
    lines.append(t.plain("doc.summary_silent", count=len(figures.silent)))
    lines.append(t.plain("doc.summary_overdue", count=len(figures.overdue)))
    overall = figures.overall
    lines.append(
        t.plain(
            "doc.summary_review",
            accepted=overall.accepted,
            awaiting=overall.awaiting_review,
            returned=overall.returned,
        )
    )
    lines.append(t.plain("doc.summary_cells_legend"))
    return lines


def _summary(book: Workbook, figures: DigestFigures, header: object, words: Words) -> None:
    t = words.t
    sheet = book.add_worksheet(t.plain("doc.sheet_summary"))
    sheet.set_column(0, 0, 70)
    sheet.set_column(1, 11, 13)
    title = t.plain("doc.summary_title", date=figures.today.strftime("%d.%m.%Y"))
    sheet.write(0, 0, title, book.add_format({"bold": True}))
    lines = _summary_lines(t, figures)
    for row, line in enumerate(lines, start=1):
        sheet.write_string(row, 0, line)
    row = len(lines) + 2
    sheet.write_row(row, 0, [t.plain("doc.col.group"), *words.tally_header], header)
    sheet.write_row(row + 1, 0, _tally_row(t.plain("doc.col.total"), figures.overall))
    row += 2
    for group, tally in figures.groups:
        sheet.write_row(row, 0, _tally_row(f"{group.position}. {group.heading}", tally))
        row += 1
    sheet.write_row(row + 1, 0, [t.plain("doc.col.recommendation"), *words.tally_header], header)
    for index, (rec, tally) in enumerate(figures.recommendations, start=row + 2):
        sheet.write_row(index, 0, _tally_row(f"{rec.number} {rec.text}", tally))


def _matrix_layout(book: Workbook, matrix: Matrix, header: object, words: Words) -> None:
    t = words.t
    sheet = book.add_worksheet(t.plain("doc.sheet_matrix"))
    last_row, last_col = len(matrix.rows), 1 + len(matrix.recs)
    sheet.freeze_panes(1, 2)
    sheet.set_column(0, 0, 50)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, max(2, last_col), 13)
    columns = [t.plain("doc.col.organization"), t.plain("doc.col.municipality")]
    sheet.write_row(0, 0, [*columns, *(rec.number for rec in matrix.recs)], header)
    if not matrix.rows:
        return
    sheet.autofilter(0, 0, last_row, last_col)
    # Colours by rule, not per cell: the body is spliced in later and carries no styles.
    for code, color in STATUS_COLORS.items():
        word = words.status[code].replace('"', '""')
        sheet.conditional_format(
            1,
            2,
            last_row,
            max(2, last_col),
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{word}"',
                "format": book.add_format({"bg_color": color}),
            },
        )


def _municipalities(book: Workbook, figures: DigestFigures, header: object, words: Words) -> None:
    t = words.t
    sheet = book.add_worksheet(t.plain("doc.sheet_municipalities"))
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, 0, 35)
    sheet.set_column(1, 13, 13)
    columns = [t.plain("doc.col.organizations"), t.plain("doc.col.silent")]
    sheet.write_row(0, 0, [t.plain("doc.col.municipality"), *words.tally_header, *columns], header)
    orgs: dict[str, int] = {}
    silent: dict[str, int] = {}
    for org in figures.organizations:
        orgs[org.municipality] = orgs.get(org.municipality, 0) + 1
    for org in figures.silent:
        silent[org.municipality] = silent.get(org.municipality, 0) + 1
    for row, (name, tally) in enumerate(figures.municipalities.items(), start=1):
        values = [*_tally_row(name or words.no_municipality, tally), orgs.get(name, 0), silent.get(name, 0)]
        sheet.write_row(row, 0, values)


def _evidence_layout(book: Workbook, header: object, t: Translator) -> Format:
    sheet = book.add_worksheet(t.plain("doc.sheet_evidence"))
    sheet.freeze_panes(1, 0)
    for first, last, width in ((0, 0, 45), (1, 1, 24), (2, 3, 14), (4, 4, 60), (5, 5, 14)):
        sheet.set_column(first, last, width)
    # Applied to the column so the workbook defines it; the spliced cells refer to it by index.
    when = book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
    sheet.set_column(6, 6, 17, when)
    sheet.write_row(0, 0, [t.plain(key) for key in EVIDENCE_KEYS], header)
    return when


def _matrix_body(matrix: Matrix, shared: dict[int, int], words: Words) -> Splice:
    cells = status_cells(shared, blank=NOT_ADDRESSED)
    municipality = inline_cache()
    rows = (
        (
            inline(org.name),
            municipality(org.municipality or words.no_municipality),
            b"".join(map(cells.__getitem__, row)),
        )
        for org, row in zip(matrix.orgs, matrix.rows, strict=True)
    )
    return Splice(rows, f"A1:{column_name(1 + len(matrix.recs))}{len(matrix.rows) + 1}")


def _evidence_body(matrix: Matrix, evidence: Sequence[EvidenceRow], date_style: int, words: Words) -> Splice:
    orgs = {org.org_id: org for org in matrix.orgs}
    numbers = {rec.rec_id: rec.number for rec in matrix.recs}
    cell = inline_cache()  # names, numbers and kinds repeat from row to row
    rows = []
    for item in evidence:
        org = orgs.get(item.org_id)
        if org is None:
            continue
        what = (item.file_name or item.url or item.text or "")[:TEXT_LIMIT]
        rows.append(
            (
                cell(org.name),
                cell(org.municipality or words.no_municipality),
                cell(numbers.get(item.rec_id, "")),
                cell(words.kind(item.kind)),
                inline(what),
                number(item.file_size) if item.file_size is not None else BLANK,
                timestamp(item.created_at, date_style) if item.created_at else BLANK,
            )
        )
    return Splice(rows, f"A1:G{len(rows) + 1}")


def _own_deadlines(
    book: Workbook, figures: DigestFigures, matrix: Matrix, header: object, words: Words
) -> None:
    """Organizations with a deadline of their own (an approved extension): whose, for what, until when,
    and where the work stands. Few rows: written directly, not spliced."""
    t = words.t
    sheet = book.add_worksheet(t.plain("doc.sheet_deadlines"))
    sheet.freeze_panes(1, 0)
    for first, last, width in ((0, 0, 45), (1, 1, 24), (2, 2, 14), (3, 4, 16), (5, 5, 24)):
        sheet.set_column(first, last, width)
    sheet.write_row(0, 0, [t.plain(key) for key in DEADLINE_KEYS], header)
    orgs = {org.org_id: (i, org) for i, org in enumerate(matrix.orgs)}
    columns = {rec.rec_id: (j, rec) for j, rec in enumerate(matrix.recs)}
    row = 1
    for (org_id, rec_id), own in sorted(matrix.own_deadlines.items(), key=lambda item: item[1]):
        if org_id not in orgs or rec_id not in columns:
            continue
        (i, org), (j, rec) = orgs[org_id], columns[rec_id]
        cell = matrix.rows[i][j]
        common = rec.deadline.strftime("%d.%m.%Y") if rec.deadline else "—"
        state = words.status.get(cell, "") if cell != NOT_ADDRESSED else ""
        overdue = t.plain("doc.overdue_mark") if figures.today > own and cell in OPEN_CELLS else ""
        values = [org.name, org.municipality or words.no_municipality, rec.number, common]
        sheet.write_row(row, 0, [*values, own.strftime("%d.%m.%Y"), f"{state} {overdue}".strip()])
        row += 1


def build_xlsx(
    figures: DigestFigures,
    matrix: Matrix,
    evidence: Sequence[EvidenceRow],
    t: Translator,
    ranking: MunicipalRanking | None = None,
) -> bytes:
    """CPU-bound (about a second at 600,000 cells): call it in a worker thread."""
    words = Words.of(t)
    buffer = io.BytesIO()
    # Names and headings come from users: a leading "=" must stay text, never become a formula.
    options = {"in_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
    book = xlsxwriter.Workbook(buffer, options)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"})
    _summary(book, figures, header, words)
    _matrix_layout(book, matrix, header, words)
    _municipalities(book, figures, header, words)
    date_format = _evidence_layout(book, header, t)
    _own_deadlines(book, figures, matrix, header, words)
    ranking_sheet(book, ranking, header, t)
    book.close()
    codes = list(words.status)
    return splice(
        buffer.getvalue(),
        [words.status[code] for code in codes],
        lambda indices: {
            MATRIX_SHEET: _matrix_body(matrix, dict(zip(codes, indices, strict=True)), words),
            EVIDENCE_SHEET: _evidence_body(matrix, evidence, date_format.xf_index, words),
        },
    )
