"""Every report behind the digest's matrix, with its words and times, for the workbook's report sheet.

10,000 organizations × 60 recommendations is up to 600,000 reports: they are kept column by column
(arrays of numbers, lists of shared strings), not as 600,000 tuples, and put in the matrix's order by
sorting one integer per report. Status and review state are not stored here: the matrix cell has them.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field

from bot.documents.figures import NOT_ADDRESSED, Matrix
from storage.repositories.digest import DigestRepo

NO_TIME = math.nan


@dataclass
class ReportLog:
    """The reports of the matrix's cells; `places[k]` is row × width + column of report k."""

    width: int = 0
    places: array[int] = field(default_factory=lambda: array("q"))
    comments: list[str] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=list)
    review_comments: list[str | None] = field(default_factory=list)
    reviewers: list[str | None] = field(default_factory=list)
    reviewed_at: array[float] = field(default_factory=lambda: array("d"))
    submitted_at: array[float] = field(default_factory=lambda: array("d"))

    def __len__(self) -> int:
        return len(self.places)

    def order(self) -> list[int]:
        """Report indices by organization (the matrix's municipality and name order), then recommendation."""
        return sorted(range(len(self.places)), key=self.places.__getitem__)

    def place(self, k: int) -> tuple[int, int]:
        """(matrix row, matrix column) of report k."""
        return divmod(self.places[k], self.width)


async def load_report_log(repo: DigestRepo, matrix: Matrix) -> ReportLog:
    """The reports of the cells the matrix counts: active organizations, addressed recommendations."""
    width = len(matrix.recs)
    log = ReportLog(width)
    row_of = {org.org_id: i for i, org in enumerate(matrix.orgs)}
    column_of = {rec.rec_id: j for j, rec in enumerate(matrix.recs)}
    # Repeated words (a common comment, a reviewer's name) are kept once, not once per report.
    shared: dict[str, str] = {}
    rec_ids = list(column_of)
    async for partition in repo.report_notes(rec_ids, matrix.municipality):
        for note in partition:
            row, column = row_of.get(note.org_id), column_of.get(note.rec_id)
            if row is None or column is None or matrix.rows[row][column] == NOT_ADDRESSED:
                continue
            log.places.append(row * width + column)
            log.comments.append(shared.setdefault(note.comment, note.comment))
            log.reasons.append(note.reason)
            log.review_comments.append(note.review_comment)
            log.reviewers.append(shared.setdefault(note.reviewer, note.reviewer) if note.reviewer else None)
            log.reviewed_at.append(NO_TIME if note.reviewed_at is None else note.reviewed_at)
            log.submitted_at.append(NO_TIME if note.submitted_at is None else note.submitted_at)
    return log
