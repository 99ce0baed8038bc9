"""Every request to move a deadline behind the digest's matrix, as the department keeps them: each with the
deadline that was in force when it was made (the common one, or an earlier approved request's date).

The table stores only the date asked for; what was in force before follows from the history of the same
organization and recommendation: a new request waits for the previous one's decision, so walking the
requests in the order they were made, each finds in force the common deadline or the last approved date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.documents.figures import Matrix
from bot.domain import ExtensionState
from storage.repositories.digest import DigestRepo, ExtensionRow


@dataclass(frozen=True)
class ExtensionEntry:
    """One request in the matrix's terms: `row` and `column` are its organization and recommendation."""

    row: int
    column: int
    before: dt.date | None
    request: ExtensionRow


def extension_entries(matrix: Matrix, requests: Iterable[ExtensionRow]) -> list[ExtensionEntry]:
    """The requests of the matrix's organizations and recommendations, in its order (municipality,
    organization, recommendation), each item's history oldest first. `requests` come oldest first."""
    row_of = {org.org_id: i for i, org in enumerate(matrix.orgs)}
    column_of = {rec.rec_id: j for j, rec in enumerate(matrix.recs)}
    in_force: dict[tuple[int, int], dt.date | None] = {}
    entries = []
    for request in requests:
        row, column = row_of.get(request.org_id), column_of.get(request.rec_id)
        if row is None or column is None:
            continue  # an inactive organization, or another municipality's
        before = in_force.get((row, column), matrix.recs[column].deadline)
        entries.append(ExtensionEntry(row, column, before, request))
        if request.state == ExtensionState.APPROVED.value:
            in_force[(row, column)] = request.new_deadline
    # Stable: the history of one item keeps the order the requests were made in.
    entries.sort(key=lambda entry: (entry.row, entry.column))
    return entries


async def load_extensions(repo: DigestRepo, matrix: Matrix) -> Sequence[ExtensionEntry]:
    """One query for every request on the matrix's recommendations."""
    rows = await repo.extension_rows([rec.rec_id for rec in matrix.recs], matrix.municipality)
    return extension_entries(matrix, rows)
