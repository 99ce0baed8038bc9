"""Turns `text` + `parse_mode` + `entities` into what Telegram stores: visible text and its entities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tg_emulator.entities import detect_auto_entities, sort_entities, utf16_len, validate_explicit_entities
from tg_emulator.errors import ApiError, bad_request
from tg_emulator.html_check import EntityParseError, parse_html


@dataclass(frozen=True)
class FormattedText:
    text: str
    entities: list[dict[str, Any]]
    source: str
    parse_mode: str | None

    @property
    def length(self) -> int:
        return utf16_len(self.text)

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


def normalize_parse_mode(parse_mode: str | None) -> str | None:
    if not parse_mode:
        return None
    canonical = {"html": "HTML"}.get(parse_mode.lower())
    if canonical is None:
        # Only HTML is emulated: it is the bot's one parse mode, and a bot that switched to Markdown
        # would pass here and meet parsing rules in production that nothing checked.
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return canonical


def format_text(source: str, parse_mode: str | None, explicit_entities: Any = None) -> FormattedText:
    """Parses like Telegram: explicit entities win over parse_mode; automatic entities are added."""
    if explicit_entities is not None:
        try:
            entities = validate_explicit_entities(explicit_entities, source)
        except ValueError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
        text, mode = source, None
    else:
        mode = normalize_parse_mode(parse_mode)
        text, entities = _parse(source, mode)
    entities = sort_entities(entities + detect_auto_entities(text, entities))
    return FormattedText(text=text, entities=entities, source=source, parse_mode=mode)


def _parse(source: str, mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    if mode is None:
        return source, []
    try:
        parsed = parse_html(source)
    except EntityParseError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
    return parsed.text, parsed.entities
