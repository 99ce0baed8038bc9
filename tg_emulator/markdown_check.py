"""Telegram's MarkdownV2: visible text plus entities, refusing unescaped reserved characters like Telegram.

Covers what bots use: bold, italic, underline, strikethrough, spoiler, inline links, custom emoji and
time links, inline code, pre blocks with a language, and (expandable) block quotations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tg_emulator.entities import sort_entities, utf16_len
from tg_emulator.html_check import EntityParseError, ParsedText, is_valid_link

RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_TOGGLES: tuple[tuple[str, str], ...] = (
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
)
_LANGUAGE_RE = re.compile(r"[A-Za-z0-9_+#.-]+")


@dataclass
class _Open:
    kind: str
    start: int
    index: int
    is_emoji: bool = False


class _MarkdownParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []
        self.quote: _Open | None = None
        self.line_handled_at = -1

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def unclosed(self, index: int) -> EntityParseError:
        return EntityParseError(
            f"Can't find end of the entity starting at byte offset {self.byte_offset(index)}"
        )

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.out_len16 += utf16_len(chunk)

    def add(self, entity: dict[str, Any], start: int) -> None:
        if self.out_len16 > start:
            entity.update(offset=start, length=self.out_len16 - start)
            self.entities.append(entity)

    def escaped(self, index: int) -> str | None:
        if (
            self.source[index] == "\\"
            and index + 1 < len(self.source)
            and 0 < ord(self.source[index + 1]) < 127
        ):
            return self.source[index + 1]
        return None

    def parse(self) -> ParsedText:
        while self.pos < len(self.source):
            if self.at_line_start():
                self.line_start()
                continue
            char = self.source[self.pos]
            if (literal := self.escaped(self.pos)) is not None:
                self.emit(literal)
                self.pos += 2
            elif char == "\n":
                self.line_end()
            elif char == "`":
                self.code()
            elif not self.markup(char):
                if char in RESERVED:
                    raise EntityParseError(
                        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
                    )
                self.emit(char)
                self.pos += 1
        self.close_quote()
        if self.stack:
            raise self.unclosed(self.stack[-1].index)
        return ParsedText(text="".join(self.out), entities=sort_entities(self.entities))

    def at_line_start(self) -> bool:
        at_start = self.pos == 0 or self.source[self.pos - 1] == "\n"
        return at_start and self.line_handled_at != self.pos

    def line_start(self) -> None:
        self.line_handled_at = self.pos
        if self.source.startswith("**>", self.pos) and self.quote is None:
            self.quote = _Open("expandable_blockquote", self.out_len16, self.pos)
            self.pos += 3
        elif self.source.startswith(">", self.pos):
            if self.quote is None:
                self.quote = _Open("blockquote", self.out_len16, self.pos)
            self.pos += 1
        else:
            self.close_quote()

    def line_end(self) -> None:
        next_is_quote = self.source.startswith(">", self.pos + 1)
        if self.quote is not None and not next_is_quote:
            self.close_quote()
        self.emit("\n")
        self.pos += 1

    def close_quote(self) -> None:
        if self.quote is None:
            return
        quote, self.quote = self.quote, None
        self.add({"type": quote.kind}, quote.start)

    def markup(self, char: str) -> bool:
        source = self.source
        if char == "!" and source.startswith("![", self.pos):
            self.stack.append(_Open("link", self.out_len16, self.pos, is_emoji=True))
            self.pos += 2
            return True
        if char == "[":
            self.stack.append(_Open("link", self.out_len16, self.pos))
            self.pos += 1
            return True
        if char == "]" and self.stack and self.stack[-1].kind == "link":
            self.link(self.stack.pop())
            return True
        if char == "|" and self.quote is not None and self.quote.kind == "expandable_blockquote":
            # A closing "||" at the end of an expandable quotation only marks where it ends.
            end_of_line = source.find("\n", self.pos)
            end_of_line = len(source) if end_of_line < 0 else end_of_line
            spoiler_open = any(item.kind == "spoiler" for item in self.stack)
            if source[self.pos : end_of_line] == "||" and not spoiler_open:
                self.pos = end_of_line
                return True
        for token, kind in _TOGGLES:
            if source.startswith(token, self.pos):
                self.toggle(kind)
                self.pos += len(token)
                return True
        return False

    def toggle(self, kind: str) -> None:
        if self.stack and self.stack[-1].kind == kind:
            opened = self.stack.pop()
            self.add({"type": kind}, opened.start)
        elif any(item.kind == kind for item in self.stack):
            inner = self.stack[-1]
            raise self.unclosed(inner.index)
        else:
            self.stack.append(_Open(kind, self.out_len16, self.pos))

    def link(self, opened: _Open) -> None:
        self.pos += 1
        if not self.source.startswith("(", self.pos):
            if opened.is_emoji:
                raise EntityParseError(
                    f"Custom emoji entity must contain a URL at byte offset {opened.index}"
                )
            return
        url_start = self.pos + 1
        parts: list[str] = []
        index = url_start
        while index < len(self.source) and self.source[index] != ")":
            if (literal := self.escaped(index)) is not None:
                parts.append(literal)
                index += 2
            else:
                parts.append(self.source[index])
                index += 1
        if index >= len(self.source):
            raise EntityParseError(f"Can't find end of a URL at byte offset {self.byte_offset(url_start)}")
        self.pos = index + 1
        url = "".join(parts)
        entity = _emoji_entity(url) if opened.is_emoji else _link_entity(url)
        if opened.is_emoji and entity is None:
            raise EntityParseError(f"Invalid custom emoji URL specified at byte offset {opened.index}")
        if entity is not None:
            self.add(entity, opened.start)

    def code(self) -> None:
        is_pre = self.source.startswith("```", self.pos)
        opener = self.pos
        self.pos += 3 if is_pre else 1
        start = self.out_len16
        language: str | None = None
        if is_pre:
            line_end = self.source.find("\n", self.pos)
            first_line = self.source[self.pos : line_end] if line_end >= 0 else ""
            if _LANGUAGE_RE.fullmatch(first_line):
                language, self.pos = first_line, line_end + 1
        closer = "```" if is_pre else "`"
        while not self.source.startswith(closer, self.pos):
            if self.pos >= len(self.source):
                raise self.unclosed(opener)
            if (literal := self.escaped(self.pos)) is not None:
                self.emit(literal)
                self.pos += 2
            else:
                self.emit(self.source[self.pos])
                self.pos += 1
        self.pos += len(closer)
        entity: dict[str, Any] = {"type": "pre" if is_pre else "code"}
        if language:
            entity["language"] = language
        self.add(entity, start)


def _link_entity(url: str) -> dict[str, Any] | None:
    return {"type": "text_link", "url": url} if is_valid_link(url) else None


def _emoji_entity(url: str) -> dict[str, Any] | None:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    if parts.scheme == "tg" and parts.netloc == "emoji" and query.get("id", "").isdigit():
        return {"type": "custom_emoji", "custom_emoji_id": query["id"]}
    if parts.scheme == "tg" and parts.netloc == "time" and re.fullmatch(r"-?\d+", query.get("unix", "")):
        entity: dict[str, Any] = {"type": "date_time", "unix_time": int(query["unix"])}
        if query.get("format"):
            entity["date_time_format"] = query["format"]
        return entity
    return None


def parse_markdown_v2(source: str) -> ParsedText:
    """Visible text and entities of `source`; raises EntityParseError where Telegram would refuse it."""
    return _MarkdownParser(source).parse()
