"""The working calendar: the admin's file of a year's transfers, and the calendar the scheduler keeps to.

The file is forgiving: CSV, TXT or XLSX, one date a line with a word after it, in any of these forms —

    2027-01-08;выходной        08.01.2027 выходной        06.11.2027, рабочий

Dates as ГГГГ-ММ-ДД or ДД.ММ.ГГГГ; words «выходной» (or «нерабочий», «праздничный», «off») and
«рабочий» (or «work»); a header line, blank lines, lines starting with «#» and anything after the word
(a note) are passed over. One bad row and nothing is saved: the answer names every bad row. A file
replaces the earlier upload for each year it mentions.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from bot.config import Settings
from bot.domain.errors import DomainError
from bot.domain.workcalendar import DayKind, WorkCalendar, official_days
from bot.services.org_table import MAX_FILE_BYTES, decode_table_text
from storage.repositories import Repositories

MAX_ROWS = 1000
FIRST_YEAR, LAST_YEAR = 2000, 2100
WORDS: dict[str, DayKind] = {
    "выходной": DayKind.OFF,
    "выходной день": DayKind.OFF,
    "нерабочий": DayKind.OFF,
    "нерабочий день": DayKind.OFF,
    "праздничный": DayKind.OFF,
    "праздник": DayKind.OFF,
    "off": DayKind.OFF,
    "рабочий": DayKind.WORK,
    "рабочий день": DayKind.WORK,
    "рабочая суббота": DayKind.WORK,
    "work": DayKind.WORK,
    "working": DayKind.WORK,
}
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y")
_SPLIT = re.compile(r"[;,\t|]")
_DATE_LIKE = re.compile(r"\d[.\-/]\d")


@dataclass(frozen=True)
class BadRow:
    row: int
    value: str
    reason: str  # a catalog key: calendar.row_*


class CalendarFileError(DomainError):
    """Rows the file cannot be taken with; nothing was saved."""

    def __init__(self, rows: list[BadRow]) -> None:
        super().__init__("calendar.bad_rows", count=len(rows))
        self.rows = tuple(rows)


@dataclass(frozen=True)
class Uploaded:
    years: tuple[int, ...]
    days_off: int
    working_days: int


@dataclass(frozen=True)
class CalendarOverview:
    """A year as /calendar shows it: the law's holidays, the weekend days worked, the admin's own."""

    year: int
    holidays: list[tuple[dt.date, str]]
    worked_weekends: list[dt.date]
    own: list[tuple[dt.date, DayKind]] = field(default_factory=list)


def parse_date(value: str) -> dt.date | None:
    # A spreadsheet's date may come with a time: «2027-01-08 00:00:00».
    text = value.strip().split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day if FIRST_YEAR <= day.year <= LAST_YEAR else None
    return None


def parse_word(value: str) -> DayKind | None:
    """«выходной», «Рабочий день», «рабочий — за 5 ноября»: the word, or the word and a note after it."""
    words = value.casefold().replace("ё", "е").replace("«", " ").replace("»", " ").split()
    for size in (len(words), 2, 1):
        kind = WORDS.get(" ".join(words[:size]).strip(" .,:\"'"))
        if kind is not None:
            return kind
    return None


def _is_title(cells: list[str]) -> bool:
    """A header or a title above the dates: nothing in its first cell looks like a date."""
    return _DATE_LIKE.search(cells[0]) is None and parse_word(cells[0]) is None


def file_lines(data: bytes) -> list[tuple[int, list[str]]]:
    """(line number, cells) of a CSV/TXT or of an XLSX's first sheet."""
    if not data:
        raise DomainError("import.empty_file")
    if len(data) > MAX_FILE_BYTES:
        raise DomainError("import.file_too_big", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    if data.startswith(b"PK\x03\x04"):
        return _sheet_lines(data)
    try:
        text = decode_table_text(data)
    except DomainError as error:
        raise DomainError("calendar.not_text") from error
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = _SPLIT.split(line) if _SPLIT.search(line) else line.split(maxsplit=1)
        lines.append((number, [c.strip().strip('"').strip() for c in cells]))
    return lines


def _sheet_lines(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; each means the same here
        raise DomainError("calendar.not_text") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        rows = sheet.iter_rows(values_only=True) if sheet is not None else iter(())
        return [(n, [_cell(v) for v in values]) for n, values in enumerate(rows, start=1)]
    finally:
        workbook.close()


def _cell(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def parse_transfers(data: bytes) -> list[tuple[dt.date, DayKind]]:
    """Every (date, kind) of the file, or CalendarFileError naming each bad row."""
    days: dict[dt.date, tuple[int, DayKind]] = {}
    bad: list[BadRow] = []
    for number, cells in file_lines(data):
        cells = [c for c in cells if c]
        if not cells or cells[0].startswith("#"):
            continue
        day = parse_date(cells[0])
        if day is None and not days and not bad and _is_title(cells):
            continue  # a title or a header above the dates: «дата;день»
        verdict = _row_verdict(number, cells, day, days)
        if isinstance(verdict, BadRow):
            bad.append(verdict)
        elif day is not None:
            days[day] = (number, verdict)
    if len(days) + len(bad) > MAX_ROWS:
        raise DomainError("calendar.too_many_rows", limit=MAX_ROWS)
    if bad:
        raise CalendarFileError(bad)
    if not days:
        raise DomainError("calendar.no_rows")
    return sorted((day, kind) for day, (_, kind) in days.items())


def _row_verdict(
    number: int, cells: list[str], day: dt.date | None, seen: dict[dt.date, tuple[int, DayKind]]
) -> DayKind | BadRow:
    if day is None:
        return BadRow(number, cells[0], "calendar.row_bad_date")
    if len(cells) < 2:
        return BadRow(number, cells[0], "calendar.row_no_word")
    kind = parse_word(cells[1])
    if kind is None:
        return BadRow(number, cells[1], "calendar.row_bad_word")
    if day in seen and seen[day][1] is not kind:
        return BadRow(number, cells[0], "calendar.row_contradicts")
    return kind


def work_calendar(settings: Settings, transfers: list[tuple[dt.date, DayKind]]) -> WorkCalendar:
    return WorkCalendar.of(settings.tz, settings.work_day_start, settings.work_day_end, transfers)


async def load_calendar(repo: Repositories, settings: Settings) -> WorkCalendar:
    """The calendar in force: the library's production calendar with the admin's uploaded transfers."""
    return work_calendar(settings, await repo.calendar.transfers())


class CalendarService:
    def __init__(self, repo: Repositories, settings: Settings) -> None:
        self.repo = repo
        self.settings = settings

    async def overview(self, year: int, language: str = "ru") -> CalendarOverview:
        holidays, worked = official_days(year, "en_US" if language == "en" else "ru")
        own = [(day, kind) for day, kind in await self.repo.calendar.transfers() if day.year == year]
        return CalendarOverview(year, holidays, worked, own)

    async def upload(self, data: bytes, by: int | None, now: dt.datetime) -> Uploaded:
        """Reads the whole file first: one bad row and nothing is saved."""
        days = parse_transfers(data)
        years = tuple(sorted({day.year for day, _ in days}))
        await self.repo.calendar.replace_years(years, days, by, now)
        off = sum(1 for _, kind in days if kind is DayKind.OFF)
        return Uploaded(years, off, len(days) - off)
