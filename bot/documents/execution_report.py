"""«Информация о ходе выполнения резолюции»: what the report on execution says, read from the database.

Counts come from the digest's one-byte-per-cell matrix (so 10,000 organizations × 60 recommendations
cost what a digest costs); the lists a reader actually reads (what was done, reasons for «n/a», who is
late, the evidence) are cut to a printable length, with the number left out said in the document.
The DOCX itself is written by execution_docx, in the locale of the Translator it is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.documents.figures import (
    DONE,
    NOT_ADDRESSED,
    NOT_APPLICABLE,
    REVIEW_STEP,
    DigestFigures,
    Matrix,
    Tally,
    figures_from,
    load_matrix,
)
from storage.repositories.digest import DigestRepo, EvidenceRow, GroupInfo, RecInfo
from storage.repositories.documents import DocumentsRepo, OrgNote

# What one recommendation's section lists at most; the rest is counted ("and N more").
NOTES_PER_RECOMMENDATION = 30
LATE_NAMES_PER_RECOMMENDATION = 30
# The appendix stops here; the digest workbook lists every item.
APPENDIX_ROWS = 2000


@dataclass(frozen=True)
class ResolutionInfo:
    resolution_id: int
    title: str
    adopted_on: dt.date | None
    place: str | None


@dataclass(frozen=True)
class RepeatNote:
    """This recommendation repeats one of an earlier resolution (year over year)."""

    year: int | None
    number: str
    done: int
    applicable: int


@dataclass
class RecSection:
    rec: RecInfo
    tally: Tally
    review: dict[str, int]
    comments: list[OrgNote] = field(default_factory=list)
    reasons: list[OrgNote] = field(default_factory=list)
    late: int = 0
    late_names: list[str] = field(default_factory=list)
    # Organizations with a deadline of their own (an approved extension): name and date, the first few.
    extended: list[tuple[str, dt.date]] = field(default_factory=list)
    extended_total: int = 0
    repeats: list[RepeatNote] = field(default_factory=list)

    @property
    def comments_total(self) -> int:
        return self.comments[0].total if self.comments else 0

    @property
    def reasons_total(self) -> int:
        return self.reasons[0].total if self.reasons else 0


@dataclass(frozen=True)
class GroupSummary:
    group: GroupInfo
    organizations: int
    recommendations: int
    tally: Tally


@dataclass(frozen=True)
class ExecutionData:
    resolution: ResolutionInfo
    today: dt.date
    figures: DigestFigures
    groups: list[GroupSummary]
    sections: list[RecSection]
    org_names: dict[int, tuple[str, str]]
    evidence: list[EvidenceRow]
    evidence_total: int


def _late(
    matrix: Matrix, today: dt.date, extensions: dict[tuple[int, int], dt.date]
) -> list[tuple[int, list[int]]]:
    """Per recommendation: how many organizations are past their own deadline with the work open, and
    the rows of the first few (an approved extension is that organization's deadline)."""
    extended_rows: dict[int, dict[int, dt.date]] = {}
    row_of = {org.org_id: i for i, org in enumerate(matrix.orgs)}
    for (org_id, rec_id), day in extensions.items():
        if org_id in row_of:
            extended_rows.setdefault(rec_id, {})[row_of[org_id]] = day
    result = []
    width = len(matrix.recs)
    flat = b"".join(matrix.rows)
    for j, rec in enumerate(matrix.recs):
        own = extended_rows.get(rec.rec_id, {})
        if (rec.deadline is None or rec.deadline >= today) and not own:
            result.append((0, []))
            continue
        rows = _late_rows(flat[j::width], rec.deadline, own, today)
        result.append((len(rows), rows[:LATE_NAMES_PER_RECOMMENDATION]))
    return result


def _extended(
    matrix: Matrix, extensions: dict[tuple[int, int], dt.date]
) -> dict[int, list[tuple[int, dt.date]]]:
    """Per recommendation id: the rows of the organizations with their own deadline, in the matrix's order."""
    row_of = {org.org_id: i for i, org in enumerate(matrix.orgs)}
    result: dict[int, list[tuple[int, dt.date]]] = {}
    for (org_id, rec_id), day in extensions.items():
        if org_id in row_of:
            result.setdefault(rec_id, []).append((row_of[org_id], day))
    for rows in result.values():
        rows.sort()
    return result


def _late_rows(column: bytes, deadline: dt.date | None, own: dict[int, dt.date], today: dt.date) -> list[int]:
    """Rows of one recommendation's column whose work is open past their deadline."""
    late = []
    for i, cell in enumerate(column):
        # A cell carries the review state in its tens (figures.REVIEW_STEP); the status is the rest.
        if cell == NOT_ADDRESSED or cell % REVIEW_STEP in (DONE, NOT_APPLICABLE):
            continue
        day = own.get(i, deadline)
        if day is not None and day < today:
            late.append(i)
    return late


def _group_summaries(matrix: Matrix, figures: DigestFigures) -> list[GroupSummary]:
    orgs_of_kind: dict[str, int] = {}
    for org in matrix.orgs:
        orgs_of_kind[org.kind] = orgs_of_kind.get(org.kind, 0) + 1
    recs_of_group: dict[int, int] = {}
    for rec in matrix.recs:
        recs_of_group[rec.group_id] = recs_of_group.get(rec.group_id, 0) + 1
    return [
        GroupSummary(group, orgs_of_kind.get(group.kind, 0), recs_of_group.get(group.group_id, 0), tally)
        for group, tally in figures.groups
    ]


async def collect_execution(
    digest_repo: DigestRepo,
    repo: DocumentsRepo,
    resolution: ResolutionInfo,
    today: dt.date,
    repeats: dict[int, list[RepeatNote]],
) -> ExecutionData:
    matrix = await load_matrix(digest_repo, resolution.resolution_id, None)
    figures = figures_from(matrix, today)
    rec_ids = [rec.rec_id for rec in matrix.recs]
    review = await repo.review_counts(rec_ids)
    comments = await repo.accepted_comments(rec_ids, NOTES_PER_RECOMMENDATION)
    reasons = await repo.not_applicable_reasons(rec_ids, NOTES_PER_RECOMMENDATION)
    extensions = {(e.org_id, e.rec_id): e.deadline for e in await repo.approved_extensions(rec_ids)}
    late = _late(matrix, today, extensions)
    extended = _extended(matrix, extensions)
    sections = []
    for (rec, tally), (late_count, late_rows) in zip(figures.recommendations, late, strict=True):
        section = RecSection(rec, tally, review.get(rec.rec_id, {}), late=late_count)
        section.late_names = [_org_label(matrix, i) for i in late_rows]
        own = extended.get(rec.rec_id, [])
        section.extended_total = len(own)
        section.extended = [(_org_label(matrix, i), d) for i, d in own[:LATE_NAMES_PER_RECOMMENDATION]]
        section.repeats = repeats.get(rec.rec_id, [])
        sections.append(section)
    by_rec = {s.rec.rec_id: s for s in sections}
    for note in comments:
        by_rec[note.rec_id].comments.append(note)
    for note in reasons:
        by_rec[note.rec_id].reasons.append(note)
    evidence = await digest_repo.evidence_rows(rec_ids, None, APPENDIX_ROWS)
    return ExecutionData(
        resolution,
        today,
        figures,
        _group_summaries(matrix, figures),
        sections,
        {org.org_id: (org.name, org.municipality) for org in matrix.orgs},
        evidence,
        await repo.evidence_count(rec_ids),
    )


def _org_label(matrix: Matrix, row: int) -> str:
    org = matrix.orgs[row]
    return f"{org.name} ({org.municipality})" if org.municipality else org.name
