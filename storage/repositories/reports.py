from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, ScalarSelect, Select, bindparam, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, selectinload

from bot.domain import ExtensionState, OrgKind, ReportStatus, ResolutionStatus, ReviewState
from bot.domain.scope import REGION, ViewScope
from storage.models import (
    AddresseeGroup,
    DeadlineExtension,
    Evidence,
    Organization,
    Recommendation,
    Report,
    ReportRevision,
    Resolution,
)
from storage.repositories.base import PREFETCHED_OWN_DEADLINE, PREFETCHED_TARGET, Repository
from storage.repositories.scope import org_in_scope


class ReportTarget(NamedTuple):
    """What a member's report is about: None for whichever part does not exist (all three when the
    organization does not)."""

    org: Organization | None
    rec: Recommendation | None  # with its group and the group's resolution loaded
    report: Report | None  # with its evidence loaded


@dataclass(frozen=True)
class QueueFilter:
    """Which pending reports the /review queue shows; None is «every». `supervised` is a municipal
    authority's own queue: only that municipality's institutions, for resolutions whose review is
    delegated (`delegation_default` standing for the resolutions that follow the global setting)."""

    resolution_id: int | None = None
    group_id: int | None = None
    municipality: str | None = None
    supervised: str | None = None
    delegation_default: bool = False

    @property
    def chosen(self) -> bool:
        """Whether the reviewer narrowed the queue (the municipal authority's own limits are not that)."""
        return (self.resolution_id, self.group_id, self.municipality) != (None, None, None)


QueueRow = tuple[Report, Recommendation, Organization]


def own_deadline(org_id: ColumnElement[int], rec_id: ColumnElement[int]) -> ScalarSelect[dt.date]:
    """The organization's own deadline for the recommendation: its latest approved extension."""
    return (
        select(DeadlineExtension.new_deadline)
        .where(
            DeadlineExtension.organization_id == org_id,
            DeadlineExtension.recommendation_id == rec_id,
            DeadlineExtension.state == ExtensionState.APPROVED,
        )
        # The latest decision wins, as in ExtensionRepo.own_deadlines.
        .order_by(DeadlineExtension.decided_at.desc().nulls_last(), DeadlineExtension.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def with_target(
    statement: Select[Any], org_id: ColumnElement[int], rec_id: ColumnElement[int]
) -> Select[Any]:
    """`statement` with three more columns: the recommendation `rec_id` (its group and resolution loaded),
    the report of `org_id` on it (its evidence loaded) and the organization's own deadline for it. Each
    evidence item is a row of its own: read the rows with unique()."""
    return (
        statement.add_columns(Recommendation, Report, own_deadline(org_id, Recommendation.id))
        .outerjoin(Recommendation, Recommendation.id == rec_id)
        .outerjoin(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
        .outerjoin(Resolution, AddresseeGroup.resolution_id == Resolution.id)
        .outerjoin(
            Report, (Report.recommendation_id == Recommendation.id) & (Report.organization_id == org_id)
        )
        .outerjoin(Evidence, Evidence.report_id == Report.id)
        .options(
            contains_eager(Recommendation.group).contains_eager(AddresseeGroup.resolution),
            contains_eager(Report.evidence),
        )
        .order_by(Evidence.id)
    )


# Built once: every step of the report dialog runs it (or, from its second step on, the caller's read with
# the same joins: PersonRepo.by_telegram_id_with_dialog), and a prebuilt statement is neither put
# together nor given a cache key again (SQLAlchemy memoizes both on the object).
_TARGET = with_target(
    select(Organization).select_from(Organization).where(Organization.id == bindparam("org_id")),
    bindparam("org_id"),
    bindparam("rec_id"),
)


def prefetch_target(
    session: AsyncSession,
    org: Organization | None,
    rec_id: int,
    rec: Recommendation | None,
    report: Report | None,
    own_deadline: dt.date | None,
) -> None:
    """Keeps a report target read along with another statement for this unit of work's first
    ReportRepo.target of the same organization and recommendation (which then runs no statement)."""
    if org is not None:
        session.info[PREFETCHED_TARGET] = (org.id, rec_id, ReportTarget(org, rec, report), own_deadline)


class ReportRepo(Repository):
    async def target(self, org_id: int, rec_id: int) -> ReportTarget:
        """The organization, the recommendation (group, resolution) and the organization's report on
        it (evidence) in one statement: every step of the report dialog needs all of them."""
        prefetched = self.session.info.pop(PREFETCHED_TARGET, None)
        if prefetched is not None and prefetched[:2] == (org_id, rec_id):
            _, _, target, own_deadline = prefetched
            if target.rec is not None:
                self.session.info[PREFETCHED_OWN_DEADLINE] = (org_id, rec_id, own_deadline)
            return target  # type: ignore[no-any-return]
        # Every row (one per evidence item) fills the report's evidence; unique() folds them into one.
        result = await self.session.execute(_TARGET, {"org_id": org_id, "rec_id": rec_id})
        rows = result.unique().all()
        if not rows:
            return ReportTarget(None, None, None)
        org, rec, report, own_deadline = rows[0]
        if rec is not None:
            self.session.info[PREFETCHED_OWN_DEADLINE] = (org_id, rec_id, own_deadline)
        return ReportTarget(org, rec, report)

    async def for_org_and_rec(self, org_id: int, rec_id: int) -> Report | None:
        return await self.session.scalar(
            select(Report)
            .where(Report.organization_id == org_id, Report.recommendation_id == rec_id)
            .options(selectinload(Report.evidence))
        )

    async def get(self, report_id: int) -> Report | None:
        return await self.session.scalar(
            select(Report)
            .where(Report.id == report_id)
            .options(selectinload(Report.evidence), selectinload(Report.revisions))
        )

    async def add(self, report: Report) -> Report:
        self.session.info.pop(PREFETCHED_TARGET, None)
        self.session.add(report)
        await self.session.flush()
        return report

    async def add_revision(self, revision: ReportRevision) -> None:
        self.session.info.pop(PREFETCHED_TARGET, None)
        self.session.add(revision)
        await self.session.flush()

    async def add_evidence(self, items: Sequence[Evidence]) -> None:
        self.session.info.pop(PREFETCHED_TARGET, None)
        self.session.add_all(items)
        await self.session.flush()

    async def revision_by_source(self, source_key: str) -> ReportRevision | None:
        return await self.session.scalar(
            select(ReportRevision).where(ReportRevision.source_key == source_key)
        )

    async def revisions(self, report_id: int) -> list[ReportRevision]:
        rows = await self.session.scalars(
            select(ReportRevision)
            .where(ReportRevision.report_id == report_id)
            .order_by(ReportRevision.version)
        )
        return list(rows)

    async def addressed_to(self, org_kind: str, org_id: int) -> list[tuple[Recommendation, Report | None]]:
        """Every published recommendation for an organization's kind, with its report if there is one."""
        rows = await self.session.execute(
            select(Recommendation, Report)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .join(Resolution, AddresseeGroup.resolution_id == Resolution.id)
            .outerjoin(
                Report, (Report.recommendation_id == Recommendation.id) & (Report.organization_id == org_id)
            )
            .where(AddresseeGroup.kind == org_kind, Resolution.status == ResolutionStatus.PUBLISHED)
            .options(selectinload(Recommendation.group).selectinload(AddresseeGroup.resolution))
            .order_by(Resolution.id.desc(), AddresseeGroup.position, Recommendation.position)
        )
        return [(rec, report) for rec, report in rows]

    async def status_counts(self, org_id: int) -> dict[ReportStatus, int]:
        rows = await self.session.execute(
            select(Report.status, func.count())
            .join(Recommendation, Report.recommendation_id == Recommendation.id)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .join(Resolution, AddresseeGroup.resolution_id == Resolution.id)
            .where(Report.organization_id == org_id, Resolution.status == ResolutionStatus.PUBLISHED)
            .group_by(Report.status)
        )
        return {ReportStatus(status): int(n) for status, n in rows}

    def _pending(self, where: QueueFilter) -> Any:
        stmt = (
            select(Report, Recommendation, Organization)
            .join(Recommendation, Report.recommendation_id == Recommendation.id)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .join(Resolution, AddresseeGroup.resolution_id == Resolution.id)
            .join(Organization, Report.organization_id == Organization.id)
            .where(
                Report.review_state == ReviewState.PENDING, Resolution.status == ResolutionStatus.PUBLISHED
            )
        )
        if where.resolution_id is not None:
            stmt = stmt.where(Resolution.id == where.resolution_id)
        if where.group_id is not None:
            stmt = stmt.where(AddresseeGroup.id == where.group_id)
        if where.municipality is not None:
            stmt = stmt.where(Organization.municipality == where.municipality)
        if where.supervised is not None:
            delegated = Resolution.review_delegation.is_(True)
            if where.delegation_default:
                delegated = or_(delegated, Resolution.review_delegation.is_(None))
            stmt = stmt.where(
                Organization.kind == OrgKind.INSTITUTION,
                Organization.municipality == where.supervised,
                delegated,
            )
        return stmt

    async def municipal_decisions(self, resolution_id: int, offset: int) -> tuple[int, int | None]:
        """Reports of the resolution whose latest revision is a municipal authority's acceptance or
        return: how many, and the id of the one at `offset`, newest decision first."""
        stmt = (
            select(Report.id)
            .join(ReportRevision, ReportRevision.report_id == Report.id)
            .join(Recommendation, Report.recommendation_id == Recommendation.id)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .where(
                AddresseeGroup.resolution_id == resolution_id,
                # Each decision bumps the version: the revision of the report's version is its latest.
                ReportRevision.version == Report.version,
                ReportRevision.acting_org_id.is_not(None),
                Report.review_state.in_((ReviewState.ACCEPTED, ReviewState.RETURNED)),
            )
        )
        total = await self.session.scalar(select(func.count()).select_from(stmt.subquery()))
        found = await self.session.scalar(
            stmt.order_by(ReportRevision.created_at.desc(), Report.id.desc()).offset(offset).limit(1)
        )
        return int(total or 0), found

    async def review_queue(self, where: QueueFilter, offset: int, limit: int) -> list[QueueRow]:
        """Reports awaiting review, oldest submission first (reports older than the review loop, with no
        submission time, by their last change)."""
        rows = await self.session.execute(
            self._pending(where)
            .options(
                selectinload(Report.evidence),
                selectinload(Recommendation.group).selectinload(AddresseeGroup.resolution),
            )
            .order_by(func.coalesce(Report.submitted_at, Report.updated_at), Report.id)
            .offset(offset)
            .limit(limit)
        )
        return [(report, rec, org) for report, rec, org in rows]

    async def review_count(self, where: QueueFilter) -> int:
        subquery = self._pending(where).with_only_columns(Report.id).subquery()
        return int(await self.session.scalar(select(func.count()).select_from(subquery)) or 0)

    async def submitted_after(
        self, since: dt.datetime, limit: int, where: QueueFilter | None = None
    ) -> tuple[int, dt.datetime | None, list[QueueRow]]:
        """Pending reports (of `where`, every one by default) submitted after `since`: how many, the newest
        submission time, and the first `limit` of them."""
        stmt = self._pending(where or QueueFilter()).where(Report.submitted_at > since)
        counted = stmt.with_only_columns(Report.id, Report.submitted_at).subquery()
        total, newest = (
            await self.session.execute(select(func.count(), func.max(counted.c.submitted_at)))
        ).one()
        rows = await self.session.execute(
            stmt.options(selectinload(Recommendation.group).selectinload(AddresseeGroup.resolution))
            .order_by(Report.submitted_at, Report.id)
            .limit(limit)
        )
        return int(total or 0), _as_utc(newest), [(report, rec, org) for report, rec, org in rows]

    async def lock(self, report_id: int) -> Report | None:
        """The report for a decision, locked against a concurrent one where the database can lock."""
        return await self.session.scalar(
            select(Report)
            .where(Report.id == report_id)
            .with_for_update()
            .options(selectinload(Report.evidence), selectinload(Report.revisions))
            .execution_options(populate_existing=True)
        )


class ProgressRepo(Repository):
    """Per-organization progress on one resolution, for the officials' drill-down."""

    async def org_progress(
        self,
        resolution_id: int,
        kinds: Sequence[str],
        municipality: str | None = None,
        scope: ViewScope = REGION,
    ) -> list[tuple[int, str, str, int, int, int, int, int, int]]:
        """(org id, name, municipality, recommendations, answered, done, accepted, returned, accepted done)
        for each addressed organization in the scope."""
        recs = (
            select(AddresseeGroup.kind.label("kind"), func.count(Recommendation.id).label("n"))
            .join(Recommendation, Recommendation.group_id == AddresseeGroup.id)
            .where(AddresseeGroup.resolution_id == resolution_id, AddresseeGroup.kind.in_(kinds))
            .group_by(AddresseeGroup.kind)
            .subquery()
        )
        accepted_done = (Report.status == ReportStatus.DONE) & (Report.review_state == ReviewState.ACCEPTED)
        answered = (
            select(
                Report.organization_id.label("org_id"),
                func.count(Report.id).label("answered"),
                func.sum(case((Report.status == ReportStatus.DONE, 1), else_=0)).label("done"),
                func.sum(case((Report.review_state == ReviewState.ACCEPTED, 1), else_=0)).label("accepted"),
                func.sum(case((Report.review_state == ReviewState.RETURNED, 1), else_=0)).label("returned"),
                func.sum(case((accepted_done, 1), else_=0)).label("accepted_done"),
            )
            .join(Recommendation, Report.recommendation_id == Recommendation.id)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .where(AddresseeGroup.resolution_id == resolution_id)
            .group_by(Report.organization_id)
            .subquery()
        )
        stmt = (
            select(
                Organization.id,
                Organization.name,
                Organization.municipality,
                recs.c.n,
                func.coalesce(answered.c.answered, 0),
                func.coalesce(answered.c.done, 0),
                func.coalesce(answered.c.accepted, 0),
                func.coalesce(answered.c.returned, 0),
                func.coalesce(answered.c.accepted_done, 0),
            )
            .join(recs, recs.c.kind == Organization.kind)
            .outerjoin(answered, answered.c.org_id == Organization.id)
            .where(Organization.is_active.is_(True), org_in_scope(scope))
            .order_by(Organization.municipality, Organization.name)
        )
        if municipality is not None:
            stmt = stmt.where(Organization.municipality == municipality)
        rows = await self.session.execute(stmt)
        return [
            (org_id, name, muni, int(n), int(ans), int(done), int(acc), int(ret), int(acc_done))
            for org_id, name, muni, n, ans, done, acc, ret, acc_done in rows
        ]


def _as_utc(value: object) -> dt.datetime | None:
    """An aggregate bypasses the column type: SQLite hands back a naive string or datetime."""
    if value is None:
        return None
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
