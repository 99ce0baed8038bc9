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
    places, comments, reasons, notes = log.places, log.comments, log.reasons, log.review_comments
    reviewers, reviewed_at, submitted_at, grid = log.reviewers, log.reviewed_at, log.submitted_at, matrix.rows
    async for partition in repo.report_notes(rec_ids, matrix.municipality):
        for org_id, rec_id, comment, reason, note, reviewer, reviewed, submitted in partition:
            row, column = row_of.get(org_id), column_of.get(rec_id)
            if row is None or column is None or grid[row][column] == NOT_ADDRESSED:
                continue
            places.append(row * width + column)
            comments.append(shared.setdefault(comment, comment))
            reasons.append(reason)
            notes.append(note)
            reviewers.append(shared.setdefault(reviewer, reviewer) if reviewer else None)
            reviewed_at.append(NO_TIME if reviewed is None else reviewed)
            submitted_at.append(NO_TIME if submitted is None else submitted)
    return log
