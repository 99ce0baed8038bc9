"""The workbook's «Отчёты» sheet: every report behind the matrix, one row each, with what the matrix cannot
hold — the comment, the reason for «Не применимо», who decided on it and when, the deadline binding the
organization (an approved extension included) and the last submission.

Up to 600,000 rows: XlsxWriter lays out the header, widths and filter; the body is spliced in as ready
XML (see sheet_xml), from cells rendered once per organization, recommendation and cell code, so a row
costs a few lookups and the rendering of its own text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from bot.documents.figures import ACCEPTED, DONE, NOT_APPLICABLE, REVIEW_STEP, Matrix
from bot.documents.report_log import ReportLog
from bot.documents.sheet_xml import (
    BLANK,
    LocalTime,
    Splice,
    column_name,
    date_cell,
    inline,
    serial_cell,
    shared_cell,
)
from bot.documents.xlsx_kit import (
    DATE_TIME_WIDTH,
    DATE_WIDTH,
    REVIEW_KEYS,
    STATUS_KEYS,
    Styles,
    fit,
)
from bot.texts.i18n import Translator
from bot.texts.text_split import shorten

COLUMNS = (
    "doc.col.organization",
    "doc.col.municipality",
    "doc.col.group",
    "doc.col.recommendation",
    "doc.col.rec_title",
    "doc.col.status",
    "doc.col.review",
    "doc.col.decided_by",
    "doc.col.decided_at",
    "doc.col.comment",
    "doc.col.reason",
    "doc.col.review_comment",
    "doc.col.deadline",
    "doc.col.deadline_before",
    "doc.col.overdue",
    "doc.col.submitted",
)
TITLE_LENGTH = 80
# How many rendered times and short comments are kept for reuse: memory stays bounded however varied.
MINUTES_KEPT = 65_536
# Comments up to this long are rendered once per distinct text (short ones repeat from report to report).
SHORT_TEXT = 40
# Excel's last row is 1,048,576; the header takes one.
MAX_ROWS = 1_048_575
# The longest text a cell keeps (Excel's limit); comments and reasons are far shorter in practice.
CELL_TEXT_LIMIT = 32_767


@dataclass(frozen=True)
class ReportSheet:
    """The laid-out sheet and what its body needs: the styles' indices exist only once the book is closed."""

    sheet: Worksheet
    matrix: Matrix
    log: ReportLog
    t: Translator
    today: dt.date
    tz: dt.tzinfo

    def words(self) -> list[str]:
        """The words that repeat from row to row, for the shared string table: a row then refers to
        them by number instead of repeating names and titles (a third of the XML, a third of the time)."""
        t, matrix = self.t, self.matrix
        words = [org.name for org in matrix.orgs]
        words += [org.municipality or t.plain("card.no_municipality") for org in matrix.orgs]
        words += [_group_label(matrix, rec.group_id) for rec in matrix.recs]
        words += [rec.number for rec in matrix.recs] + [
            shorten(rec.text, TITLE_LENGTH) for rec in matrix.recs
        ]
        words += [t.plain(key) for key in (*STATUS_KEYS.values(), *REVIEW_KEYS, "doc.overdue_yes")]
        words += [name for name in self.log.reviewers if name]
        return list(dict.fromkeys(words))


def reports_layout(
    book: Workbook, styles: Styles, matrix: Matrix, log: ReportLog, t: Translator
) -> Worksheet:
    """Header, widths fitted to the text, wrapped long text, frozen header and organization, a filter."""
    sheet = book.add_worksheet(t.plain("doc.sheet_reports"))
    headers = [t.plain(key) for key in COLUMNS]
    sheet.write_row(0, 0, headers, styles.header)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, min(len(log), MAX_ROWS), len(COLUMNS) - 1)
    orgs = [org.name for org in matrix.orgs]
    munis = {org.municipality or t.plain("card.no_municipality") for org in matrix.orgs}
    groups = [_group_label(matrix, rec.group_id) for rec in matrix.recs]
    titles = [shorten(rec.text, TITLE_LENGTH) for rec in matrix.recs]
    statuses = [t.plain(key) for key in STATUS_KEYS.values()]
    reviews = [t.plain(key) for key in REVIEW_KEYS]
    reviewers = {name for name in log.reviewers if name}
    widths = [
        (fit(orgs, headers[0], 50), None),
        (fit(munis, headers[1], 30), None),
        (fit(groups, headers[2], 30), styles.wrap),
        (fit([rec.number for rec in matrix.recs], headers[3]), None),
        (fit(titles, headers[4], 40), styles.wrap),
        (fit(statuses, headers[5]), None),
        (fit(reviews, headers[6]), None),
        (fit(reviewers, headers[7], 30), None),
        (max(DATE_TIME_WIDTH, fit([], headers[8])), styles.when),
        (fit(log.comments, headers[9], 60), styles.wrap),
        (fit((r for r in log.reasons if r), headers[10], 50), styles.wrap),
        (fit((r for r in log.review_comments if r), headers[11], 50), styles.wrap),
        (max(DATE_WIDTH, fit([], headers[12])), styles.date),
        (max(DATE_WIDTH, fit([], headers[13])), styles.date),
        (fit([t.plain("doc.overdue_yes")], headers[14]), None),
        (max(DATE_TIME_WIDTH, fit([], headers[15])), styles.when),
    ]
    for column, (width, style) in enumerate(widths):
        sheet.set_column(column, column, width, style)
    return sheet


def _group_label(matrix: Matrix, group_id: int) -> str:
    group = next(g for g in matrix.groups if g.group_id == group_id)  # a few groups: a scan is fine
    return f"{group.position}. {group.heading}"


class _Cells:
    """Cells rendered once and reused: per organization, per recommendation, per cell code, per minute."""

    def __init__(self, page: ReportSheet, styles: Styles, shared: dict[str, int]) -> None:
        t, matrix = page.t, page.matrix
        self.wrap, self.date, self.when = styles.wrap.xf_index, styles.date.xf_index, styles.when.xf_index
        self.shared = shared
        cell = self.word
        no_municipality = t.plain("card.no_municipality")
        self.orgs = [cell(o.name) + cell(o.municipality or no_municipality) for o in matrix.orgs]
        self.recs = [
            cell(_group_label(matrix, r.group_id), self.wrap)
            + cell(r.number)
            + cell(shorten(r.text, TITLE_LENGTH), self.wrap)
            for r in matrix.recs
        ]
        statuses = {code: cell(t.plain(key)) for code, key in STATUS_KEYS.items()}
        reviews = [cell(t.plain(key)) for key in REVIEW_KEYS]
        # By cell code: the status and review cells, and whether the work is finished.
        self.states = [BLANK] * 256
        self.finished = [False] * 256
        for status, word in statuses.items():
            for digit, review in enumerate(reviews):
                self.states[status + REVIEW_STEP * digit] = word + review
                self.finished[status + REVIEW_STEP * digit] = status in (DONE, NOT_APPLICABLE)
        self.overdue = cell(t.plain("doc.overdue_yes"))
        self.local = LocalTime(page.tz)
        self._minutes: dict[int, bytes] = {}
        self._short: dict[str, bytes] = {}

    def word(self, text: str, style: int | None = None) -> bytes:
        """A reference to a word of the shared string table."""
        return shared_cell(self.shared[text], style)

    def deadline(self, binding: dt.date | None, before: dt.date | None, late: bool) -> bytes:
        """The binding deadline, the common one it replaced (if an extension did), and «overdue»."""
        return (
            (date_cell(binding, self.date) if binding else BLANK)
            + (date_cell(before, self.date) if before else BLANK)
            + (self.overdue if late else BLANK)
        )

    def name(self, value: str | None) -> bytes:
        return self.word(value) if value else BLANK

    def moment(self, seconds: float) -> bytes:
        """A time to the minute (what the format shows): one rendering per minute, not per report."""
        if seconds != seconds:  # NaN: never happened
            return BLANK
        minute = round(seconds) // 60  # to the second first: the database's day fractions are not exact
        found = self._minutes.get(minute)
        if found is None:
            if len(self._minutes) >= MINUTES_KEPT:  # times spread over months: keep the memory bounded
                self._minutes.clear()
            found = self._minutes[minute] = serial_cell(self.local.serial(minute * 60.0), self.when)
        return found

    def text(self, value: str | None) -> bytes:
        if not value:
            return BLANK
        if len(value) > SHORT_TEXT:
            return inline(value[:CELL_TEXT_LIMIT], self.wrap)
        # Short comments repeat («Сделано», «Выполнено»): rendered once each.
        found = self._short.get(value)
        if found is None:
            if len(self._short) >= MINUTES_KEPT:
                self._short.clear()
            found = self._short[value] = inline(value, self.wrap)
        return found


def _deadlines(page: ReportSheet, cells: _Cells) -> tuple[list[tuple[bytes, bytes]], dict[int, dt.date]]:
    """Per column, the deadline cells of an organization without an extension (work open, work finished);
    and the extensions by place (row × width + column)."""
    common = [
        (cells.deadline(rec.deadline, None, late), cells.deadline(rec.deadline, None, False))
        for rec in page.matrix.recs
        for late in [rec.deadline is not None and rec.deadline < page.today]
    ]
    width = page.log.width
    row_of = {org.org_id: i for i, org in enumerate(page.matrix.orgs)}
    column_of = {rec.rec_id: j for j, rec in enumerate(page.matrix.recs)}
    own = {
        row_of[org_id] * width + column_of[rec_id]: day
        for (org_id, rec_id), day in page.matrix.own_deadlines.items()
        if org_id in row_of and rec_id in column_of
    }
    return common, own


def _rows(page: ReportSheet, cells: _Cells, order: list[int]) -> Iterator[bytes]:
    """Each row as one piece of XML: a handful of lookups and the rendering of its own words."""
    log, matrix, today = page.log, page.matrix, page.today
    common, own = _deadlines(page, cells)
    places, width, grid = log.places, log.width, matrix.rows
    states, finished_of, moment, text = cells.states, cells.finished, cells.moment, cells.text
    pending = BLANK * 2
    for number, k in enumerate(order, start=2):
        place = places[k]
        row, column = divmod(place, width)
        code = grid[row][column]
        finished = finished_of[code]
        extended = own.get(place) if own else None
        if extended is None:
            deadline = common[column][finished]
        else:
            late = not finished and extended < today
            deadline = cells.deadline(extended, matrix.recs[column].deadline, late)
        if code >= ACCEPTED:  # decided: who, when, and the note of a return
            decision = cells.name(log.reviewers[k]) + moment(log.reviewed_at[k])
            note = text(log.review_comments[k])
        else:
            decision, note = pending, BLANK
        yield b'<row r="%d">%b%b%b%b%b%b%b%b</row>' % (
            number,
            cells.orgs[row] + cells.recs[column],
            states[code],
            decision,
            text(log.comments[k]),
            text(log.reasons[k]),
            note,
            deadline,
            moment(log.submitted_at[k]),
        )


def reports_body(page: ReportSheet, styles: Styles, shared: dict[str, int]) -> Splice:
    """The rows; `shared` gives the shared string index of each of `page.words()`."""
    order = page.log.order()[:MAX_ROWS]
    rows = _rows(page, _Cells(page, styles, shared), order)
    return Splice(rows, f"A1:{column_name(len(COLUMNS) - 1)}{len(order) + 1}", ready=True)
