"""Message entities: UTF-16 lengths, entities Telegram detects on its own, and explicit `entities` lists."""

from __future__ import annotations

import re
from typing import Any

# Types a client may pass in `entities`/`caption_entities`; anything else makes Telegram refuse the list.
KNOWN_ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)

# Entities that only style text; automatic entities may live inside them, not inside the others.
_STYLE_TYPES = frozenset(
    {"bold", "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote"}
)

_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("url", re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)


def utf16_len(text: str) -> int:
    """Length the way Telegram measures it: characters outside the BMP count twice."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _overlaps(start: int, end: int, entity: dict[str, Any]) -> bool:
    return bool(start < entity["offset"] + entity["length"] and entity["offset"] < end)


def detect_auto_entities(text: str, existing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Commands, links, mentions and hashtags Telegram marks by itself, skipping code and links."""
    blocking = [entity for entity in existing or [] if entity["type"] not in _STYLE_TYPES]
    found: list[dict[str, Any]] = []
    for entity_type, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            offset = utf16_len(text[: match.start()])
            length = utf16_len(match.group(0))
            if any(_overlaps(offset, offset + length, other) for other in blocking + found):
                continue
            found.append({"type": entity_type, "offset": offset, "length": length})
    return found


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram's order: by offset, an enclosing entity before the ones it contains."""
    return sorted(entities, key=lambda entity: (entity["offset"], -entity["length"]))


def validate_explicit_entities(raw: Any, text: str) -> list[dict[str, Any]]:
    """Checks a client-supplied `entities` list; returns it with entities outside the text dropped."""
    if not isinstance(raw, list):
        raise ValueError("entities must be an array")
    total = utf16_len(text)
    result: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in KNOWN_ENTITY_TYPES:
            raise ValueError("entity type is unsupported")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 0:
            raise ValueError("entity offset and length must be non-negative integers")
        # Telegram quietly drops entities that fall outside the text rather than refusing the message.
        if length == 0 or offset + length > total:
            continue
        result.append(dict(item))
    return sort_entities(result)
