"""Reading an organization table as people actually save it: Excel's CSV, UTF-16, cp1251, a title row.

What the file is decides, not its name: a table renamed .csv or a Word document sent as a list gets the
answer that fits it. Every refusal is a DomainError with the Russian column headers in its parameters.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from pathlib import PurePath

from bot.domain.errors import DomainError
from bot.domain.text import normalize_text

MAX_FILE_BYTES = 5 * 1024 * 1024
# A title, a date or a blank line may stand above the header; past this many rows it is not a header.
HEADER_SEARCH_ROWS = 10
DELIMITERS = (";", ",", "\t", "|")
REQUIRED = ("name", "kind")

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "название", "наименование", "организация", "название организации"),
    "kind": ("kind", "тип", "вид", "вид органа", "категория", "тип организации"),
    "municipality": ("municipality", "муниципалитет", "муниципальное образование", "район"),
}
# The header each column is called by in messages, whatever the file's header said.
COLUMN_TITLES = {"name": "название", "kind": "тип", "municipality": "муниципалитет"}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\xd0\xcf\x11\xe0", "XLS/DOC"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"{\\rtf", "RTF"),
)
_ZIP_KINDS: tuple[tuple[str, str], ...] = (
    ("word/", "DOCX"),
    ("ppt/", "PPTX"),
    ("content.xml", "ODF"),
)

Table = list[tuple[int, list[str]]]


def read_table(data: bytes, filename: str = "") -> tuple[Table, dict[str, int]]:
    """The rows after the header (row number in the file, cells) and where each known column is.

    A CSV renamed .xlsx is read all the same; text without a header under that name is a broken XLSX.
    """
    if not data:
        raise DomainError("import.empty_file")
    if len(data) > MAX_FILE_BYTES:
        raise DomainError("import.file_too_big", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise DomainError("import.not_a_table", kind=kind)
    if data.startswith(b"PK\x03\x04"):
        return _with_header([_xlsx_rows(data)])
    said_xlsx = PurePath(filename).suffix.lower() == ".xlsx"
    try:
        text = decode_table_text(data)
        return _with_header([_csv_rows(text, d) for d in _delimiters_by_likelihood(text)])
    except DomainError as error:
        if said_xlsx and error.key in ("import.not_text", "import.header_not_found", "import.bad_encoding"):
            raise DomainError("import.bad_xlsx") from error
        raise


def decode_table_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM or plainly interleaved with NULs, else cp1251."""
    text = _decode(data)
    # Anything still holding control characters other than line breaks and tabs is not a text table.
    controls = sum(1 for c in text[:4096] if c < " " and c not in "\r\n\t")
    if controls:
        raise DomainError("import.not_text")
    return text


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    elif data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    elif b"\x00" in data[:4096]:
        # UTF-16 without a BOM: Latin and Cyrillic text has a NUL in every other byte.
        even_nuls = data[0:4096:2].count(0)
        encodings = ("utf-16-be",) if even_nuls > data[1:4096:2].count(0) else ("utf-16-le",)
    else:
        encodings = ("utf-8", "cp1251")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("import.bad_encoding")


def _delimiters_by_likelihood(text: str) -> list[str]:
    """Every delimiter is tried (the header decides); the one most common in the first lines first."""
    head = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    return sorted(DELIMITERS, key=lambda d: -head.count(d))


def _csv_rows(text: str, delimiter: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    rows: Table = []
    try:
        start = 1
        for cells in reader:
            rows.append((start, [_cell(c) for c in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DomainError("import.bad_csv", row=start) from exc
    return rows


def _xlsx_rows(data: bytes) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DomainError("import.bad_xlsx") from exc
    if "xl/workbook.xml" not in names:
        kind = next((k for prefix, k in _ZIP_KINDS if any(n.startswith(prefix) for n in names)), "ZIP")
        raise DomainError("import.not_a_table", kind=kind)
    return _sheet_rows(data)


def _sheet_rows(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; each means the same here
        raise DomainError("import.bad_xlsx") from exc
    try:
        if not workbook.worksheets:
            raise DomainError("import.header_not_found", columns=_titles(REQUIRED), rows=HEADER_SEARCH_ROWS)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        return [(number, [_xlsx_cell(v) for v in values]) for number, values in enumerate(rows, start=1)]
    finally:
        workbook.close()


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _cell(str(value))


def _cell(value: str) -> str:
    return normalize_text(value).strip()


def _with_header(candidates: Iterable[Table]) -> tuple[Table, dict[str, int]]:
    """The first candidate reading with a header row among its first rows; else say what is missing."""
    best: set[str] = set()
    for table in candidates:
        for position, (_, cells) in enumerate(table[:HEADER_SEARCH_ROWS]):
            columns = map_header(cells)
            if all(c in columns for c in REQUIRED):
                return table[position + 1 :], columns
            if len(columns) > len(best):
                best = set(columns)
    missing = [c for c in REQUIRED if c not in best]
    if best:
        raise DomainError("import.missing_columns", columns=_titles(missing))
    raise DomainError("import.header_not_found", columns=_titles(REQUIRED), rows=HEADER_SEARCH_ROWS)


def map_header(header: list[str]) -> dict[str, int]:
    normalized = [" ".join(h.split()).casefold().replace("ё", "е").strip(" :*") for h in header]
    columns: dict[str, int] = {}
    for column, aliases in COLUMN_ALIASES.items():
        for index, title in enumerate(normalized):
            if title in aliases:
                columns[column] = index
                break
    return columns


def _titles(columns: Iterable[str]) -> str:
    return ", ".join(f"«{COLUMN_TITLES[c]}»" for c in columns)
