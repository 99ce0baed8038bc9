from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, selectinload

from bot.domain import OrgKind, ResolutionStatus
from storage.models import AddresseeGroup, Recommendation, Resolution
from storage.repositories.base import Repository


class ResolutionRepo(Repository):
    async def add(
        self,
        title: str,
        adopted_on: dt.date | None,
        place: str | None,
        source_name: str,
        created_by: int,
        groups: Sequence[tuple[str, OrgKind, Sequence[str]]],
    ) -> Resolution:
        resolution = Resolution(
            title=title, adopted_on=adopted_on, place=place, source_name=source_name, created_by=created_by
        )
        for g_pos, (heading, kind, texts) in enumerate(groups, start=1):
            group = AddresseeGroup(position=g_pos, heading=heading, kind=kind)
            group.recommendations = [
                Recommendation(position=r_pos, text=text) for r_pos, text in enumerate(texts, 1)
            ]
            resolution.groups.append(group)
        self.session.add(resolution)
        await self.session.flush()
        return resolution

    async def get(self, resolution_id: int) -> Resolution | None:
        return await self.session.scalar(
            select(Resolution)
            .where(Resolution.id == resolution_id)
            .options(selectinload(Resolution.groups).selectinload(AddresseeGroup.recommendations))
            .execution_options(populate_existing=True)
        )

    async def delete(self, resolution_id: int) -> None:
        await self.session.execute(delete(Resolution).where(Resolution.id == resolution_id))

    async def listing(self, limit: int = 20) -> list[Resolution]:
        """The newest resolutions with their addressee groups (whom each speaks to decides who sees it)."""
        rows = await self.session.scalars(
            select(Resolution)
            .options(selectinload(Resolution.groups))
            .order_by(Resolution.created_at.desc(), Resolution.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def published(self) -> list[Resolution]:
        rows = await self.session.scalars(
            select(Resolution)
            .where(Resolution.status == ResolutionStatus.PUBLISHED)
            .options(selectinload(Resolution.groups).selectinload(AddresseeGroup.recommendations))
            .order_by(Resolution.id)
        )
        return list(rows)

    async def recommendation(self, recommendation_id: int) -> Recommendation | None:
        return await self.session.scalar(
            select(Recommendation)
            .where(Recommendation.id == recommendation_id)
            # One row, so one joined statement rather than a statement per relationship.
            .options(joinedload(Recommendation.group).joinedload(AddresseeGroup.resolution))
        )

    async def recommendations_for_kind(
        self, kind: OrgKind, status: ResolutionStatus = ResolutionStatus.PUBLISHED
    ) -> list[Recommendation]:
        rows = await self.session.scalars(
            select(Recommendation)
            .join(AddresseeGroup)
            .join(Resolution)
            .where(AddresseeGroup.kind == kind, Resolution.status == status)
            .options(selectinload(Recommendation.group).selectinload(AddresseeGroup.resolution))
            .order_by(Resolution.id, AddresseeGroup.position, Recommendation.position)
        )
        return list(rows)
