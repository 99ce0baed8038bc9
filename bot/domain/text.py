"""User text as the bot accepts it: printable, valid Unicode, bounded — the same for every database.

PostgreSQL refuses a NUL inside text and fails the whole transaction; a lone surrogate cannot be encoded
to UTF-8 at all; other control characters only confuse documents and logs. Newlines and tabs are kept:
people write lists.
"""

from __future__ import annotations

import re

# Telegram's own limits: whatever arrives longer did not come from a Telegram client.
MAX_MESSAGE_TEXT = 4096
MAX_CAPTION = 1024
MAX_FILE_NAME = 255

_REPLACEMENT = "\ufffd"
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# C0 and C1 controls and DEL, except tab and line feed; \r is turned into \n first.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n?")


def normalize_text(value: str, limit: int = MAX_MESSAGE_TEXT) -> str:
    """`value` without control characters or lone surrogates, at most `limit` characters long."""
    text = _LINE_BREAK.sub("\n", value)
    text = _LONE_SURROGATE.sub(_REPLACEMENT, text)
    text = _CONTROL.sub("", text)
    return text[:limit]


def normalize_file_name(value: str) -> str:
    """A file name is one line: line breaks and tabs go too, and path separators cannot smuggle a folder."""
    text = normalize_text(value, MAX_FILE_NAME * 4).replace("\n", " ").replace("\t", " ")
    text = text.replace("/", "_").replace("\\", "_").strip()
    return text[:MAX_FILE_NAME]
