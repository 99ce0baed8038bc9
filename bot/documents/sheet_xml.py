"""Splicing ready-made SpreadsheetML rows into a finished XLSX package.

A library call per cell costs microseconds; 600,000 cells cost seconds. Here each possible matrix cell
is rendered once and a row is `b"".join` of a lookup per byte, so the body is built at C speed.
Status words go into the shared string table once, so a cell is a 20-byte index, not the word again.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape

SHARED_STRINGS = "xl/sharedStrings.xml"
# Characters XML 1.0 forbids; user-supplied names must not break the workbook.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SST_OPEN = re.compile(rb"<sst\b[^>]*>")
_UNIQUE_COUNT = re.compile(rb'uniqueCount="(\d+)"')
_COUNT = re.compile(rb'\scount="\d+"')
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
BLANK = b"<c/>"
UNIX_EPOCH_SERIAL = 25569  # 1970-01-01 in Excel's day count
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial day 0 (Excel's 1900 leap-year bug included)
# Rows joined and compressed at a time: the big bodies never sit in memory whole.
CHUNK_ROWS = 4096


@dataclass(frozen=True)
class Splice:
    """Body rows (each a sequence of ready cell XML, starting at column A, sheet row 2) for one sheet."""

    rows: Iterable[Iterable[bytes]]
    dimension: str
    # The rows are ready `<row r="…">…</row>` XML, one bytes each (numbered from 2 by their maker).
    ready: bool = False


def inline(text: str, style: int | None = None) -> bytes:
    """A text cell; `style` is a format's index in styles.xml (wrapping, for long text)."""
    if not text.isprintable():  # a C-speed check; the regex runs only on the rare text that needs it
        text = _INVALID_XML.sub("", text)
    styled = "" if style is None else f' s="{style}"'
    return f'<c{styled} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'.encode()


def inline_cache() -> Callable[[str], bytes]:
    """`inline` remembering what it rendered, for values that repeat from row to row."""
    rendered: dict[str, bytes] = {}

    def cell(text: str) -> bytes:
        found = rendered.get(text)
        if found is None:
            found = rendered[text] = inline(text)
        return found

    return cell


def number(value: int | float) -> bytes:
    return b"<c><v>%s</v></c>" % str(value).encode()


class LocalTime:
    """Moments (seconds since the Unix epoch) as Excel serial days on the wall clock of one time zone.

    The zone's offset is looked up once per quarter of an hour of UTC (every offset change happens on such
    a boundary), not once per cell: half a million timestamps cost a dict lookup each.
    """

    BUCKET = 900

    def __init__(self, tz: dt.tzinfo) -> None:
        self.tz = tz
        self._offsets: dict[int, float] = {}

    def serial(self, seconds: float) -> float:
        bucket = int(seconds // self.BUCKET)
        offset = self._offsets.get(bucket)
        if offset is None:
            moment = dt.datetime.fromtimestamp(bucket * self.BUCKET, self.tz)
            offset = self._offsets[bucket] = (moment.utcoffset() or dt.timedelta()).total_seconds()
        return (seconds + offset) / 86400 + UNIX_EPOCH_SERIAL


def timestamp(value: dt.datetime, style: int, local: LocalTime) -> bytes:
    """A real date-and-time cell (sortable, filterable) on the local wall clock; `style` is a date
    format's index in styles.xml."""
    return serial_cell(local.serial(value.timestamp()), style)


def serial_cell(days: float, style: int) -> bytes:
    return b'<c s="%d"><v>%.10f</v></c>' % (style, days)


def date_cell(day: dt.date, style: int) -> bytes:
    return b'<c s="%d"><v>%d</v></c>' % (style, (day - EXCEL_EPOCH).days)


def shared_cell(index: int, style: int | None = None) -> bytes:
    """A reference to entry `index` of the shared string table."""
    if style is None:
        return b'<c t="s"><v>%d</v></c>' % index
    return b'<c s="%d" t="s"><v>%d</v></c>' % (style, index)


def status_cells(shared_index: Mapping[int, int], blank: int, style: int) -> list[bytes]:
    """XML for every byte value a matrix cell can hold: a shared string reference, or an empty cell."""
    cells = [BLANK] * 256
    for code, index in shared_index.items():
        cells[code] = b'<c s="%d" t="s"><v>%d</v></c>' % (style, index)
    cells[blank] = BLANK
    return cells


def column_name(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _rows_xml(body: Splice) -> Iterator[bytes]:
    """The rows' XML in chunks of about CHUNK_ROWS rows."""
    if body.ready:
        rows = iter(body.rows)
        while chunk := b"".join(islice(rows, CHUNK_ROWS)):  # type: ignore[arg-type]
            yield chunk
        return
    parts: list[bytes] = []
    for number_, cells in enumerate(body.rows, start=2):
        parts.append(b'<row r="%d">' % number_)
        parts.extend(cells)
        parts.append(b"</row>")
        if len(parts) >= CHUNK_ROWS * 3:
            yield b"".join(parts)
            parts.clear()
    yield b"".join(parts)


def _add_shared_strings(sst: bytes, words: list[str]) -> tuple[bytes, list[int]]:
    opening = _SST_OPEN.search(sst)
    if opening is None:
        raise ValueError("no <sst> element in the shared string table")
    found = _UNIQUE_COUNT.search(opening.group())
    first = int(found.group(1)) if found else sst.count(b"<si>")
    # `count` (references) is optional and would no longer be exact: drop it, keep `uniqueCount` right.
    head = _COUNT.sub(b"", opening.group())
    head = _UNIQUE_COUNT.sub(b'uniqueCount="%d"' % (first + len(words)), head)
    items = b"".join(
        b'<si><t xml:space="preserve">%s</t></si>' % escape(_INVALID_XML.sub("", word)).encode()
        for word in words
    )
    body = sst[opening.end() :].replace(b"</sst>", items + b"</sst>", 1)
    return sst[: opening.start()] + head + body, list(range(first, first + len(words)))


def _write_body(target: zipfile.ZipFile, name: str, sheet: bytes, body: Splice) -> None:
    """The sheet with its body, written into the package as it is made, a chunk of rows at a time."""
    sheet = _DIMENSION.sub(f'<dimension ref="{body.dimension}"/>'.encode(), sheet, count=1)
    if b"</sheetData>" in sheet:
        head, tail = sheet.split(b"</sheetData>", 1)
    else:
        head, tail = sheet.split(b"<sheetData/>", 1)
        head += b"<sheetData>"
    # The big bodies are highly repetitive: the fastest level compresses them nearly as well.
    with target.open(name, "w") as member:
        member.write(head)
        for chunk in _rows_xml(body):
            member.write(chunk)
        member.write(b"</sheetData>" + tail)


def splice(package: bytes, words: list[str], bodies: Callable[[list[int]], Mapping[str, Splice]]) -> bytes:
    """Add `words` to the shared strings, then the bodies `bodies(their indices)` returns, per sheet file."""
    source = zipfile.ZipFile(io.BytesIO(package))
    sst, indices = _add_shared_strings(source.read(SHARED_STRINGS), words)
    by_sheet = bodies(indices)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            data = sst if info.filename == SHARED_STRINGS else source.read(info.filename)
            body = by_sheet.get(info.filename)
            if body is not None:
                _write_body(target, info.filename, data, body)
            else:
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return output.getvalue()
