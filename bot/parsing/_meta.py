"""Finding the date and the place of a resolution in its non-recommendation lines."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator

MONTHS_GENITIVE: tuple[str, ...] = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_MONTH_NUMBERS = {name: number for number, name in enumerate(MONTHS_GENITIVE, start=1)}

_WORD_DATE = re.compile(
    r"(?<!\d)[«\"“]?(\d{1,2})[»\"”]?\s+(" + "|".join(MONTHS_GENITIVE) + r")\s+(\d{4})(?:\s*(?:года|г\.?))?",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?!\d)(?:\s*(?:года|г\.?))?")

_CITY = r"([А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*)"
# «Место проведения: г. Смоленск» and a bare «г. Смоленск» both start the place line.
_PLACE_LINE = re.compile(r"^(?i:место\s+проведения\s*:?\s*)?(?:г\.|[Гг]ород)\s*" + _CITY + r"(?=$|[\s,.;)])")
_PLACE_ANYWHERE = re.compile(r"(?:^|(?<=[\s,(]))(?:г\.|[Гг]ород)\s*" + _CITY)
_PLACE_LOCATIVE = re.compile(r"\b[вВ]\s+(?:г\.|городе)\s*" + _CITY)

# Locative → nominative only where the ending is unambiguous: «в Иванове» may be «Иванов» or
# «Иваново», «в Москве» is «Москва», so such cities are left unnamed rather than named wrongly.
_LOCATIVE_ENDINGS: tuple[tuple[str, str], ...] = (
    ("ске", "ск"),
    ("цке", "цк"),
    ("бурге", "бург"),
    ("граде", "град"),
    ("городе", "город"),
)

# What may stand next to a date or a place on a line that carries nothing else.
_META_FILLER = re.compile(
    r"\b(?:дата|место|проведения|принят[аоы]?|года|год)\b|\bг\.|[\s,.;:()\-–—«»\"]+",
    re.IGNORECASE,
)


def _dates_in(text: str) -> Iterator[tuple[int, datetime.date]]:
    for match in _WORD_DATE.finditer(text):
        day, month, year = int(match[1]), _MONTH_NUMBERS[match[2].lower()], int(match[3])
        if (found := _safe_date(year, month, day)) is not None:
            yield match.start(), found
    for match in _NUMERIC_DATE.finditer(text):
        year = int(match[3])
        # Two-digit years in these documents are always this century.
        year = year + 2000 if year < 100 else year
        if (found := _safe_date(year, int(match[2]), int(match[1]))) is not None:
            yield match.start(), found


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def first_date(text: str) -> datetime.date | None:
    found = sorted(_dates_in(text), key=lambda item: item[0])
    return found[0][1] if found else None


def find_date(texts: Iterable[str]) -> datetime.date | None:
    for text in texts:
        if (found := first_date(text)) is not None:
            return found
    return None


def has_date(text: str) -> bool:
    return first_date(text) is not None


def is_meta_line(text: str) -> bool:
    """A line that carries only a date and/or a place («г. Смоленск, 24 августа 2021 г.»)."""
    if not has_date(text) and not _PLACE_LINE.match(text):
        return False
    rest = _WORD_DATE.sub(" ", text)
    rest = _NUMERIC_DATE.sub(" ", rest)
    rest = _PLACE_ANYWHERE.sub(" ", rest)
    return not _META_FILLER.sub("", rest)


def find_place(place_lines: Iterable[str], free_texts: Iterable[str]) -> str | None:
    """A «г. Смоленск» line wins; otherwise a simple «в г. Смоленске» in running text."""
    for text in place_lines:
        if match := _PLACE_LINE.match(text):
            return f"г. {match[1]}"
    for text in free_texts:
        for match in _PLACE_LOCATIVE.finditer(text):
            if (city := _nominative(match[1])) is not None:
                return f"г. {city}"
    return None


def _nominative(locative: str) -> str | None:
    for ending, replacement in _LOCATIVE_ENDINGS:
        if locative.endswith(ending):
            return locative[: -len(ending)] + replacement
    return None
