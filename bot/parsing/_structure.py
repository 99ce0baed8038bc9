"""The core: from tokens to title, addressee groups and their recommendations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain import OrgKind

from ._category import suggest_category
from ._lines import Kind, SourceLine, Token, tokenize
from ._meta import find_date, find_place, has_date, is_meta_line
from ._model import ParsedGroup, ParsedResolution, ResolutionParseError

DEFAULT_TITLE = "Резолюция"
# Items that come before any addressee heading still need a group to live in.
GENERAL_HEADING = "Общие рекомендации"

_MAX_HEADING_LENGTH = 250
_MAX_TITLE_LINE_LENGTH = 200
# A title is a few lines; a document of short unpunctuated lines must not vanish into one.
_MAX_TITLE_LINES = 8
_CLOSING_PUNCTUATION = (";", ".", "!", "?")

_FINITE_RECOMMEND = re.compile(
    r"\b(?:рекоменду(?:ет|ют|ем|ется|ются)|предлага(?:ет|ют|ем)|счита(?:ет|ют|ем)|"
    r"постановил[аио]?|решил[аио]?|отмеча(?:ет|ют|ем)|обраща(?:ет|ют)ся|просим|просит|просят|"
    r"призыва(?:ет|ют|ем))\b",
    re.IGNORECASE,
)
_RECOMMEND_LEAD = re.compile(
    r"^(?:рекомендовать|предложить|поручить|просить|обратиться\s+к)\b", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"([А-Яа-яЁёA-Za-z]+)[.!?]\s+[«\"“(]?[А-ЯЁA-Z]")
_ABBREVIATIONS = frozenset({"обл", "им", "ул", "гор", "пос", "стр", "см", "ст", "тел", "руб", "млн", "тыс"})
_INFINITIVE_ENDINGS = ("ть", "ться", "ти", "тись", "чь", "чься")
# Dative endings: headings address someone («Родителям», «Средствам массовой информации»).
_DATIVE_ENDINGS = ("у", "ю", "ам", "ям", "ому", "ему", "ой", "ей", "и", "ым", "им")
_NOT_ADDRESSEES = frozenset(
    {"рекомендации", "предложения", "итоги", "выводы", "решения", "приложении", "кроме", "также", "при"}
)
# Abbreviations that keep their dot when an item's closing punctuation is stripped.
_DOTTED_ENDING = re.compile(r"(?:^|[\s(])(?:т\.\s?д|т\.\s?п|т\.\s?е|др|пр|г|гг)\.$")


@dataclass
class _Group:
    heading: str
    # Each item is the list of its source lines, joined once the item is complete.
    items: list[list[str]] = field(default_factory=list)
    # Plain lines after a closed bulleted item: items only if more bullets follow, else stray text.
    pending: list[list[str]] = field(default_factory=list)
    bulleted: bool | None = None
    # Marker of the last item if it ended with a colon: differently marked items are its sub-points.
    parent_marker: str | None = None

    def add_marked(self, text: str, marker: str) -> None:
        if self.parent_marker not in (None, marker) and not self.pending:
            # «1. обеспечить:» + «а) …; б) …» is one recommendation, kept whole.
            self.items[-1].append(text)
            return
        self.items.extend(self.pending)
        self.pending.clear()
        self.items.append([text])
        self.parent_marker = marker if text.endswith(":") else None
        if self.bulleted is None:
            self.bulleted = True

    def open_item(self) -> list[str] | None:
        """The item a continuation line would extend, if it has not been closed by punctuation."""
        last = self.pending[-1] if self.pending else (self.items[-1] if self.items else None)
        if last is None or last[-1].endswith(_CLOSING_PUNCTUATION):
            return None
        return last

    def add_paragraph(self, text: str) -> None:
        if self.bulleted:
            self.pending.append([text])
            return
        self.bulleted = False
        self.items.append([text])

    def close(self) -> list[str]:
        stray = [" ".join(lines) for lines in self.pending]
        self.pending.clear()
        return stray


@dataclass
class _Body:
    groups: list[_Group] = field(default_factory=list)
    # Lines before the first group: preamble, date and place.
    header: list[str] = field(default_factory=list)
    # Lines between or after groups that are not recommendations.
    stray: list[str] = field(default_factory=list)

    @property
    def current(self) -> _Group | None:
        return self.groups[-1] if self.groups else None

    def start_group(self, heading: str) -> _Group:
        if self.current is not None:
            self.stray.extend(self.current.close())
        group = _Group(heading)
        self.groups.append(group)
        return group


def parse_lines(lines: Sequence[SourceLine]) -> ParsedResolution:
    tokens = [tokenize(line) for line in lines]
    title_lines, title_meta, start = _read_title(tokens)
    body = _read_body(tokens, start)
    groups = tuple(group for group in map(_finish_group, body.groups) if group.recommendations)
    if not groups:
        raise ResolutionParseError("parse.no_recommendations")
    context = [*title_meta, *body.header, *title_lines, *body.stray]
    return ParsedResolution(
        title=_join_title(title_lines),
        date=find_date(context),
        place=find_place(
            place_lines=[line for line in context if is_meta_line(line)],
            free_texts=context,
        ),
        groups=groups,
    )


def _next_content(tokens: Sequence[Token], index: int) -> Token | None:
    following = (tokens[position] for position in range(index + 1, len(tokens)))
    return next((token for token in following if not token.is_blank), None)


def _read_title(tokens: Sequence[Token]) -> tuple[list[str], list[str], int]:
    """The heading lines at the top; date/place lines met before any of them are set aside."""
    title: list[str] = []
    meta: list[str] = []
    for index, token in enumerate(tokens):
        if token.is_blank:
            continue
        if token.kind is Kind.PLAIN and is_meta_line(token.text):
            # «г. Смоленск» under the title ends it; above the title it is only set aside.
            if title:
                return title, meta, index
            meta.append(token.text)
            continue
        if len(title) >= _MAX_TITLE_LINES and not _quote_open(" ".join(title)):
            return title, meta, index
        if not _is_title_line(token, _next_content(tokens, index), _quote_open(" ".join(title))):
            return title, meta, index
        title.append(token.text)
    return title, meta, len(tokens)


def _is_title_line(token: Token, following: Token | None, quote_open: bool) -> bool:
    if (
        token.kind is not Kind.PLAIN
        or token.in_table
        or has_date(token.text)
        or _is_sentence_like(token.text)
    ):
        return False
    # Inside «…» a colon belongs to the forum's motto, not to an addressee.
    if quote_open:
        return True
    return _heading_text(token, following, in_title=True) is None


def _is_sentence_like(text: str) -> bool:
    return (
        len(text) > _MAX_TITLE_LINE_LENGTH
        or text.endswith(".")
        or _has_sentence_break(text)
        or _FINITE_RECOMMEND.search(text) is not None
    )


def _read_body(tokens: Sequence[Token], start: int) -> _Body:
    body = _Body()
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token.is_blank:
            continue
        heading = _heading_text(token, _next_content(tokens, index), in_title=False)
        if heading is not None:
            body.start_group(heading)
        elif token.is_item:
            group = body.current or body.start_group(GENERAL_HEADING)
            group.add_marked(token.text, token.marker)
        else:
            _add_plain(body, token.text)
    if body.current is not None:
        body.stray.extend(body.current.close())
    return body


def _add_plain(body: _Body, text: str) -> None:
    group = body.current
    if group is not None and (open_item := group.open_item()) is not None:
        # A line that does not start an item and follows an unfinished one continues it,
        # even across a blank line (an item split into two paragraphs in the source).
        open_item.append(text)
    elif group is None:
        body.header.append(text)
    elif is_meta_line(text):
        body.stray.append(text)
    else:
        group.add_paragraph(text)


def _heading_text(token: Token, following: Token | None, *, in_title: bool) -> str | None:
    """The addressee heading this line states, without its colon, or None if it is not one."""
    text = token.text
    if token.kind is Kind.BULLET or not text[:1].isupper():
        return None
    body = text.rstrip(":").rstrip()
    if not body:
        return None
    next_is_item = following is not None and following.is_item
    if text.endswith(":") or token.is_row_label:
        if _quote_open(body) or not _names_addressee(body):
            return None
        # At the top a colon-ending line may be a title's «…на тему:»; only items after it prove otherwise.
        if in_title and suggest_category(body) is OrgKind.OTHER and not next_is_item:
            return None
        return body
    # Without a colon only a visually marked line that names a known body and opens a list is a heading.
    if (
        token.strong
        and next_is_item
        and suggest_category(body) is not OrgKind.OTHER
        and _names_addressee(body)
    ):
        return body
    return None


def _names_addressee(body: str) -> bool:
    if len(body) > _MAX_HEADING_LENGTH or _has_sentence_break(body):
        return False
    if verb := _FINITE_RECOMMEND.search(body):
        # «Участники Форума рекомендуют:» introduces the groups; «Форум рекомендует школам:» is one.
        return suggest_category(body[verb.end() :]) is not OrgKind.OTHER
    if lead := _RECOMMEND_LEAD.match(body):
        return bool(body[lead.end() :].strip(" ,.:;—–-"))
    first_word = re.split(r"[\s,;:«\"(]+", body, maxsplit=1)[0].lower()
    if first_word.endswith(_INFINITIVE_ENDINGS):
        return False
    if suggest_category(body) is not OrgKind.OTHER:
        return True
    return first_word not in _NOT_ADDRESSEES and (first_word.endswith(_DATIVE_ENDINGS) or _is_acronym(body))


def _is_acronym(body: str) -> bool:
    word = body.split()[0]
    return word.isupper() and 2 <= len(word) <= 6


def _has_sentence_break(text: str) -> bool:
    return any(
        len(match[1]) >= 3 and match[1].lower() not in _ABBREVIATIONS
        for match in _SENTENCE_END.finditer(text)
    )


def _quote_open(text: str) -> bool:
    if text.count("«") > text.count("»"):
        return True
    # Russian inner quotes are „…“, where “ closes; in English “…” it opens.
    if low_quotes := text.count("„"):
        return low_quotes > text.count("“") + text.count("”")
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _join_title(lines: Sequence[str]) -> str:
    title = " ".join(" ".join(lines).split()).rstrip(":").strip()
    return title or DEFAULT_TITLE


def _finish_group(group: _Group) -> ParsedGroup:
    texts = (_finish_item(lines) for lines in group.items)
    return ParsedGroup(
        heading=group.heading,
        category=suggest_category(group.heading),
        recommendations=tuple(text for text in texts if text),
    )


def _finish_item(lines: Sequence[str]) -> str:
    """Join an item's lines and drop its closing «;»/«.»: items are stored without end punctuation."""
    text = lines[0]
    for line in lines[1:]:
        # A line ending in a hyphen was wrapped inside a compound word («финансово-» / «экономические»).
        joiner = "" if re.search(r"\w-$", text) else " "
        text = f"{text}{joiner}{line}"
    text = " ".join(text.split()).rstrip(" ;,")
    if _DOTTED_ENDING.search(text):
        return text
    return text.rstrip(" ;.,")
