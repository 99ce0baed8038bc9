"""Parser for resolutions of the regional teachers' forum: plain text, Markdown and DOCX.

A resolution is a title (the heading lines at the top), an optional date and place, and groups of
recommendations, each introduced by an addressee heading («Департаменту …:», «1. Органам …:»,
«Рекомендовать …:»). Recommendations are list items (``-``, ``–``, ``—``, ``•``, ``*``, ``1.``, ``1)``,
``а)``, DOCX list paragraphs) or, in a group without any markers, plain paragraphs. An item broken
over several lines or paragraphs is joined back together. Recommendation texts are stored with
whitespace collapsed and without the closing ``;`` or ``.`` (a trailing abbreviation such as «т.д.»
keeps its dot), so items read the same whichever punctuation the source used.
"""

from __future__ import annotations

from ._category import suggest_category
from ._lines import SourceLine
from ._model import ParsedGroup, ParsedResolution, ResolutionParseError
from ._readers import MAX_INPUT_BYTES, read_lines
from ._structure import parse_lines

__all__ = [
    "MAX_INPUT_BYTES",
    "ParsedGroup",
    "ParsedResolution",
    "ResolutionParseError",
    "parse_resolution",
    "parse_resolution_text",
    "suggest_category",
]


def parse_resolution(data: bytes, filename: str) -> ParsedResolution:
    """Parse an uploaded file; the format comes from the extension, else from the content.

    Raises ResolutionParseError with a user-facing Russian message when the file cannot be read
    or holds no recommendation.
    """
    return parse_lines(read_lines(data, filename))


def parse_resolution_text(text: str) -> ParsedResolution:
    """Parse a resolution given as text, one source line per line."""
    return parse_lines([SourceLine(line) for line in text.splitlines()])
