"""The workbook's «Переносы сроков» sheet: every request to move a deadline (approved, denied, pending) the
way an official keeps them — whose, for which recommendation, the deadline in force and the one asked
for, why, who asked and when, the decision, who made it and when, and its comment. A history of several
requests per item reads best as rows of its own, next to «Сроки организаций» (what is in force now).

Requests are few (an organization asks now and then), so the rows are written directly, not spliced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from bot.documents.extension_log import ExtensionEntry
from bot.documents.figures import Matrix
from bot.documents.xlsx_kit import DATE_TIME_WIDTH, DATE_WIDTH, Styles, fit
from bot.domain import ExtensionState
from bot.texts.i18n import Translator

COLUMNS = (
    "doc.col.organization",
    "doc.col.municipality",
    "doc.col.recommendation",
    "doc.col.ext_before",
    "doc.col.ext_asked",
    "doc.col.ext_reason",
    "doc.col.ext_requested_by",
    "doc.col.ext_requested_at",
    "doc.col.ext_state",
    "doc.col.ext_decided_by",
    "doc.col.ext_decided_at",
    "doc.col.ext_comment",
)
STATE_KEYS = {state.value: f"doc.ext_state.{state.value}" for state in ExtensionState}
# Column positions of the dates (date cells) and the moments (date-and-time cells on the TIMEZONE clock).
DATES = (3, 4)
MOMENTS = (7, 10)
# Reasons and comments (positions) wrap at this width rather than stretch the sheet.
WRAPPED = (5, 11)
TEXT_WIDTH = 50


def wall_clock(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A stored (UTC) moment as the time on the wall clock of `tz`: a cell has no time zone of its own."""
    return moment.astimezone(tz).replace(tzinfo=None)


def _values(entry: ExtensionEntry, matrix: Matrix, t: Translator, tz: dt.tzinfo) -> list[object]:
    """One request as the row's cells, in COLUMNS' order; None leaves a cell empty."""
    org, rec, request = matrix.orgs[entry.row], matrix.recs[entry.column], entry.request
    key = STATE_KEYS.get(request.state)
    return [
        org.name,
        org.municipality or t.plain("card.no_municipality"),
        rec.number,
        entry.before,
        request.new_deadline,
        request.reason,
        request.requested_by,
        wall_clock(request.requested_at, tz),
        t.plain(key) if key else request.state,
        request.decided_by,
        wall_clock(request.decided_at, tz) if request.decided_at else None,
        request.decision_comment,
    ]


def extensions_sheet(
    book: Workbook,
    styles: Styles,
    matrix: Matrix,
    entries: Sequence[ExtensionEntry],
    t: Translator,
    tz: dt.tzinfo,
) -> None:
    """Header, widths fitted to the text, frozen header and organization, a filter; then the rows."""
    sheet = book.add_worksheet(t.plain("doc.sheet_extensions"))
    header = [t.plain(key) for key in COLUMNS]
    rows = [_values(entry, matrix, t, tz) for entry in entries]
    sheet.write_row(0, 0, header, styles.header)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, len(rows), len(COLUMNS) - 1)
    _widths(sheet, header, rows, styles)
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            _write(sheet, number, column, value, styles)


def _widths(sheet: Worksheet, header: list[str], rows: list[list[object]], styles: Styles) -> None:
    """Each column as wide as its longest text (names, reasons and comments capped: they wrap), dates as
    wide as a date; the format of the column is its cells' too."""
    for column, title in enumerate(header):
        if column in DATES:
            width, style = max(DATE_WIDTH, fit([], title)), styles.date
        elif column in MOMENTS:
            width, style = max(DATE_TIME_WIDTH, fit([], title)), styles.when
        else:
            texts = [str(row[column]) for row in rows if row[column] is not None]
            wrapped = column in WRAPPED
            width, style = fit(texts, title, TEXT_WIDTH), styles.wrap if wrapped else None
        sheet.set_column(column, column, width, style)


def _write(sheet: Worksheet, row: int, column: int, value: object, styles: Styles) -> None:
    """A date as a date cell, a moment as a date-and-time cell, text always as text (never a formula)."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        sheet.write_datetime(row, column, value, styles.when)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, column, value, styles.date)
    elif column in WRAPPED:
        sheet.write_string(row, column, str(value), styles.wrap)
    else:
        sheet.write_string(row, column, str(value))
