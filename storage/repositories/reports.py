from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from bot.domain import ReportStatus, ResolutionStatus, ReviewState
from storage.models import (
    AddresseeGroup,
    Evidence,
    Organization,
    Recommendation,
    Report,
    ReportRevision,
    Resolution,
)
from storage.repositories.base import Repository


class ReportRepo(Repository):
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
        self.session.add(report)
        await self.session.flush()
        return report

    async def add_revision(self, revision: ReportRevision) -> None:
        self.session.add(revision)
        await self.session.flush()

    async def add_evidence(self, items: Sequence[Evidence]) -> None:
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


class ProgressRepo(Repository):
    """Per-organization progress on one resolution, for the officials' drill-down."""

    async def org_progress(
        self, resolution_id: int, kinds: Sequence[str], municipality: str | None = None
    ) -> list[tuple[int, str, str, int, int, int, int, int, int]]:
        """(org id, name, municipality, recommendations, answered, done, accepted, returned, accepted done)
        for each addressed organization."""
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
            .where(Organization.is_active.is_(True))
            .order_by(Organization.municipality, Organization.name)
        )
        if municipality is not None:
            stmt = stmt.where(Organization.municipality == municipality)
        rows = await self.session.execute(stmt)
        return [
            (org_id, name, muni, int(n), int(ans), int(done), int(acc), int(ret), int(acc_done))
            for org_id, name, muni, n, ans, done, acc, ret, acc_done in rows
        ]
