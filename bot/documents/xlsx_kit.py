"""What every sheet of the digest workbook shares: its cell formats, column widths fitted to the text,
the status and review words, and where XlsxWriter puts a sheet inside the package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from bot.documents.figures import DONE, IN_PROGRESS, NO_ANSWER, NOT_APPLICABLE, NOT_STARTED

# Catalog keys of the words a person reads in the workbook; the status words are those of the dialogs.
STATUS_KEYS = {
    DONE: "status.done",
    IN_PROGRESS: "status.in_progress",
    NOT_STARTED: "status.not_started",
    NOT_APPLICABLE: "status.not_applicable",
    NO_ANSWER: "doc.no_answer",
}
# By a cell's review digit (figures.REVIEW_STEP): awaiting review, accepted, returned.
REVIEW_KEYS = ("review.state.pending", "review.state.accepted", "review.state.returned")
# Dates the way a Russian reader writes them (ДД.ММ.ГГГГ), as real date cells.
DATE_FORMAT = "dd.mm.yyyy"
DATE_TIME_FORMAT = "dd.mm.yyyy hh:mm"
PERCENT_FORMAT = "0%"
# Column widths in characters: wide enough for the longest text, never wider than the cap (long text
# wraps instead), never narrower than the floor.
WIDTH_CAP = 60
WIDTH_FLOOR = 6
DATE_WIDTH = 12
DATE_TIME_WIDTH = 17


@dataclass(frozen=True)
class Styles:
    """The workbook's formats. Spliced cells refer to them by index (`xf_index`), which XlsxWriter gives a
    format once a column or cell uses it: every format a spliced body uses is also a column's format."""

    header: Format
    wrap: Format
    percent: Format
    date: Format
    when: Format

    @classmethod
    def of(cls, book: Workbook) -> Styles:
        return cls(
            header=book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"}),
            wrap=book.add_format({"text_wrap": True, "valign": "top"}),
            percent=book.add_format({"num_format": PERCENT_FORMAT}),
            date=book.add_format({"num_format": DATE_FORMAT}),
            when=book.add_format({"num_format": DATE_TIME_FORMAT}),
        )


def fit(values: Iterable[str], header: str = "", cap: int = WIDTH_CAP) -> int:
    """A column's width: its longest value, or the header's longest word (headers wrap), capped."""
    longest = max(map(len, values), default=0)
    word = max(map(len, header.split()), default=0)
    return min(cap, max(WIDTH_FLOOR, longest + 2, word + 2))


def fraction(part: int, whole: int) -> float:
    """A share for a percentage cell: 0.45 shows as 45 %."""
    return part / whole if whole else 0.0


def zone_name(tz: dt.tzinfo) -> str:
    return str(getattr(tz, "key", None) or tz)


def sheet_file(sheet: Worksheet) -> str:
    """The package part XlsxWriter writes this worksheet to (the workbook has no chart sheets)."""
    return f"xl/worksheets/sheet{sheet.index + 1}.xml"
