"""`python -m bot parse FILE [--json]`: kept free of aiogram and the database so it starts at once."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.cli.files import read_input
from bot.domain.errors import DomainError
from bot.parsing import ParsedGroup, ParsedResolution, ResolutionParseError, parse_resolution
from bot.texts.i18n import Translator, translator


def parse_document(path: Path, *, as_json: bool) -> int:
    """Exit 2 with a clear message for a file that cannot be read or holds no recommendation."""
    try:
        data = read_input(path)
    except DomainError as err:
        print(translator().plain(err.key, **err.params), file=sys.stderr)
        return 2
    try:
        parsed = parse_resolution(data, path.name)
    except ResolutionParseError as exc:
        print(translator().plain(exc.key, **exc.params), file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(parsed.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_preview(parsed, translator()))
    return 0


def render_preview(parsed: ParsedResolution, t: Translator) -> str:
    """What the parser found, as plain text an admin checks before importing."""
    lines = [
        t.plain("preview.title", title=parsed.title),
        t.plain("preview.date", date=f"{parsed.date:%d.%m.%Y}")
        if parsed.date
        else t.plain("preview.no_date"),
        t.plain("preview.place", place=parsed.place) if parsed.place else t.plain("preview.no_place"),
        t.plain("preview.counts", groups=len(parsed.groups), recs=parsed.recommendation_count),
    ]
    for number, group in enumerate(parsed.groups, start=1):
        lines.extend(("", *_group_lines(number, group, t)))
    return "\n".join(lines)


def _group_lines(number: int, group: ParsedGroup, t: Translator) -> list[str]:
    lines = [f"{number}. {group.heading}", t.plain("preview.kind", kind=t.plain(f"kind.{group.category}"))]
    lines.extend(f"   {index}) {text}" for index, text in enumerate(group.recommendations, start=1))
    return lines
