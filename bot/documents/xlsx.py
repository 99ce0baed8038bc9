"""The digest workbook: summary, matrix (organization × recommendation), municipalities, evidence, own
deadlines and every report (xlsx_reports); sheet names, headers and status words in the locale of the
Translator it is built with, dates and times on the wall clock of the time zone it is given.

XlsxWriter lays out every sheet (formats, widths fitted to the text, frozen panes, headers, header notes,
the small tables). The big bodies — up to 600,000 matrix cells, every evidence item and every report — are
then spliced into their sheets as ready XML (see sheet_xml). openpyxl, even in write-only mode, needs about
15 s for the matrix alone.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from bot.documents.figures import (
    ACCEPTED,
    DONE,
    IN_PROGRESS,
    NO_ANSWER,
    NOT_ADDRESSED,
    NOT_APPLICABLE,
    NOT_STARTED,
    RETURNED,
    REVIEW_STEP,
    DigestFigures,
    Matrix,
    Tally,
    status_of,
)
from bot.documents.ranking import MunicipalRanking, ranking_sheet
from bot.documents.report_log import ReportLog
from bot.documents.sheet_xml import (
    BLANK,
    LocalTime,
    Splice,
    column_name,
    inline,
    inline_cache,
    number,
    splice,
    status_cells,
    timestamp,
)
from bot.documents.xlsx_kit import (
    DATE_TIME_WIDTH,
    DATE_WIDTH,
    REVIEW_KEYS,
    STATUS_KEYS,
    Styles,
    fit,
    fraction,
    sheet_file,
    zone_name,
)
from bot.documents.xlsx_reports import ReportSheet, reports_body, reports_layout
from bot.domain import EvidenceKind
from bot.texts.i18n import Translator
from storage.repositories.digest import EvidenceRow, RecInfo

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
# Positions of the shares in a tally row (after its label): written as percentage cells.
PERCENT_COLUMNS = frozenset({7, 11})
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
    "doc.col.status",
    "doc.col.review",
    "doc.col.overdue",
)
# Cells still to be done: no answer, not started, in progress, whatever the review.
OPEN_CELLS = frozenset(
    code + offset for code in (NO_ANSWER, NOT_STARTED, IN_PROGRESS) for offset in (0, ACCEPTED, RETURNED)
) - {ACCEPTED, RETURNED}
TEXT_LIMIT = 1000
# A header note (the recommendation's full text) is about this many characters a line at this width.
NOTE_WIDTH_PX = 480
NOTE_CHARS_PER_LINE = 60
NOTE_LINE_PX = 16
NOTE_MAX_HEIGHT_PX = 640
MATRIX_CELL_CAP = 16


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

    def municipality(self, name: str) -> str:
        return name or self.no_municipality


def _tally_row(label: str, tally: Tally) -> list[object]:
    """A tally as a row of cells; the shares (PERCENT_COLUMNS) are fractions, 0.45 for 45 %."""
    return [
        label,
        tally.total,
        tally.done,
        tally.in_progress,
        tally.not_started,
        tally.not_applicable,
        tally.no_answer,
        fraction(tally.done, tally.applicable),
        tally.accepted,
        tally.awaiting_review,
        tally.returned,
        fraction(tally.accepted_done, tally.applicable),
    ]


def _write_tally_row(sheet: Worksheet, row: int, values: list[object], styles: Styles) -> None:
    sheet.write_row(row, 0, values)
    for column in PERCENT_COLUMNS:
        sheet.write_number(row, column, values[column], styles.percent)  # type: ignore[arg-type]


def _summary_lines(t: Translator, figures: DigestFigures, tz: dt.tzinfo) -> list[str]:
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
    lines.append(t.plain("doc.summary_timezone", zone=zone_name(tz)))
    return lines


def _rec_label(rec: RecInfo) -> str:
    return f"{rec.number} {rec.text}"


def _summary_widths(sheet: Worksheet, figures: DigestFigures, styles: Styles, words: Words) -> None:
    t = words.t
    labels = [f"{group.position}. {group.heading}" for group, _ in figures.groups]
    labels += [_rec_label(rec) for rec, _ in figures.recommendations]
    sheet.set_column(0, 0, fit(labels, t.plain("doc.col.recommendation"), 70))
    for column, header in enumerate(words.tally_header, start=1):
        sheet.set_column(column, column, fit([str(figures.overall.total)], header, 16))
    sheet.set_column(12, 12, max(DATE_WIDTH, fit([], t.plain("doc.col.deadline"))))


def _summary(book: Workbook, figures: DigestFigures, styles: Styles, words: Words, tz: dt.tzinfo) -> None:
    t = words.t
    sheet = book.add_worksheet(t.plain("doc.sheet_summary"))
    _summary_widths(sheet, figures, styles, words)
    title = t.plain("doc.summary_title", date=figures.today.strftime("%d.%m.%Y"))
    sheet.write(0, 0, title, book.add_format({"bold": True}))
    lines = _summary_lines(t, figures, tz)
    # Lines run on over the empty cells to their right; only the table's labels wrap.
    for row, line in enumerate(lines, start=1):
        sheet.write_string(row, 0, line)
    row = len(lines) + 2
    sheet.write_row(row, 0, [t.plain("doc.col.group"), *words.tally_header], styles.header)
    _write_tally_row(sheet, row + 1, _tally_row(t.plain("doc.col.total"), figures.overall), styles)
    row += 2
    for group, tally in figures.groups:
        _write_tally_row(sheet, row, _tally_row(f"{group.position}. {group.heading}", tally), styles)
        sheet.write_string(row, 0, f"{group.position}. {group.heading}", styles.wrap)
        row += 1
    header = [t.plain("doc.col.recommendation"), *words.tally_header, t.plain("doc.col.deadline")]
    sheet.write_row(row + 1, 0, header, styles.header)
    for index, (rec, tally) in enumerate(figures.recommendations, start=row + 2):
        _write_tally_row(sheet, index, _tally_row(_rec_label(rec), tally), styles)
        sheet.write_string(index, 0, _rec_label(rec), styles.wrap)
        if rec.deadline is not None:
            sheet.write_datetime(index, 12, rec.deadline, styles.date)


def _note(rec: RecInfo, t: Translator) -> tuple[str, dict[str, object]]:
    """A recommendation's full text as its header note, sized so it reads without scrolling."""
    text = f"{rec.number}. {rec.text}"
    if rec.deadline is not None:
        text += "\n\n" + t.plain("doc.note_deadline", date=rec.deadline.strftime("%d.%m.%Y"))
    lines = sum(1 + len(paragraph) // NOTE_CHARS_PER_LINE for paragraph in text.split("\n"))
    height = min(NOTE_MAX_HEIGHT_PX, NOTE_LINE_PX * (lines + 1))
    return text, {"width": NOTE_WIDTH_PX, "height": height}


def _matrix_widths(
    sheet: Worksheet, matrix: Matrix, styles: Styles, words: Words, columns: list[str]
) -> None:
    sheet.set_column(0, 0, fit([org.name for org in matrix.orgs], columns[0], 50))
    munis = {words.municipality(org.municipality) for org in matrix.orgs}
    sheet.set_column(1, 1, fit(munis, columns[1], 30))
    flat = b"".join(matrix.rows)
    width = len(matrix.recs)
    for j, rec in enumerate(matrix.recs):
        # The words this column actually shows; long ones («Выполнено, возвращено») wrap.
        present = set(flat[j::width]) - {NOT_ADDRESSED}
        shown = [words.status[code] for code in present if code in words.status]
        sheet.set_column(2 + j, 2 + j, fit(shown, rec.number, MATRIX_CELL_CAP), styles.wrap)


def _matrix_layout(book: Workbook, matrix: Matrix, styles: Styles, words: Words) -> Worksheet:
    t = words.t
    sheet = book.add_worksheet(t.plain("doc.sheet_matrix"))
    last_row, last_col = len(matrix.rows), 1 + len(matrix.recs)
    sheet.freeze_panes(1, 2)
    columns = [t.plain("doc.col.organization"), t.plain("doc.col.municipality")]
    _matrix_widths(sheet, matrix, styles, words, columns)
    sheet.write_row(0, 0, [*columns, *(rec.number for rec in matrix.recs)], styles.header)
    for j, rec in enumerate(matrix.recs):
        text, size = _note(rec, t)
        sheet.write_comment(0, 2 + j, text, size)
    if not matrix.rows:
        return sheet
    sheet.autofilter(0, 0, last_row, last_col)
    # Colours by rule, not per cell: the body is spliced in later.
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
    return sheet


def _municipalities(book: Workbook, figures: DigestFigures, styles: Styles, words: Words) -> None:
    t = words.t
    sheet = book.add_worksheet(t.plain("doc.sheet_municipalities"))
    sheet.freeze_panes(1, 1)
    columns = [t.plain("doc.col.organizations"), t.plain("doc.col.silent")]
    header = [t.plain("doc.col.municipality"), *words.tally_header, *columns]
    sheet.set_column(0, 0, fit(map(words.municipality, figures.municipalities), header[0], 40))
    for column, title in enumerate(header[1:], start=1):
        sheet.set_column(column, column, fit([str(figures.overall.total)], title, 16))
    sheet.write_row(0, 0, header, styles.header)
    orgs: dict[str, int] = {}
    silent: dict[str, int] = {}
    for org in figures.organizations:
        orgs[org.municipality] = orgs.get(org.municipality, 0) + 1
    for org in figures.silent:
        silent[org.municipality] = silent.get(org.municipality, 0) + 1
    for row, (name, tally) in enumerate(figures.municipalities.items(), start=1):
        values = [*_tally_row(words.municipality(name), tally), orgs.get(name, 0), silent.get(name, 0)]
        _write_tally_row(sheet, row, values, styles)


def _evidence_layout(
    book: Workbook, matrix: Matrix, evidence: Sequence[EvidenceRow], styles: Styles, words: Words
) -> Worksheet:
    t = words.t
    sheet = book.add_worksheet(t.plain("doc.sheet_evidence"))
    sheet.freeze_panes(1, 0)
    header = [t.plain(key) for key in EVIDENCE_KEYS]
    kinds = [words.kind(kind.value) for kind in EvidenceKind]
    contents = ((item.file_name or item.url or item.text or "")[:TEXT_LIMIT] for item in evidence)
    # Every format a spliced cell uses is its column's too, so the workbook defines it.
    for column, width, style in (
        (0, fit([org.name for org in matrix.orgs], header[0], 50), None),
        (1, fit({words.municipality(org.municipality) for org in matrix.orgs}, header[1], 30), None),
        (2, fit([rec.number for rec in matrix.recs], header[2]), None),
        (3, fit(kinds, header[3]), None),
        (4, fit(contents, header[4], 60), styles.wrap),
        (5, fit([str(max((item.file_size or 0 for item in evidence), default=0))], header[5]), None),
        (6, max(DATE_TIME_WIDTH, fit([], header[6])), styles.when),
    ):
        sheet.set_column(column, column, width, style)
    sheet.write_row(0, 0, header, styles.header)
    return sheet


def _matrix_body(matrix: Matrix, shared: dict[int, int], words: Words, style: int) -> Splice:
    cells = status_cells(shared, blank=NOT_ADDRESSED, style=style)
    municipality = inline_cache()
    rows = (
        (
            inline(org.name),
            municipality(words.municipality(org.municipality)),
            b"".join(map(cells.__getitem__, row)),
        )
        for org, row in zip(matrix.orgs, matrix.rows, strict=True)
    )
    return Splice(rows, f"A1:{column_name(1 + len(matrix.recs))}{len(matrix.rows) + 1}")


def _evidence_body(
    matrix: Matrix, evidence: Sequence[EvidenceRow], styles: Styles, words: Words, tz: dt.tzinfo
) -> Splice:
    orgs = {org.org_id: org for org in matrix.orgs}
    numbers = {rec.rec_id: rec.number for rec in matrix.recs}
    cell = inline_cache()  # names, numbers and kinds repeat from row to row
    local = LocalTime(tz)
    wrap, when = styles.wrap.xf_index, styles.when.xf_index
    rows = []
    for item in evidence:
        org = orgs.get(item.org_id)
        if org is None:
            continue
        what = (item.file_name or item.url or item.text or "")[:TEXT_LIMIT]
        rows.append(
            (
                cell(org.name),
                cell(words.municipality(org.municipality)),
                cell(numbers.get(item.rec_id, "")),
                cell(words.kind(item.kind)),
                inline(what, wrap),
                number(item.file_size) if item.file_size is not None else BLANK,
                timestamp(item.created_at, when, local) if item.created_at else BLANK,
            )
        )
    return Splice(rows, f"A1:G{len(rows) + 1}")


def _own_deadlines(
    book: Workbook, figures: DigestFigures, matrix: Matrix, styles: Styles, words: Words
) -> None:
    """Organizations with a deadline of their own (an approved extension): whose, for what, the common
    deadline and the moved one, the status, the review and whether it is overdue. Few rows: written
    directly, not spliced."""
    t = words.t
    sheet = book.add_worksheet(t.plain("doc.sheet_deadlines"))
    sheet.freeze_panes(1, 0)
    header = [t.plain(key) for key in DEADLINE_KEYS]
    orgs = {org.org_id: (i, org) for i, org in enumerate(matrix.orgs)}
    columns = {rec.rec_id: (j, rec) for j, rec in enumerate(matrix.recs)}
    moved = sorted(
        (own, orgs[org_id], columns[rec_id])
        for (org_id, rec_id), own in matrix.own_deadlines.items()
        if org_id in orgs and rec_id in columns
    )
    reviews = [t.plain(key) for key in REVIEW_KEYS]
    statuses = [t.plain(key) for key in STATUS_KEYS.values()]
    for column, width, style in (
        (0, fit([org.name for _, (_, org), _ in moved], header[0], 50), None),
        (1, fit([words.municipality(org.municipality) for _, (_, org), _ in moved], header[1], 30), None),
        (2, fit([rec.number for _, _, (_, rec) in moved], header[2]), None),
        (3, max(DATE_WIDTH, fit([], header[3])), styles.date),
        (4, max(DATE_WIDTH, fit([], header[4])), styles.date),
        (5, fit(statuses, header[5]), None),
        (6, fit(reviews, header[6]), None),
        (7, fit([t.plain("doc.overdue_yes")], header[7]), None),
    ):
        sheet.set_column(column, column, width, style)
    sheet.write_row(0, 0, header, styles.header)
    for row, (own, (i, org), (j, rec)) in enumerate(moved, start=1):
        cell = matrix.rows[i][j]
        sheet.write_row(row, 0, [org.name, words.municipality(org.municipality), rec.number])
        if rec.deadline is not None:
            sheet.write_datetime(row, 3, rec.deadline, styles.date)
        sheet.write_datetime(row, 4, own, styles.date)
        if cell != NO_ANSWER:
            sheet.write_string(row, 5, words.status[status_of(cell)])
            sheet.write_string(row, 6, reviews[cell // REVIEW_STEP])
        else:
            sheet.write_string(row, 5, words.status[NO_ANSWER])
        if figures.today > own and cell in OPEN_CELLS:
            sheet.write_string(row, 7, t.plain("doc.overdue_yes"))


def build_xlsx(
    figures: DigestFigures,
    matrix: Matrix,
    evidence: Sequence[EvidenceRow],
    t: Translator,
    *,
    reports: ReportLog | None = None,
    tz: dt.tzinfo = dt.UTC,
    ranking: MunicipalRanking | None = None,
) -> bytes:
    """CPU-bound (about a second at 600,000 cells): call it in a worker thread. Dates and times are shown
    on the wall clock of `tz` (the bot's TIMEZONE)."""
    words = Words.of(t)
    buffer = io.BytesIO()
    # Names and headings come from users: a leading "=" must stay text, never become a formula.
    options = {"in_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
    book = xlsxwriter.Workbook(buffer, options)
    styles = Styles.of(book)
    log = reports if reports is not None else ReportLog(len(matrix.recs))
    _summary(book, figures, styles, words, tz)
    matrix_sheet = _matrix_layout(book, matrix, styles, words)
    _municipalities(book, figures, styles, words)
    ranking_sheet(book, ranking, styles, t)
    evidence_sheet = _evidence_layout(book, matrix, evidence, styles, words)
    _own_deadlines(book, figures, matrix, styles, words)
    page = ReportSheet(reports_layout(book, styles, matrix, log, t), matrix, log, t, figures.today, tz)
    book.close()
    codes = list(words.status)
    shared = page.words()

    def bodies(indices: list[int]) -> dict[str, Splice]:
        status = dict(zip(codes, indices, strict=False))
        report_words = dict(zip(shared, indices[len(codes) :], strict=True))
        return {
            sheet_file(matrix_sheet): _matrix_body(matrix, status, words, styles.wrap.xf_index),
            sheet_file(evidence_sheet): _evidence_body(matrix, evidence, styles, words, tz),
            sheet_file(page.sheet): reports_body(page, styles, report_words),
        }

    return splice(buffer.getvalue(), [words.status[code] for code in codes] + shared, bodies)
