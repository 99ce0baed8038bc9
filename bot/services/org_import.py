"""Bulk registration of organizations from CSV or XLSX: row-by-row verdicts, one transaction."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from bot.domain import OrgKind
from bot.domain.errors import DomainError
from bot.services.organizations import MAX_MUNICIPALITY, MAX_NAME, clean_text, dedup_key
from storage.repositories import Repositories

MAX_ROWS = 5000
MAX_FILE_BYTES = 5 * 1024 * 1024

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "название", "наименование", "организация"),
    "kind": ("kind", "тип", "вид", "вид органа", "категория"),
    "municipality": ("municipality", "муниципалитет", "муниципальное образование", "район"),
}

KIND_ALIASES: dict[str, OrgKind] = {
    "department": OrgKind.DEPARTMENT,
    "департамент": OrgKind.DEPARTMENT,
    "министерство": OrgKind.DEPARTMENT,
    "municipal": OrgKind.MUNICIPAL,
    "муниципальный": OrgKind.MUNICIPAL,
    "муниципальный орган": OrgKind.MUNICIPAL,
    "орган управления образованием": OrgKind.MUNICIPAL,
    "методическая служба": OrgKind.MUNICIPAL,
    "institute": OrgKind.INSTITUTE,
    "институт": OrgKind.INSTITUTE,
    "institution": OrgKind.INSTITUTION,
    "учреждение": OrgKind.INSTITUTION,
    "учреждение дополнительного образования": OrgKind.INSTITUTION,
    "other": OrgKind.OTHER,
    "другое": OrgKind.OTHER,
    "прочее": OrgKind.OTHER,
}


@dataclass(frozen=True)
class RowVerdict:
    row: int
    name: str
    reason: str = ""
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class ImportResult:
    added: list[RowVerdict] = field(default_factory=list)
    duplicates: list[RowVerdict] = field(default_factory=list)
    rejected: list[RowVerdict] = field(default_factory=list)


def parse_kind(value: str) -> OrgKind | None:
    return KIND_ALIASES.get(clean_text(value).casefold().replace("ё", "е"))


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """Rows as (row number in the file, {column: value}), with the header mapped to our names."""
    if not data:
        raise DomainError("import.empty_file")
    if len(data) > MAX_FILE_BYTES:
        raise DomainError("import.file_too_big", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx" or (suffix not in (".csv", ".txt") and data[:2] == b"PK"):
        table = _xlsx_rows(data)
    elif suffix in (".csv", ".txt"):
        table = _csv_rows(data)
    else:
        raise DomainError("import.unsupported_format")
    if not table:
        raise DomainError("import.no_header")
    columns = _map_header(table[0][1])
    rows = []
    for number, cells in table[1:]:
        if not any(c.strip() for c in cells):
            continue
        rows.append((number, {col: (cells[i] if i < len(cells) else "") for col, i in columns.items()}))
    if len(rows) > MAX_ROWS:
        raise DomainError("import.too_many_rows", limit=MAX_ROWS)
    return rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("import.bad_encoding")


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    if "\x00" in text:
        raise DomainError("import.unsupported_format")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return [(reader.line_num, [c.strip() for c in row]) for row in reader]


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DomainError("import.bad_xlsx") from exc
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, ["" if v is None else str(v).strip() for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _map_header(header: list[str]) -> dict[str, int]:
    normalized = [clean_text(h).casefold().replace("ё", "е") for h in header]
    columns: dict[str, int] = {}
    for column, aliases in COLUMN_ALIASES.items():
        for index, title in enumerate(normalized):
            if title in aliases:
                columns[column] = index
                break
    missing = [c for c in ("name", "kind") if c not in columns]
    if missing:
        raise DomainError("import.missing_columns", columns=", ".join(missing))
    return columns


async def import_organizations(
    repo: Repositories, data: bytes, filename: str, *, dry_run: bool = False
) -> ImportResult:
    """Validate every row, then add the good ones in the caller's transaction (all of them or none)."""
    result = ImportResult()
    to_add: list[tuple[str, OrgKind, str, str]] = []
    seen: dict[str, int] = {}
    rows = read_rows(data, filename)
    existing = await repo.orgs.existing_keys(
        [dedup_key(clean_text(r.get("name", "")), clean_text(r.get("municipality", ""))) for _, r in rows]
    )
    for number, row in rows:
        name = clean_text(row.get("name", ""))
        municipality = clean_text(row.get("municipality", ""))
        raw_kind = clean_text(row.get("kind", ""))
        kind = parse_kind(raw_kind)
        if not name:
            result.rejected.append(RowVerdict(number, name, "import.row_no_name"))
        elif len(name) > MAX_NAME:
            result.rejected.append(
                RowVerdict(number, name[:60], "import.row_name_too_long", {"limit": MAX_NAME})
            )
        elif len(municipality) > MAX_MUNICIPALITY:
            result.rejected.append(
                RowVerdict(number, name, "import.row_municipality_too_long", {"limit": MAX_MUNICIPALITY})
            )
        elif kind is None:
            result.rejected.append(
                RowVerdict(number, name, "import.row_bad_kind", {"value": raw_kind or "—"})
            )
        else:
            key = dedup_key(name, municipality)
            if key in existing:
                result.duplicates.append(RowVerdict(number, name, "import.row_exists"))
            elif key in seen:
                result.duplicates.append(
                    RowVerdict(number, name, "import.row_repeated", {"first": seen[key]})
                )
            else:
                seen[key] = number
                to_add.append((name, kind, municipality, key))
                result.added.append(RowVerdict(number, name))
    if to_add and not dry_run:
        await repo.orgs.add_many(to_add)
    return result
