"""`python -m bot parse FILE [--json]`: kept free of aiogram and the database so it starts at once."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.cli.files import read_input
from bot.domain.errors import DomainError
from bot.parsing import ResolutionParseError, parse_resolution, render_preview
from bot.texts.i18n import translator


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
        print(exc, file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(parsed.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_preview(parsed))
    return 0
