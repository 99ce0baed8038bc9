"""Rows for the department digest.

10,000 organizations × 60 recommendations must not become 600,000 ORM objects or even 600,000 result
rows: reports are aggregated per organization in SQL (GROUP BY with a string aggregate), so the
digest receives one short string per organization and fills a one-byte-per-cell matrix from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import ColumnElement, Float, String, case, cast, func, select, type_coerce

from bot.domain import ExtensionState, OrgKind, ReportStatus, ResolutionStatus, ReviewState, Role
from storage.models import (
    AddresseeGroup,
    DeadlineExtension,
    Evidence,
    Organization,
    Person,
    Recommendation,
    Report,
    Resolution,
)
from storage.repositories.base import Repository

# One digit per status inside the aggregated strings; 0 is left for "no report".
CELL_CODES: dict[ReportStatus, int] = {status: code for code, status in enumerate(ReportStatus, start=1)}
# And one digit for the department's review, after the status digit.
REVIEW_CODES: dict[ReviewState, int] = {
    ReviewState.PENDING: 0,
    ReviewState.ACCEPTED: 1,
    ReviewState.RETURNED: 2,
}
# Organizations per fetched partition: keeps the event loop responsive without per-row round trips.
STREAM_PARTITION = 2000


@dataclass(frozen=True)
class Scope:
    resolution_ids: tuple[int, ...]
    municipality: str | None


@dataclass(frozen=True)
class GroupInfo:
    group_id: int
    resolution_id: int
    position: int
    heading: str
    kind: str


@dataclass(frozen=True)
class RecInfo:
    rec_id: int
    resolution_id: int
    group_id: int
    number: str
    text: str
    deadline: dt.date | None


@dataclass(frozen=True)
class OrgInfo:
    org_id: int
    name: str
    municipality: str
    kind: str


class OrgCells(NamedTuple):
    """One organization's reports: "<recommendation id><status digit><review digit>" items joined by
    commas."""

    org_id: int
    cells: str
    last_update: dt.datetime | None


class EvidenceRow(NamedTuple):
    org_id: int
    rec_id: int
    kind: str
    file_name: str | None
    url: str | None
    text: str | None
    file_size: int | None
    created_at: dt.datetime | None


class ReportNote(NamedTuple):
    """One report's words and times for the workbook's report sheet (its status and review state are the
    matrix's). Times are seconds since the Unix epoch, UTC: a number from the database, not a datetime
    parsed per row."""

    org_id: int
    rec_id: int
    comment: str
    reason: str | None
    review_comment: str | None
    reviewer: str | None
    reviewed_at: float | None
    submitted_at: float | None


# Julian day of the Unix epoch, for SQLite's julianday().
_UNIX_EPOCH_JULIAN = 2440587.5


class DigestRepo(Repository):
    def _no_index(self, column: ColumnElement[int]) -> ColumnElement[int]:
        """On SQLite, the column as an expression no index can serve.

        SQLite keeps no statistics and would walk the recommendation index, one random table lookup per
        report; a digest reads most reports, and a sequential scan is 2-3 times faster (measured at
        480,000 reports). Evidence is then read from its own few rows instead of through every report.
        PostgreSQL's planner weighs this itself.
        """
        if self.session.get_bind().dialect.name == "sqlite":
            return column + 0
        return column

    async def published_ids(self, resolution_id: int | None) -> tuple[int, ...]:
        stmt = (
            select(Resolution.id)
            .where(Resolution.status == ResolutionStatus.PUBLISHED)
            .order_by(Resolution.id)
        )
        if resolution_id is not None:
            stmt = stmt.where(Resolution.id == resolution_id)
        return tuple(await self.session.scalars(stmt))

    async def resolution_titles(self, ids: Sequence[int]) -> list[tuple[int, str]]:
        rows = await self.session.execute(
            select(Resolution.id, Resolution.title).where(Resolution.id.in_(ids)).order_by(Resolution.id)
        )
        return [(i, title) for i, title in rows]

    async def groups(self, scope: Scope) -> list[GroupInfo]:
        rows = await self.session.execute(
            select(
                AddresseeGroup.id,
                AddresseeGroup.resolution_id,
                AddresseeGroup.position,
                AddresseeGroup.heading,
                type_coerce(AddresseeGroup.kind, String),
            )
            .where(AddresseeGroup.resolution_id.in_(scope.resolution_ids))
            .order_by(AddresseeGroup.resolution_id, AddresseeGroup.position)
        )
        return [GroupInfo(*row) for row in rows]

    async def recommendations(self, scope: Scope) -> list[RecInfo]:
        """In resolution, group and item order, so each group's recommendations are one contiguous run."""
        rows = await self.session.execute(
            select(
                Recommendation.id,
                AddresseeGroup.resolution_id,
                AddresseeGroup.id,
                AddresseeGroup.position,
                Recommendation.position,
                Recommendation.text,
                func.coalesce(Recommendation.deadline, Resolution.deadline),
            )
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .join(Resolution, AddresseeGroup.resolution_id == Resolution.id)
            .where(Resolution.id.in_(scope.resolution_ids))
            .order_by(AddresseeGroup.resolution_id, AddresseeGroup.position, Recommendation.position)
        )
        return [
            RecInfo(rec_id, res_id, group_id, f"{g_pos}.{r_pos}", text, _as_date(deadline))
            for rec_id, res_id, group_id, g_pos, r_pos, text, deadline in rows
        ]

    async def organizations(self, kinds: Sequence[str], municipality: str | None) -> list[OrgInfo]:
        """Active organizations of these kinds, by municipality and name (the order of every listing)."""
        stmt = (
            select(
                Organization.id,
                Organization.name,
                Organization.municipality,
                type_coerce(Organization.kind, String),
            )
            .where(Organization.is_active.is_(True), type_coerce(Organization.kind, String).in_(kinds))
            .order_by(Organization.municipality, Organization.name, Organization.id)
        )
        if municipality is not None:
            stmt = stmt.where(Organization.municipality == municipality)
        return [OrgInfo(*row) for row in await self.session.execute(stmt)]

    async def report_cells(self, rec_ids: Sequence[int], municipality: str | None) -> AsyncIterator[OrgCells]:
        """Every report on these recommendations, grouped by organization, streamed.

        The database concatenates (C speed, no per-report result row); the caller filters out
        organizations that are inactive or not addressed.
        """
        if not rec_ids:
            return
        code = case(
            {status.value: str(digit) for status, digit in CELL_CODES.items()},
            value=type_coerce(Report.status, String),
            else_="0",
        )
        review = case(
            {state.value: str(digit) for state, digit in REVIEW_CODES.items()},
            value=type_coerce(Report.review_state, String),
            else_="0",
        )
        item = cast(Report.recommendation_id, String(20)) + code + review
        org_id = self._no_index(Report.organization_id)
        stmt = (
            select(org_id, func.aggregate_strings(item, ","), func.max(Report.updated_at))
            .where(self._no_index(Report.recommendation_id).in_(rec_ids))
            .group_by(org_id)
        )
        if municipality is not None:
            stmt = stmt.join(Organization, Report.organization_id == Organization.id).where(
                Organization.municipality == municipality
            )
        result = await self.session.stream(stmt.execution_options(yield_per=STREAM_PARTITION))
        try:
            async for partition in result.partitions():
                for org_id, cells, last_update in partition:
                    yield OrgCells(org_id, cells or "", last_update)
        finally:
            await result.close()

    async def institution_reach(self, municipality: str | None) -> dict[str, tuple[int, int]]:
        """Per municipality: active institutions, and how many of them have nobody registered (no member
        the bot could write to)."""
        registered = (
            select(Person.id)
            .where(Person.organization_id == Organization.id, Person.role == Role.MEMBER)
            .exists()
        )
        stmt = (
            select(Organization.municipality, func.count(), func.sum(case((registered, 0), else_=1)))
            .where(Organization.is_active.is_(True), Organization.kind == OrgKind.INSTITUTION)
            .group_by(Organization.municipality)
        )
        if municipality is not None:
            stmt = stmt.where(Organization.municipality == municipality)
        return {
            name: (int(total), int(nobody or 0)) for name, total, nobody in await self.session.execute(stmt)
        }

    def _epoch(self, column: ColumnElement[dt.datetime | None]) -> ColumnElement[float]:
        """Seconds since the Unix epoch, computed by the database: half a million datetimes parsed one by one
        cost the digest seconds. Stored times are UTC on both dialects (models.UtcDateTime)."""
        if self.session.get_bind().dialect.name == "sqlite":
            return (func.julianday(column) - _UNIX_EPOCH_JULIAN) * 86400.0
        return cast(func.extract("epoch", column), Float)

    async def report_notes(
        self, rec_ids: Sequence[int], municipality: str | None
    ) -> AsyncIterator[Sequence[ReportNote]]:
        """Every report on these recommendations, in partitions, in no particular order (the caller places
        each in the matrix's order). Inactive organizations' reports come too; the caller drops them."""
        if not rec_ids:
            return
        stmt = (
            select(
                Report.organization_id,
                Report.recommendation_id,
                Report.comment,
                Report.reason,
                Report.review_comment,
                Person.full_name,
                self._epoch(Report.reviewed_at),
                self._epoch(func.coalesce(Report.submitted_at, Report.updated_at)),
            )
            .outerjoin(Person, Report.reviewed_by == Person.id)
            .where(self._no_index(Report.recommendation_id).in_(rec_ids))
        )
        if municipality is not None:
            stmt = stmt.join(Organization, Report.organization_id == Organization.id).where(
                Organization.municipality == municipality
            )
        # Core rows, not ORM results: half a million reports, and the per-row bookkeeping is wasted here.
        connection = await self.session.connection()
        result = await connection.stream(stmt.execution_options(yield_per=STREAM_PARTITION))
        try:
            async for partition in result.partitions():
                yield partition  # type: ignore[misc]  # rows unpack like ReportNote
        finally:
            await result.close()

    async def own_deadlines(self, rec_ids: Sequence[int]) -> dict[tuple[int, int], dt.date]:
        """(organization, recommendation) → the latest approved extension, for these recommendations."""
        if not rec_ids:
            return {}
        stmt = (
            select(
                DeadlineExtension.organization_id,
                DeadlineExtension.recommendation_id,
                DeadlineExtension.new_deadline,
            )
            .where(
                DeadlineExtension.state == ExtensionState.APPROVED,
                DeadlineExtension.recommendation_id.in_(rec_ids),
            )
            .order_by(DeadlineExtension.decided_at, DeadlineExtension.id)
        )
        return {(org, rec): day for org, rec, day in await self.session.execute(stmt)}

    async def evidence_rows(
        self, rec_ids: Sequence[int], municipality: str | None, limit: int
    ) -> list[EvidenceRow]:
        """Evidence on these recommendations, by municipality, organization and item number."""
        if not rec_ids:
            return []
        stmt = (
            select(
                Report.organization_id,
                Report.recommendation_id,
                type_coerce(Evidence.kind, String),
                Evidence.file_name,
                Evidence.url,
                Evidence.text,
                Evidence.file_size,
                Evidence.created_at,
            )
            .join(Report, Evidence.report_id == Report.id)
            .join(Organization, Report.organization_id == Organization.id)
            .join(Recommendation, Report.recommendation_id == Recommendation.id)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .where(
                self._no_index(Report.recommendation_id).in_(rec_ids),
                Organization.is_active.is_(True),
                Evidence.removed_at.is_(None),
            )
            .order_by(
                Organization.municipality,
                Organization.name,
                Organization.id,
                AddresseeGroup.resolution_id,
                AddresseeGroup.position,
                Recommendation.position,
                Evidence.id,
            )
            .limit(limit)
        )
        if municipality is not None:
            stmt = stmt.where(Organization.municipality == municipality)
        # Core execution: the ORM's per-row bookkeeping is wasted on plain column tuples.
        connection = await self.session.connection()
        return [EvidenceRow(*row) for row in await connection.execute(stmt)]


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value))
