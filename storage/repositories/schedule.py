from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, func, select, update

from bot.domain import OrgKind, ResolutionStatus
from bot.domain.scope import REGION, ViewScope
from storage.models import AddresseeGroup, Organization, Recommendation, Report, Resolution, ScheduledRun
from storage.repositories.base import Repository
from storage.repositories.scope import org_in_scope
from storage.upsert import insert_ignore


@dataclass(frozen=True)
class OpenItem:
    """A recommendation an organization has not reported on yet."""

    org_id: int
    org_name: str
    resolution_id: int
    resolution_title: str
    rec_id: int
    number: str
    text: str
    deadline: dt.date | None
    published_at: dt.datetime | None
    resolution_adopted_on: dt.date | None = None


class ScheduleRepo(Repository):
    async def claim(self, job: str, target: str, period: str, due_at: dt.datetime) -> bool:
        """True for the one caller that records this occurrence first, in this or any other process."""
        inserted = await insert_ignore(
            self.session,
            ScheduledRun,
            [{"job": job, "target": target, "period": period, "due_at": due_at}],
            ["job", "target", "period"],
        )
        return inserted == 1

    async def mark_done(self, job: str, target: str, period: str, now: dt.datetime) -> None:
        await self.session.execute(
            update(ScheduledRun)
            .where(ScheduledRun.job == job, ScheduledRun.target == target, ScheduledRun.period == period)
            .values(done_at=now)
        )

    async def first(self, job: str, target: str) -> ScheduledRun | None:
        return await self.session.scalar(
            select(ScheduledRun)
            .where(ScheduledRun.job == job, ScheduledRun.target == target)
            .order_by(ScheduledRun.due_at)
            .limit(1)
        )

    async def latest(self, job: str, target: str) -> ScheduledRun | None:
        return await self.session.scalar(
            select(ScheduledRun)
            .where(ScheduledRun.job == job, ScheduledRun.target == target)
            .order_by(ScheduledRun.due_at.desc())
            .limit(1)
        )

    async def claimed_between(self, job: str, target: str, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether an occurrence of this job and target was due (and so claimed) within [start, end]."""
        found = await self.session.scalar(
            select(ScheduledRun.id)
            .where(
                ScheduledRun.job == job,
                ScheduledRun.target == target,
                ScheduledRun.due_at >= start,
                ScheduledRun.due_at <= end,
            )
            .limit(1)
        )
        return found is not None

    async def count(self, job: str) -> int:
        return int(await self.session.scalar(select(func.count()).where(ScheduledRun.job == job)) or 0)

    async def open_items(
        self,
        resolution_id: int | None = None,
        scope: ViewScope = REGION,
        kinds: Collection[OrgKind] | None = None,
    ) -> list[OpenItem]:
        """Every (active organization × published recommendation of its kind) without a report, of the
        organizations in the scope (of these kinds, when given)."""
        stmt = (
            select(
                Organization.id,
                Organization.name,
                Resolution.id,
                Resolution.title,
                Recommendation.id,
                AddresseeGroup.position,
                Recommendation.position,
                Recommendation.text,
                func.coalesce(Recommendation.deadline, Resolution.deadline),
                Resolution.published_at,
                Resolution.adopted_on,
            )
            .select_from(Recommendation)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .join(Resolution, AddresseeGroup.resolution_id == Resolution.id)
            .join(
                Organization, and_(Organization.kind == AddresseeGroup.kind, Organization.is_active.is_(True))
            )
            .outerjoin(
                Report,
                and_(
                    Report.recommendation_id == Recommendation.id, Report.organization_id == Organization.id
                ),
            )
            .where(Resolution.status == ResolutionStatus.PUBLISHED, Report.id.is_(None), org_in_scope(scope))
            .order_by(Organization.id, Resolution.id, AddresseeGroup.position, Recommendation.position)
        )
        if resolution_id is not None:
            stmt = stmt.where(Resolution.id == resolution_id)
        if kinds is not None:
            stmt = stmt.where(Organization.kind.in_(sorted(kinds)))
        rows = await self.session.execute(stmt)
        return [_open_item(*row) for row in rows]

    async def last_activity(self, org_id: int, resolution_id: int) -> dt.datetime | None:
        return await self.session.scalar(
            select(func.max(Report.updated_at))
            .join(Recommendation, Report.recommendation_id == Recommendation.id)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .where(Report.organization_id == org_id, AddresseeGroup.resolution_id == resolution_id)
        )


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value))


def _open_item(
    org_id: int,
    org_name: str,
    res_id: int,
    title: str,
    rec_id: int,
    group_position: int,
    rec_position: int,
    text: str,
    deadline: object,
    published: dt.datetime | None,
    adopted: object,
) -> OpenItem:
    number = f"{group_position}.{rec_position}"
    return OpenItem(
        org_id,
        org_name,
        res_id,
        title,
        rec_id,
        number,
        text,
        _as_date(deadline),
        published,
        _as_date(adopted),
    )
