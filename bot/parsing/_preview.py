"""A plain-text preview of a parsed resolution, for the CLI and for a confirmation message."""

from __future__ import annotations

from ._category import category_label
from ._meta import format_date_ru
from ._model import ParsedGroup, ParsedResolution


def render_preview(parsed: ParsedResolution) -> str:
    lines = [
        f"Резолюция: {parsed.title}",
        f"Дата: {format_date_ru(parsed.date) if parsed.date else 'не указана'}",
        f"Место: {parsed.place or 'не указано'}",
        f"Адресатов: {len(parsed.groups)}, рекомендаций всего: {parsed.recommendation_count}",
    ]
    for number, group in enumerate(parsed.groups, start=1):
        lines.append("")
        lines.extend(_render_group(number, group))
    return "\n".join(lines)


def _render_group(number: int, group: ParsedGroup) -> list[str]:
    lines = [
        f"{number}. {group.heading}",
        f"   Вид: {category_label(group.category)}",
    ]
    lines.extend(f"   {index}) {text}" for index, text in enumerate(group.recommendations, start=1))
    return lines
