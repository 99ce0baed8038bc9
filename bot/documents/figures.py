"""The digest's numbers, counted in a one-byte-per-cell matrix (organization × recommendation).

Every tally is `bytes.count` over a row, a strided column or a slice of a row: C speed, no per-cell
Python once the matrix is filled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.domain import ReportStatus, ReviewState
from storage.repositories.digest import (
    CELL_CODES,
    REVIEW_CODES,
    DigestRepo,
    GroupInfo,
    OrgInfo,
    RecInfo,
    Scope,
)

NO_ANSWER = 0
NOT_ADDRESSED = 255
DONE = CELL_CODES[ReportStatus.DONE]
IN_PROGRESS = CELL_CODES[ReportStatus.IN_PROGRESS]
NOT_STARTED = CELL_CODES[ReportStatus.NOT_STARTED]
NOT_APPLICABLE = CELL_CODES[ReportStatus.NOT_APPLICABLE]
# A cell is status + REVIEW_STEP × review state: 1–4 awaiting review, 11–14 accepted, 21–24 returned.
REVIEW_STEP = 10
ACCEPTED = REVIEW_STEP * REVIEW_CODES[ReviewState.ACCEPTED]
RETURNED = REVIEW_STEP * REVIEW_CODES[ReviewState.RETURNED]
SNAPSHOT_VERSION = 3


def cell_code(status_digit: int, review_digit: int) -> int:
    return status_digit + REVIEW_STEP * review_digit


def status_of(cell: int) -> int:
    """The work status part of a cell (NO_ANSWER and NOT_ADDRESSED stay as they are)."""
    return cell if cell in (NO_ANSWER, NOT_ADDRESSED) else cell % REVIEW_STEP


def _any_review(cells: bytes | bytearray, status: int) -> int:
    return cells.count(status) + cells.count(status + ACCEPTED) + cells.count(status + RETURNED)


def _reviewed(cells: bytes | bytearray, offset: int) -> int:
    return sum(cells.count(status + offset) for status in CELL_CODES.values())


@dataclass
class Tally:
    """Counts of (organization × recommendation) cells: by work status (whatever the review), and by the
    department's review (accepted, returned; the rest of the answers await review)."""

    total: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    not_applicable: int = 0
    accepted: int = 0
    returned: int = 0
    accepted_done: int = 0
    returned_done: int = 0

    @classmethod
    def of(cls, cells: bytes | bytearray) -> Tally:
        return cls(
            total=len(cells) - cells.count(NOT_ADDRESSED),
            done=_any_review(cells, DONE),
            in_progress=_any_review(cells, IN_PROGRESS),
            not_started=_any_review(cells, NOT_STARTED),
            not_applicable=_any_review(cells, NOT_APPLICABLE),
            accepted=_reviewed(cells, ACCEPTED),
            returned=_reviewed(cells, RETURNED),
            accepted_done=cells.count(DONE + ACCEPTED),
            returned_done=cells.count(DONE + RETURNED),
        )

    def __iadd__(self, other: Tally) -> Tally:
        self.total += other.total
        self.done += other.done
        self.in_progress += other.in_progress
        self.not_started += other.not_started
        self.not_applicable += other.not_applicable
        self.accepted += other.accepted
        self.returned += other.returned
        self.accepted_done += other.accepted_done
        self.returned_done += other.returned_done
        return self

    @property
    def awaiting_review(self) -> int:
        return self.answered - self.accepted - self.returned

    @property
    def done_awaiting_review(self) -> int:
        return self.done - self.accepted_done - self.returned_done

    @property
    def percent_accepted(self) -> float:
        """The headline: accepted «Выполнено» of the applicable cells."""
        return 100.0 * self.accepted_done / self.applicable if self.applicable else 0.0

    @property
    def answered(self) -> int:
        return self.done + self.in_progress + self.not_started + self.not_applicable

    @property
    def no_answer(self) -> int:
        return self.total - self.answered

    @property
    def open(self) -> int:
        """Cells that still need work: neither done nor declared not applicable."""
        return self.total - self.done - self.not_applicable

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def percent_done(self) -> float:
        return 100.0 * self.done / self.applicable if self.applicable else 0.0


@dataclass(frozen=True)
class OrgFigure:
    org_id: int
    name: str
    municipality: str
    tally: Tally
    overdue: int
    last_update: dt.datetime | None = None
    kind: str = ""


@dataclass(frozen=True)
class Matrix:
    """Everything a digest reads from the database; rows[i][j] is organization i on recommendation j."""

    resolutions: list[tuple[int, str]]
    groups: list[GroupInfo]
    recs: list[RecInfo]
    orgs: list[OrgInfo]
    rows: list[bytearray]
    last_update: list[dt.datetime | None]
    municipality: str | None = None
    # (organization id, recommendation id) → the organization's own deadline (an approved extension).
    own_deadlines: dict[tuple[int, int], dt.date] = field(default_factory=dict)


@dataclass(frozen=True)
class Changes:
    done: int
    in_progress: int
    answered: int
    newly_answered_orgs: int
    percent_points: float


@dataclass
class DigestFigures:
    today: dt.date
    resolutions: list[tuple[int, str]]
    municipality: str | None
    overall: Tally = field(default_factory=Tally)
    groups: list[tuple[GroupInfo, Tally]] = field(default_factory=list)
    municipalities: dict[str, Tally] = field(default_factory=dict)
    recommendations: list[tuple[RecInfo, Tally]] = field(default_factory=list)  # document order
    organizations: list[OrgFigure] = field(default_factory=list)
    answered_orgs: frozenset[int] = frozenset()

    @property
    def silent(self) -> list[OrgFigure]:
        """Organizations that have not answered a single recommendation addressed to them."""
        return [o for o in self.organizations if o.tally.total and o.tally.answered == 0]

    @property
    def overdue(self) -> list[OrgFigure]:
        return [o for o in self.organizations if o.overdue]

    def least_progress(self, limit: int | None = None) -> list[tuple[RecInfo, Tally]]:
        """Lowest share done first, then most silence; items nobody can act on (all n/a) go last."""
        ranked = sorted(
            self.recommendations,
            key=lambda item: (
                item[1].applicable == 0,
                item[1].percent_accepted,
                item[1].percent_done,
                -item[1].no_answer,
            ),
        )
        return ranked if limit is None else ranked[:limit]

    def to_snapshot(self) -> dict[str, Any]:
        """JSON-able: what the next digest needs to say what changed, not the whole matrix."""
        return {
            "version": SNAPSHOT_VERSION,
            "today": self.today.isoformat(),
            "municipality": self.municipality,
            "resolutions": [list(item) for item in self.resolutions],
            "overall": asdict(self.overall),
            "groups": [{**asdict(group), "tally": asdict(tally)} for group, tally in self.groups],
            "municipalities": {name: asdict(tally) for name, tally in self.municipalities.items()},
            "answered_orgs": sorted(self.answered_orgs),
            # Flat copies for readers of the first snapshot format.
            "done": self.overall.done,
            "answered": self.overall.answered,
            "total": self.overall.total,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> DigestFigures:
        if "overall" in data:
            overall = Tally(**data["overall"])
        else:
            # The first format kept only done/answered/total: the rest of the answers are filed under
            # "in progress", which keeps the done and answered differences exact.
            done, answered = int(data.get("done", 0)), int(data.get("answered", 0))
            overall = Tally(total=int(data.get("total", 0)), done=done, in_progress=answered - done)
        today = data.get("today")
        return cls(
            today=dt.date.fromisoformat(today) if today else dt.date.min,
            resolutions=[(int(i), str(title)) for i, title in data.get("resolutions", [])],
            municipality=data.get("municipality"),
            overall=overall,
            groups=[
                (GroupInfo(**{k: v for k, v in g.items() if k != "tally"}), Tally(**g["tally"]))
                for g in data.get("groups", [])
            ],
            municipalities={name: Tally(**t) for name, t in data.get("municipalities", {}).items()},
            answered_orgs=frozenset(int(i) for i in data.get("answered_orgs", [])),
        )

    def changes_since(self, previous: dict[str, Any] | None) -> Changes | None:
        if not previous:
            return None
        before = DigestFigures.from_snapshot(previous)
        return Changes(
            done=self.overall.done - before.overall.done,
            in_progress=self.overall.in_progress - before.overall.in_progress,
            answered=self.overall.answered - before.overall.answered,
            newly_answered_orgs=len(self.answered_orgs - before.answered_orgs),
            percent_points=self.overall.percent_done - before.overall.percent_done,
        )


async def _addressed(
    repo: DigestRepo, scope: Scope, kinds: Collection[str] | None
) -> tuple[list[GroupInfo], list[RecInfo]]:
    """The groups (and their recommendations) addressed to these kinds of bodies; None: all of them."""
    groups = [g for g in await repo.groups(scope) if kinds is None or g.kind in kinds]
    group_ids = {g.group_id for g in groups}
    return groups, [rec for rec in await repo.recommendations(scope) if rec.group_id in group_ids]


async def load_matrix(
    repo: DigestRepo,
    resolution_id: int | None,
    municipality: str | None,
    kinds: Collection[str] | None = None,
) -> Matrix:
    """`kinds`: only the groups addressed to these kinds of bodies, and only such organizations (a
    municipal authority's digest); None: every kind."""
    scope = Scope(await repo.published_ids(resolution_id), municipality)
    groups, recs = await _addressed(repo, scope, kinds)
    kinds = sorted({g.kind for g in groups})
    orgs = await repo.organizations(kinds, municipality) if kinds else []
    column_of = {str(rec.rec_id): i for i, rec in enumerate(recs)}
    kind_of_group = {g.group_id: g.kind for g in groups}
    # A row starts as "no answer" on the columns addressed to the organization's kind, blank elsewhere.
    templates = {kind: bytearray([NOT_ADDRESSED]) * len(recs) for kind in kinds}
    for i, rec in enumerate(recs):
        templates[kind_of_group[rec.group_id]][i] = NO_ANSWER
    rows = [bytearray(templates[org.kind]) for org in orgs]
    last_update: list[dt.datetime | None] = [None] * len(orgs)
    position = {org.org_id: i for i, org in enumerate(orgs)}
    async for org_id, cells, updated in repo.report_cells([rec.rec_id for rec in recs], municipality):
        index = position.get(org_id)
        if index is None:
            continue  # inactive, or of a kind no group addresses
        row = rows[index]
        for item in cells.split(","):
            column = column_of.get(item[:-2])
            # Reports kept from before a group was re-addressed stay out of the figures.
            if column is not None and row[column] != NOT_ADDRESSED:
                row[column] = cell_code(ord(item[-2]) - 48, ord(item[-1]) - 48)
        last_update[index] = updated
    resolutions = await repo.resolution_titles(scope.resolution_ids)
    own = await repo.own_deadlines([rec.rec_id for rec in recs])
    return Matrix(resolutions, groups, recs, orgs, rows, last_update, municipality, own)


def _runs(columns: list[int]) -> list[tuple[int, int]]:
    """Sorted column indices as (start, end) runs; deadlines mostly come per resolution, so few runs."""
    runs: list[tuple[int, int]] = []
    for column in columns:
        if runs and runs[-1][1] == column:
            runs[-1] = (runs[-1][0], column + 1)
        else:
            runs.append((column, column + 1))
    return runs


def _moved_deadlines(matrix: Matrix, today: dt.date) -> dict[int, list[tuple[int, int]]]:
    """Per organization, (column, +1/-1) where its own deadline makes a cell overdue when the common one
    does not, or the other way round. Approved extensions are few: a dict, not another matrix."""
    column_of = {rec.rec_id: i for i, rec in enumerate(matrix.recs)}
    shifts: dict[int, list[tuple[int, int]]] = {}
    for (org_id, rec_id), own in matrix.own_deadlines.items():
        column = column_of.get(rec_id)
        if column is None:
            continue
        common = matrix.recs[column].deadline
        shift = int(own < today) - int(common is not None and common < today)
        if shift:
            shifts.setdefault(org_id, []).append((column, shift))
    return shifts


def _overdue_shift(cell: int, shift: int) -> int:
    open_cell = cell != NOT_ADDRESSED and status_of(cell) not in (DONE, NOT_APPLICABLE)
    return shift if open_cell else 0


def figures_from(matrix: Matrix, today: dt.date) -> DigestFigures:
    figures = DigestFigures(today, matrix.resolutions, matrix.municipality)
    width = len(matrix.recs)
    late = _runs(
        [i for i, rec in enumerate(matrix.recs) if rec.deadline is not None and rec.deadline < today]
    )
    moved = _moved_deadlines(matrix, today)
    for org, cells, updated in zip(matrix.orgs, matrix.rows, matrix.last_update, strict=True):
        tally = Tally.of(cells)
        overdue = sum(Tally.of(cells[start:end]).open for start, end in late)
        overdue += sum(_overdue_shift(cells[column], shift) for column, shift in moved.get(org.org_id, ()))
        figures.organizations.append(
            OrgFigure(org.org_id, org.name, org.municipality, tally, overdue, updated, org.kind)
        )
        figures.overall += tally
    figures.answered_orgs = frozenset(o.org_id for o in figures.organizations if o.tally.answered)
    municipalities: dict[str, Tally] = {}
    for org_figure in figures.organizations:
        total = municipalities.setdefault(org_figure.municipality, Tally())
        total += org_figure.tally  # in place: the dict's Tally grows
    # Sorted here, not by the database's collation, so SQLite and PostgreSQL list them alike.
    figures.municipalities = dict(sorted(municipalities.items()))
    flat = b"".join(matrix.rows)
    figures.recommendations = [(rec, Tally.of(flat[i::width])) for i, rec in enumerate(matrix.recs)]
    by_group = {g.group_id: Tally() for g in matrix.groups}
    for rec, tally in figures.recommendations:
        by_group[rec.group_id] += tally
    figures.groups = [(g, by_group[g.group_id]) for g in matrix.groups]
    return figures


async def build_figures(
    repo: DigestRepo,
    resolution_id: int | None,
    municipality: str | None,
    today: dt.date,
    kinds: Collection[str] | None = None,
) -> DigestFigures:
    """Figures of one published resolution (or all of them), optionally of one municipality."""
    return figures_from(await load_matrix(repo, resolution_id, municipality, kinds), today)
