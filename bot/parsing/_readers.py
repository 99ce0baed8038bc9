"""Bytes to lines: choosing the format, decoding text and walking a DOCX body."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from ._lines import SourceLine
from ._model import ResolutionParseError

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

MAX_INPUT_BYTES = 20 * 1024 * 1024  # the Telegram Bot API will not hand over bigger files anyway

TEXT_EXTENSIONS = frozenset({".txt", ".text", ".md", ".markdown"})
DOCX_EXTENSIONS = frozenset({".docx"})
_UNSUPPORTED_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".doc",
        ".rtf",
        ".odt",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".jpg",
        ".jpeg",
        ".png",
        ".zip",
        ".rar",
    }
)

_ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RTF_MAGIC = b"{\\rtf"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# Real text has next to no control characters; decoded binary junk is full of them.
_MAX_CONTROL_SHARE = 0.02
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")

_LIST_STYLE_PREFIXES = ("list", "маркированный список", "нумерованный список", "абзац списка", "список")
_HEADING_STYLE_PREFIXES = ("heading", "title", "subtitle", "заголовок", "название")


def _fail(key: str, /, **params: Any) -> ResolutionParseError:
    return ResolutionParseError(f"parse.{key}", **params)


def read_lines(data: bytes, filename: str) -> list[SourceLine]:
    if not data.strip():
        raise _fail("empty")
    if len(data) > MAX_INPUT_BYTES:
        raise _fail("too_big", limit_mb=MAX_INPUT_BYTES // (1024 * 1024))
    if _is_docx(data, PurePath(filename or "").suffix.lower()):
        return read_docx_lines(data)
    text = decode_text(data)
    if not text.strip():
        raise _fail("empty")
    return [SourceLine(line) for line in text.splitlines()]


def _is_docx(data: bytes, extension: str) -> bool:
    """True for DOCX, False for text; raises for formats that are recognisably something else."""
    if data.startswith(_PDF_MAGIC) or extension == ".pdf":
        raise _fail("pdf")
    if data.startswith(_OLE_MAGIC) or extension == ".doc":
        raise _fail("doc")
    if data.startswith(_RTF_MAGIC) or extension == ".rtf":
        raise _fail("rtf")
    if extension in DOCX_EXTENSIONS:
        return True
    if extension in TEXT_EXTENSIONS:
        return False
    if extension in _UNSUPPORTED_EXTENSIONS:
        raise _fail("format", extension=extension)
    # Unknown or missing extension: trust the content.
    return data.startswith(_ZIP_MAGIC)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1251 as saved by older Russian Windows."""
    text = _decode(data)
    if text is None or _looks_binary(text):
        raise _fail("not_text")
    return text


def _decode(data: bytes) -> str | None:
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    data = data.removeprefix(_UTF8_BOM)
    for encoding in ("utf-8", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS)
    return controls > len(text) * _MAX_CONTROL_SHARE


def read_docx_lines(data: bytes) -> list[SourceLine]:
    # python-docx (and lxml) load with the first Word file, not when the bot starts.
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        return list(_document_lines(document))
    except Exception as exc:  # python-docx surfaces zipfile, lxml, KeyError and ValueError failures alike
        raise _fail("broken_docx") from exc


def _document_lines(document: Document) -> Iterator[SourceLine]:
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            yield from _table_lines(block)
        else:
            yield from _paragraph_lines(block)


def _table_lines(table: Table) -> Iterator[SourceLine]:
    from docx.table import Table

    # The XML elements themselves, not their id(): lxml proxies die and their ids get reused.
    seen: set[object] = set()
    for row in table.rows:
        cells = row.cells
        for position, cell in enumerate(cells):
            # Merged cells come back once per grid column they span.
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            # Row numbers («1», «2.») carry nothing and would pass for recommendations.
            if not any(char.isalpha() for char in cell.text):
                continue
            is_row_label = position == 0 and len(cells) > 1
            for block in cell.iter_inner_content():
                if isinstance(block, Table):
                    yield from _table_lines(block)
                else:
                    yield from _paragraph_lines(block, in_table=True, is_row_label=is_row_label)
            # Cells are separate blocks: keep their texts from running together.
            yield SourceLine("")


def _paragraph_lines(
    paragraph: Paragraph, *, in_table: bool = False, is_row_label: bool = False
) -> Iterator[SourceLine]:
    style_name = _style_name(paragraph)
    is_heading = style_name.startswith(_HEADING_STYLE_PREFIXES)
    is_list = not is_heading and (style_name.startswith(_LIST_STYLE_PREFIXES) or _has_numbering(paragraph))
    strong = is_heading or _is_bold(paragraph)
    # Soft line breaks inside a paragraph come as "\n"; only the first line carries the list mark.
    for position, text in enumerate(paragraph.text.split("\n")):
        yield SourceLine(
            text,
            is_list_item=is_list and position == 0,
            is_emphasized=strong,
            in_table=in_table,
            is_row_label=is_row_label,
        )
    yield SourceLine("")


def _style_name(paragraph: Paragraph) -> str:
    style = paragraph.style
    return (style.name or "").lower() if style is not None else ""


def _has_numbering(paragraph: Paragraph) -> bool:
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None:
        num_id = p_pr.numPr.numId
        # numId 0 is Word's way of switching inherited numbering off.
        return num_id is None or num_id.val != 0
    style = paragraph.style
    while style is not None:
        style_p_pr = style.element.pPr
        if style_p_pr is not None and style_p_pr.numPr is not None:
            return True
        style = style.base_style
    return False


def _is_bold(paragraph: Paragraph) -> bool:
    runs = [run for run in paragraph.runs if run.text.strip()]
    if not runs:
        return False
    style = paragraph.style
    style_bold = bool(style is not None and style.font.bold)
    return all(run.bold or (run.bold is None and style_bold) for run in runs)
