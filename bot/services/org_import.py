"""Bulk registration of organizations from CSV or XLSX: row-by-row verdicts, one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain import OrgKind
from bot.domain.errors import DomainError
from bot.services.org_table import COLUMN_ALIASES, COLUMN_TITLES, MAX_FILE_BYTES, read_table
from bot.services.organizations import MAX_MUNICIPALITY, MAX_NAME, clean_text, dedup_key
from storage.repositories import Repositories

__all__ = ["COLUMN_ALIASES", "MAX_FILE_BYTES", "ImportResult", "RowVerdict", "import_organizations"]

MAX_ROWS = 5000

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

# What people write in the «тип» column, in the words of the file format help (/import_orgs).
KIND_CHOICES = "департамент, муниципальный, институт, учреждение, другое"


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
    return KIND_ALIASES.get(_kind_key(value))


def _kind_key(value: str) -> str:
    return clean_text(value).casefold().replace("ё", "е")


def read_rows(data: bytes, filename: str = "") -> list[tuple[int, dict[str, str]]]:
    """Rows as (row number in the file, {column: value}); the file's content decides its format."""
    table, columns = read_table(data, filename)
    rows = [
        (number, {col: (cells[i] if i < len(cells) else "") for col, i in columns.items()})
        for number, cells in table
        if any(cells)
    ]
    if len(rows) > MAX_ROWS:
        raise DomainError("import.too_many_rows", limit=MAX_ROWS)
    return rows


async def import_organizations(
    repo: Repositories, data: bytes, filename: str = "", *, dry_run: bool = False
) -> ImportResult:
    """Validate every row, then add the good ones in the caller's transaction (all of them or none).

    The file's content decides how it is read (people rename files); `filename` only words a refusal.
    """
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
        problem = row_problem(number, name, municipality, raw_kind)
        if problem is not None:
            result.rejected.append(problem)
            continue
        kind = KIND_ALIASES[_kind_key(raw_kind)]  # row_problem has refused every unknown kind
        key = dedup_key(name, municipality)
        if key in existing:
            result.duplicates.append(RowVerdict(number, name, "import.row_exists"))
        elif key in seen:
            result.duplicates.append(RowVerdict(number, name, "import.row_repeated", {"first": seen[key]}))
        else:
            seen[key] = number
            to_add.append((name, kind, municipality, key))
            result.added.append(RowVerdict(number, name))
    if to_add and not dry_run:
        await repo.orgs.add_many(to_add)
    return result


def row_problem(number: int, name: str, municipality: str, raw_kind: str) -> RowVerdict | None:
    """What is wrong with one row, naming the column as the format help (/import_orgs) calls it."""
    column = COLUMN_TITLES
    if not name:
        return RowVerdict(number, name, "import.row_empty_cell", {"column": column["name"]})
    if not any(c.isalpha() for c in name):
        # A shifted column or a row number pasted into «название»: no organization is called «1024».
        return RowVerdict(number, "", "import.row_name_not_text", {"column": column["name"], "value": name})
    if len(name) > MAX_NAME:
        return RowVerdict(
            number, name[:60] + "…", "import.row_too_long", {"column": column["name"], "limit": MAX_NAME}
        )
    if len(municipality) > MAX_MUNICIPALITY:
        params = {"column": column["municipality"], "limit": MAX_MUNICIPALITY}
        return RowVerdict(number, name, "import.row_too_long", params)
    if not raw_kind:
        return RowVerdict(number, name, "import.row_empty_cell", {"column": column["kind"]})
    if parse_kind(raw_kind) is None:
        params = {"column": column["kind"], "value": raw_kind, "choices": KIND_CHOICES}
        return RowVerdict(number, name, "import.row_unknown_kind", params)
    return None
