"""The workbook's «Отчёты» sheet: every report behind the matrix, one row each, with what the matrix cannot
hold — the comment, the reason for «Не применимо», who decided on it and when, the deadline binding the
organization (an approved extension included) and the last submission.

Up to 600,000 rows: XlsxWriter lays out the header, widths and filter; the body is spliced in as ready
XML (see sheet_xml), from cells rendered once per organization, recommendation and cell code, so a row
costs a few lookups and the rendering of its own text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from bot.documents.figures import (
    ACCEPTED,
    DONE,
    NOT_ADDRESSED,
    NOT_APPLICABLE,
    REVIEW_STEP,
    Matrix,
    status_of,
)
from bot.documents.report_log import ReportLog
from bot.documents.sheet_xml import (
    BLANK,
    LocalTime,
    Splice,
    column_name,
    date_cell,
    inline,
    inline_cache,
    serial_cell,
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
    group = next(g for g in matrix.groups if g.group_id == group_id)
    return f"{group.position}. {group.heading}"


class _Cells:
    """Cells rendered once and reused: per organization, per recommendation, per cell code."""

    def __init__(self, page: ReportSheet, styles: Styles) -> None:
        t, matrix = page.t, page.matrix
        self.wrap, self.date, self.when = styles.wrap.xf_index, styles.date.xf_index, styles.when.xf_index
        municipality = inline_cache()
        no_municipality = t.plain("card.no_municipality")
        self.orgs = [inline(o.name) + municipality(o.municipality or no_municipality) for o in matrix.orgs]
        group_of = {g.group_id: g for g in matrix.groups}
        self.recs = [
            inline(f"{group_of[r.group_id].position}. {group_of[r.group_id].heading}", self.wrap)
            + inline(r.number)
            + inline(shorten(r.text, TITLE_LENGTH), self.wrap)
            for r in matrix.recs
        ]
        statuses = {code: inline(t.plain(key)) for code, key in STATUS_KEYS.items()}
        reviews = [inline(t.plain(key)) for key in REVIEW_KEYS]
        self.states = {
            status + REVIEW_STEP * digit: statuses[status] + review
            for status in statuses
            for digit, review in enumerate(reviews)
        }
        self.reviewer = inline_cache()  # a handful of officials decide on all the reports
        self.overdue = inline(t.plain("doc.overdue_yes"))
        self.local = LocalTime(page.tz)

    def deadline(self, binding: dt.date | None, before: dt.date | None, late: bool) -> bytes:
        """The binding deadline, the common one it replaced (if an extension did), and «overdue»."""
        return (
            (date_cell(binding, self.date) if binding else BLANK)
            + (date_cell(before, self.date) if before else BLANK)
            + (self.overdue if late else BLANK)
        )

    def name(self, value: str | None) -> bytes:
        return self.reviewer(value) if value else BLANK

    def moment(self, seconds: float) -> bytes:
        return BLANK if math.isnan(seconds) else serial_cell(self.local.serial(seconds), self.when)

    def text(self, value: str | None) -> bytes:
        return inline(value[:CELL_TEXT_LIMIT], self.wrap) if value else BLANK


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


def reports_body(page: ReportSheet, styles: Styles) -> Splice:
    cells = _Cells(page, styles)
    log, matrix = page.log, page.matrix
    common, own = _deadlines(page, cells)
    order = log.order()[:MAX_ROWS]

    def rows() -> Iterator[tuple[bytes, ...]]:
        for k in order:
            place = log.places[k]
            row, column = divmod(place, log.width)
            code = matrix.rows[row][column]
            finished = status_of(code) in (DONE, NOT_APPLICABLE)
            extended = own.get(place)
            if extended is None:
                deadline = common[column][finished]
            else:
                before = matrix.recs[column].deadline
                deadline = cells.deadline(extended, before, not finished and extended < page.today)
            decided = code >= ACCEPTED and code != NOT_ADDRESSED
            yield (
                cells.orgs[row],
                cells.recs[column],
                cells.states[code],
                cells.name(log.reviewers[k]) if decided else BLANK,
                cells.moment(log.reviewed_at[k]) if decided else BLANK,
                cells.text(log.comments[k]),
                cells.text(log.reasons[k]),
                cells.text(log.review_comments[k]) if decided else BLANK,
                deadline,
                cells.moment(log.submitted_at[k]),
            )

    return Splice(rows(), f"A1:{column_name(len(COLUMNS) - 1)}{len(order) + 1}")
