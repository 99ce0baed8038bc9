"""Resolution titles as people write them: sentence case, «…„…“…» quotes, and a short form for messages.

Titles come from documents typed in capitals («РЕЗОЛЮЦИЯ ФОРУМА …»), wrapped in extra quotes or with
straight ones. Every title read here starts with the word «Резолюция», so message templates never add
it themselves and never print «Резолюция «РЕЗОЛЮЦИЯ …»».
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

RESOLUTION = "Резолюция"
_SHORT_THEME = 60

# Abbreviations of Russian education bodies: they stay in capitals when a shouted title is lowered.
ABBREVIATIONS = frozenset(
    (  # noqa: SIM905 - a list of words reads best as words
        "РФ СССР ДО ДПО ДОД ДОО ДОУ ОО ОУ СПО НОО ООО СОО ФГОС ФГБОУ ГАУ ГБУ ГБОУ ГКУ ГОУ ГАОУ МБУ МАУ МКУ "
        "МБОУ МАОУ МКОУ МБУДО МАУДО МКУДО МОУ ЦДО ДДТ ДЮСШ ДШИ ЦМИТ ИРО СОИРО СОПРО РИРО ЦНППМ ЦОС ГИА ОГЭ "
        "ЕГЭ ВПР СМИ ИТ IT НКО АНО"
    ).split()
)
# A capitalised place adjective is recognisable by the noun after it: «Смоленской области».
_PLACE_NOUNS = re.compile(r"^(област|кра[яейюм]|район|республик|округ|федераци|город|губерни)", re.IGNORECASE)
_PLACE_ADJECTIVE = re.compile(r"(ск|цк)(ой|ого|ая|ий|ие|их|ом|ую|ое|ому|им)$", re.IGNORECASE)
# The event a resolution comes from, in the genitive: «Резолюция форума …», «… августовского совещания».
_EVENTS = re.compile(
    r"^(форума|совещания|конференции|съезда|педсовета|совета|семинара|заседания|коллегии|собрания|"
    r"слёта|слета|стола|чтений|фестиваля|марафона|сессии)$",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"^[IVXLC]+$")
_CITY = re.compile(r"\b(г\.\s*|города\s+|город\s+)([а-яё])")
_WORD = re.compile(r"[A-Za-zА-Яа-яЁё]+(?:-[A-Za-zА-Яа-яЁё]+)*")
# A year names the event only on its own: «до 2030 года» or «на 2024–2025 годы» is a target, not a date.
_YEAR = re.compile(r"(?<!до )(?<!на )(?<!к )(?<![–-])\b(?:19|20)\d\d\b(?!\s*[–-])", re.IGNORECASE)
_OPENING = "«„"
_CLOSING = "»”"
_QUOTES = '«»„“”"'


def normalize_title(raw: str) -> str:
    """One title as an editor would print it; applying it twice changes nothing."""
    title = " ".join(raw.split()).strip(" :;.,")
    title = _nest_quotes(title)
    title = _unwrap(title)
    title = _sentence_case(title)
    if not title.casefold().startswith(RESOLUTION.casefold()):
        return _nest_quotes(f"{RESOLUTION} «{title}»") if title else RESOLUTION
    return _nest_quotes(RESOLUTION + title[len(RESOLUTION) :])


def short_title(title: str, adopted_on: dt.date | None = None) -> str:
    """«Резолюция форума от 24.08.2021»: enough to tell resolutions apart without the long title."""
    full = normalize_title(title)
    rest = full[len(RESOLUTION) :].strip()
    event = _event(rest)
    if adopted_on is not None:
        when = f"от {adopted_on:%d.%m.%Y}"
    else:
        year = _YEAR.search(rest)
        when = f"{year.group(0)} г." if year else ""
    if event or when:
        return " ".join(part for part in (RESOLUTION, event, when) if part)
    theme = _theme(rest)
    return _nest_quotes(f"{RESOLUTION} «{_shorten(theme)}»") if theme else RESOLUTION


def _nest_quotes(text: str) -> str:
    """Outer quotes «», inner „“, whatever the source used; unbalanced ones are closed at the end."""
    out: list[str] = []
    depth = 0
    for index, char in enumerate(text):
        if char not in _QUOTES:
            out.append(char)
            continue
        if _opens(text, index, depth):
            out.append("«" if depth == 0 else "„")
            depth += 1
        elif depth:
            depth -= 1
            out.append("»" if depth == 0 else "“")
    out.extend("“" if level else "»" for level in reversed(range(depth)))
    return "".join(out)


def _opens(text: str, index: int, depth: int) -> bool:
    char = text[index]
    if char in _OPENING:
        return True
    if char in _CLOSING:
        return False
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    # A straight or English quote opens after a space or another opening quote and before a word.
    opens_here = (before.isspace() or before in "([" or before in _OPENING) and not after.isspace()
    return opens_here or depth == 0


def _unwrap(title: str) -> str:
    """«Резолюция «РЕЗОЛЮЦИЯ …»» and «…» around the whole title lose the extra layer."""
    while title.startswith("«") and title.endswith("»") and _closing_of(title, 0) == len(title) - 1:
        title = title[1:-1].strip()
    match = re.match(r"резолюция\s*[«„]", title, re.IGNORECASE)
    if match and title[match.end() :].casefold().startswith(RESOLUTION.casefold()):
        inner_start = match.end() - 1
        end = _closing_of(title, inner_start)
        if end is not None:
            title = (title[inner_start + 1 : end] + title[end + 1 :]).strip()
    return _nest_quotes(title)


def _closing_of(text: str, start: int) -> int | None:
    depth = 0
    for index in range(start, len(text)):
        if text[index] in "«„":
            depth += 1
        elif text[index] in "»“":
            depth -= 1
            if depth == 0:
                return index
    return None


def _segments(title: str) -> list[tuple[str, bool]]:
    """The title cut at quotes: (text, inside quotes) pairs, quote marks kept with the outer text."""
    parts: list[tuple[str, bool]] = []
    depth, current = 0, ""
    for char in title:
        if char in "«„":
            parts.append((current, depth > 0))
            depth, current = depth + 1, char
            parts.append((current, False))
            current = ""
        elif char in "»“":
            parts.append((current, depth > 0))
            depth, current = max(depth - 1, 0), ""
            parts.append((char, False))
        else:
            current += char
    parts.append((current, depth > 0))
    return [(text, quoted) for text, quoted in parts if text]


def _sentence_case(title: str) -> str:
    pieces = _segments(title)
    outer = " ".join(text for text, quoted in pieces if not quoted)
    # The leading «РЕЗОЛЮЦИЯ» alone does not make a title shouted: «РЕЗОЛЮЦИЯ форума …» keeps the rest.
    outer_shouted = _shouted(re.sub(r"^\W*резолюция", "", outer, flags=re.IGNORECASE))
    result: list[str] = []
    start_of_quote = False
    for text, quoted in pieces:
        shouted = _shouted(text) if quoted else outer_shouted
        capitalise = not result or (start_of_quote and shouted)
        result.append(_lower_words(text, shouted, capitalise_first=capitalise))
        start_of_quote = text[-1:] in "«„"
    return _capitalise_places("".join(result))


def _shouted(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.7


def _lower_words(text: str, shouted: bool, *, capitalise_first: bool) -> str:
    first = True

    def replace(match: re.Match[str]) -> str:
        nonlocal first
        word, is_first = match.group(0), first
        first = False
        lowered = _lowered(word, text[match.end() :], shouted)
        if is_first and capitalise_first:
            return lowered[:1].upper() + lowered[1:]
        return lowered

    return _WORD.sub(replace, text)


def _lowered(word: str, after: str, shouted: bool) -> str:
    if not word.isupper():
        return word
    if word.casefold() == RESOLUTION.casefold():
        return word.lower()
    if not shouted or _ROMAN.match(word):
        return word
    if "-" in word:
        return "-".join(_lowered(part, after, shouted) for part in word.split("-"))
    if word == "ДО" and re.match(r"\s*\d", after):
        return "до"
    vowels = re.search(r"[АЕЁИОУЫЭЮЯAEIOUY]", word)
    if word in ABBREVIATIONS or (len(word) > 1 and not vowels):
        return word
    return word.lower()


def _capitalise_places(title: str) -> str:
    """«смоленской области» → «Смоленской области», «российской федерации» → «Российской Федерации»."""
    words = list(_WORD.finditer(title))
    chars = list(title)
    for word, following in itertools.pairwise(words):
        if _PLACE_ADJECTIVE.search(word.group(0)) and _PLACE_NOUNS.match(following.group(0)):
            chars[word.start()] = chars[word.start()].upper()
            if following.group(0).casefold().startswith("федераци"):
                chars[following.start()] = chars[following.start()].upper()
    return _CITY.sub(lambda m: m.group(1) + m.group(2).upper(), "".join(chars))


def _event(rest: str) -> str:
    """«форума», «августовского совещания»: the first few words up to the event, outside quotes."""
    outer = rest.split("«", 1)[0]
    words = outer.split()[:4]
    for index, word in enumerate(words):
        if _EVENTS.match(word.strip(",.:;")):
            return " ".join(words[: index + 1]).strip(",.:;")
    return ""


def _theme(rest: str) -> str:
    match = re.search(r"«(.+)»", rest)
    theme = match.group(1) if match else rest
    return theme.strip()


def _shorten(text: str) -> str:
    if len(text) <= _SHORT_THEME:
        return text
    cut = text[: _SHORT_THEME - 1].rsplit(" ", 1)[0].rstrip(" ,:;—-")
    return cut + "…"
