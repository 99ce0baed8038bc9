"""Split long HTML answers at line boundaries so no tag is cut and every part fits Telegram's limit."""

from __future__ import annotations

from collections.abc import Iterable

TELEGRAM_TEXT_LIMIT = 4096
# Raw HTML is longer than the text Telegram counts, so measuring raw length keeps a safe margin.
SAFE_LIMIT = 3800


def split_lines(lines: Iterable[str], limit: int = SAFE_LIMIT) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if len(line) > limit:
            line = line[: limit - 1] + "…"
        if current and size + len(line) + 1 > limit:
            parts.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        parts.append("\n".join(current))
    return parts


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
