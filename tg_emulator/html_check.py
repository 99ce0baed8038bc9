"""Telegram's HTML subset: strict parsing into plain text plus entities, refusing what Telegram refuses.

Error wording follows the Bot API ("Unsupported start tag \"div\" at byte offset 12"); offsets are UTF-8
byte offsets into the source, entity offsets are UTF-16 code units into the visible text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tg_emulator.entities import sort_entities, utf16_len

# Tag name → entity type; tags that need attributes to decide are handled in `_entity_for`.
_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_ATTRIBUTE_TAGS = frozenset({"a", "span", "blockquote", "tg-emoji", "tg-time"})
SUPPORTED_TAGS = frozenset(_SIMPLE_TAGS) | _ATTRIBUTE_TAGS

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton", "mailto"})


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is the part after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    text: str
    entities: list[dict[str, Any]]


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    start: int  # UTF-16 offset in the visible text
    byte_offset: int
    inner_language: str | None = None
    children: int = 0  # tags opened directly inside; `<pre><code>` counts as one pre only if code is first


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def fail(self, message: str, index: int | None = None) -> EntityParseError:
        if index is None:
            return EntityParseError(message)
        return EntityParseError(f"{message} at byte offset {self.byte_offset(index)}")

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.out_len16 += utf16_len(chunk)

    def parse(self) -> ParsedText:
        source = self.source
        while self.pos < len(source):
            char = source[self.pos]
            if char == "<":
                if source.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            elif char == "&":
                decoded, self.pos = self.decode_entity(self.pos)
                self.emit(decoded)
            elif char == ">":
                raise self.fail('Character ">" is reserved and must be escaped as "&gt;"', self.pos)
            else:
                end = self.pos
                while end < len(source) and source[end] not in "<>&":
                    end += 1
                self.emit(source[self.pos : end])
                self.pos = end
        if self.stack:
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        return ParsedText(text="".join(self.out), entities=sort_entities(self.entities))

    def decode_entity(self, index: int) -> tuple[str, int]:
        match = _ENTITY_RE.match(self.source, index)
        if match is None:
            raise self.fail('Character "&" is reserved and must be escaped as "&amp;"', index)
        body = match.group(1)
        if body.startswith("#"):
            code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
            if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise self.fail(f'Invalid numeric HTML entity "{match.group(0)}"', index)
            return chr(code), match.end()
        if body not in _NAMED_ENTITIES:
            raise self.fail(f'Unsupported HTML entity "{match.group(0)}"', index)
        return _NAMED_ENTITIES[body], match.end()

    def read_name(self, index: int) -> tuple[str, int]:
        end = index
        while end < len(self.source) and self.source[end] in _NAME_CHARS:
            end += 1
        return self.source[index:end], end

    def skip_spaces(self, index: int) -> int:
        while index < len(self.source) and self.source[index].isspace():
            index += 1
        return index

    def start_tag(self) -> None:
        tag_start = self.pos
        raw_name, index = self.read_name(tag_start + 1)
        name = raw_name.lower()
        if name not in SUPPORTED_TAGS:
            raise self.fail(f'Unsupported start tag "{raw_name}"', tag_start)
        attributes: dict[str, str] = {}
        while True:
            index = self.skip_spaces(index)
            if index >= len(self.source):
                raise self.fail("Unclosed start tag", tag_start)
            if self.source[index] == ">":
                index += 1
                break
            if self.source[index] == "/":
                raise self.fail(f'Unsupported self-closing tag "{raw_name}"', tag_start)
            attribute, index = self.read_name(index)
            if not attribute:
                raise self.fail(f'Empty attribute name in the tag "{raw_name}"', tag_start)
            index = self.skip_spaces(index)
            value = ""
            if index < len(self.source) and self.source[index] == "=":
                value, index = self.read_attribute_value(self.skip_spaces(index + 1), raw_name, tag_start)
            attributes[attribute.lower()] = value
        self.check_start(name, attributes, tag_start)
        if self.stack:
            self.stack[-1].children += 1
        self.stack.append(_OpenTag(name, attributes, self.out_len16, self.byte_offset(tag_start)))
        self.pos = index

    def read_attribute_value(self, index: int, tag: str, tag_start: int) -> tuple[str, int]:
        if index >= len(self.source):
            raise self.fail("Unclosed start tag", tag_start)
        quote = self.source[index]
        if quote in "\"'":
            end = self.source.find(quote, index + 1)
            if end < 0:
                raise self.fail("Unclosed start tag", tag_start)
            raw_start, after = index + 1, end + 1
        else:
            end = index
            while end < len(self.source) and not self.source[end].isspace() and self.source[end] != ">":
                end += 1
            if end == index:
                raise self.fail(f'Empty attribute value in the tag "{tag}"', tag_start)
            raw_start, after = index, end
        return self.decode_attribute(raw_start, end), after

    def decode_attribute(self, start: int, end: int) -> str:
        parts: list[str] = []
        cursor = start
        while (amp := self.source.find("&", cursor, end)) >= 0:
            parts.append(self.source[cursor:amp])
            decoded, cursor = self.decode_entity(amp)
            parts.append(decoded)
        parts.append(self.source[cursor:end])
        return "".join(parts)

    def check_start(self, name: str, attributes: dict[str, str], tag_start: int) -> None:
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self.fail('Tag "span" must have class "tg-spoiler"', tag_start)
        if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise self.fail('Tag "tg-emoji" must have a numeric attribute "emoji-id"', tag_start)
        if name == "tg-time" and not re.fullmatch(r"-?\d+", attributes.get("unix", "")):
            raise self.fail('Tag "tg-time" must have an integer attribute "unix"', tag_start)

    def end_tag(self) -> None:
        tag_start = self.pos
        raw_name, index = self.read_name(tag_start + 2)
        index = self.skip_spaces(index)
        if index >= len(self.source) or self.source[index] != ">":
            raise self.fail("Unclosed end tag", tag_start)
        if not self.stack:
            raise self.fail("Unexpected end tag", tag_start)
        top = self.stack[-1]
        if raw_name.lower() != top.name:
            raise self.fail(
                f"Unmatched end tag at byte offset {self.byte_offset(tag_start)}, "
                f'expected "</{top.name}>", found "</{raw_name}>"'
            )
        self.stack.pop()
        self.pos = index + 1
        self.close(top)

    def close(self, tag: _OpenTag) -> None:
        length = self.out_len16 - tag.start
        parent = self.stack[-1] if self.stack else None
        language = tag.attributes.get("class", "")
        # <pre><code class="language-x">…</code></pre> is one `pre` entity with a language, not two.
        if tag.name == "code" and parent is not None and parent.name == "pre" and parent.children == 1:
            if language.startswith("language-") and len(language) > len("language-"):
                parent.inner_language = language.removeprefix("language-")
            return
        if length == 0:
            return
        entity = self._entity_for(tag)
        if entity is not None:
            entity.update(offset=tag.start, length=length)
            self.entities.append(entity)

    @staticmethod
    def _entity_for(tag: _OpenTag) -> dict[str, Any] | None:
        if tag.name in _SIMPLE_TAGS:
            entity: dict[str, Any] = {"type": _SIMPLE_TAGS[tag.name]}
            if tag.name == "pre" and tag.inner_language:
                entity["language"] = tag.inner_language
            return entity
        if tag.name == "span":
            return {"type": "spoiler"}
        if tag.name == "blockquote":
            return {"type": "expandable_blockquote" if "expandable" in tag.attributes else "blockquote"}
        if tag.name == "tg-emoji":
            return {"type": "custom_emoji", "custom_emoji_id": tag.attributes["emoji-id"]}
        if tag.name == "tg-time":
            entity = {"type": "date_time", "unix_time": int(tag.attributes["unix"])}
            if tag.attributes.get("format"):
                entity["date_time_format"] = tag.attributes["format"]
            return entity
        href = tag.attributes.get("href", "")
        # Telegram keeps the text but silently drops a link whose address it cannot use.
        return {"type": "text_link", "url": href} if is_valid_link(href) else None


def is_valid_link(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in _LINK_SCHEMES:
        return False
    return bool(parts.netloc) or parts.scheme.lower() in {"tg", "mailto"}


def parse_html(source: str) -> ParsedText:
    """Visible text and entities of `source`; raises EntityParseError where Telegram would refuse it."""
    return _HtmlParser(source).parse()
