"""Deadline extensions: requests, decisions, and each organization's own deadlines that follow from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, bindparam, func, select, update

from bot.domain import ExtensionState
from storage.models import DeadlineExtension
from storage.repositories.base import PREFETCHED_OWN_DEADLINE, PREFETCHED_TARGET, Repository

# own_deadlines' four statements (by organizations, by recommendations, by both, all), built on first use:
# every step of the report dialog runs one, and a prebuilt statement is neither put together nor given
# a cache key again.
_OWN_DEADLINES: dict[tuple[bool, bool], Select[tuple[int, int, dt.date]]] = {}


def _own_deadlines_statement(by_org: bool, by_rec: bool) -> Select[tuple[int, int, dt.date]]:
    stmt = _OWN_DEADLINES.get((by_org, by_rec))
    if stmt is None:
        stmt = (
            select(
                DeadlineExtension.organization_id,
                DeadlineExtension.recommendation_id,
                DeadlineExtension.new_deadline,
            )
            .where(DeadlineExtension.state == ExtensionState.APPROVED)
            .order_by(DeadlineExtension.decided_at, DeadlineExtension.id)
        )
        if by_org:
            stmt = stmt.where(DeadlineExtension.organization_id.in_(bindparam("org_ids", expanding=True)))
        if by_rec:
            stmt = stmt.where(DeadlineExtension.recommendation_id.in_(bindparam("rec_ids", expanding=True)))
        _OWN_DEADLINES[(by_org, by_rec)] = stmt
    return stmt


def _one_pair(org_ids: Sequence[int] | None, rec_ids: Sequence[int] | None) -> tuple[int, int] | None:
    """The one (organization, recommendation) asked for, if that is all that is asked."""
    if org_ids is not None and rec_ids is not None and len(org_ids) == 1 and len(rec_ids) == 1:
        return org_ids[0], rec_ids[0]
    return None


class ExtensionRepo(Repository):
    def _drop_prefetched(self) -> None:
        """A write here may change an own deadline read ahead with a report target."""
        self.session.info.pop(PREFETCHED_OWN_DEADLINE, None)
        self.session.info.pop(PREFETCHED_TARGET, None)

    async def add(self, extension: DeadlineExtension) -> DeadlineExtension:
        self._drop_prefetched()
        self.session.add(extension)
        await self.session.flush()
        return extension

    async def get(self, extension_id: int) -> DeadlineExtension | None:
        return await self.session.get(DeadlineExtension, extension_id)

    async def by_source(self, source_key: str) -> DeadlineExtension | None:
        return await self.session.scalar(
            select(DeadlineExtension).where(DeadlineExtension.source_key == source_key)
        )

    async def decide(
        self,
        extension_id: int,
        state: ExtensionState,
        decided_by: int | None,
        decided_at: dt.datetime,
        comment: str | None,
    ) -> bool:
        """Records a decision on a request still pending; False when someone decided first (two officials
        at once, or a replayed button): one conditional UPDATE, so only one of them wins."""
        self._drop_prefetched()
        result = await self.session.execute(
            update(DeadlineExtension)
            .where(DeadlineExtension.id == extension_id, DeadlineExtension.state == ExtensionState.PENDING)
            .values(state=state, decided_by=decided_by, decided_at=decided_at, decision_comment=comment)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def reload(self, extension: DeadlineExtension) -> None:
        """Reads the row again after `decide` (a Core UPDATE leaves the loaded object as it was)."""
        await self.session.refresh(extension)

    async def pending_for(self, org_id: int, rec_id: int) -> DeadlineExtension | None:
        return await self.session.scalar(
            select(DeadlineExtension).where(
                DeadlineExtension.organization_id == org_id,
                DeadlineExtension.recommendation_id == rec_id,
                DeadlineExtension.state == ExtensionState.PENDING,
            )
        )

    async def pending(self, offset: int, limit: int) -> list[DeadlineExtension]:
        """Requests awaiting a decision, oldest first."""
        rows = await self.session.scalars(
            select(DeadlineExtension)
            .where(DeadlineExtension.state == ExtensionState.PENDING)
            .order_by(DeadlineExtension.requested_at, DeadlineExtension.id)
            .offset(offset)
            .limit(limit)
        )
        return list(rows)

    async def pending_count(self) -> int:
        stmt = select(func.count()).where(DeadlineExtension.state == ExtensionState.PENDING)
        return int(await self.session.scalar(stmt) or 0)

    async def history(self, org_id: int, rec_id: int) -> list[DeadlineExtension]:
        rows = await self.session.scalars(
            select(DeadlineExtension)
            .where(
                DeadlineExtension.organization_id == org_id,
                DeadlineExtension.recommendation_id == rec_id,
            )
            .order_by(DeadlineExtension.requested_at, DeadlineExtension.id)
        )
        return list(rows)

    async def own_deadlines(
        self, org_ids: Sequence[int] | None = None, rec_ids: Sequence[int] | None = None
    ) -> dict[tuple[int, int], dt.date]:
        """(organization, recommendation) → the date of the latest approved extension.

        Approved requests are few (one organization asks now and then), so they are read whole and the
        latest decision wins in Python rather than by a window function both dialects must agree on."""
        prefetched = self.session.info.pop(PREFETCHED_OWN_DEADLINE, None)
        if prefetched is not None and prefetched[:2] == _one_pair(org_ids, rec_ids):
            org_id, rec_id, day = prefetched
            return {(org_id, rec_id): day} if day is not None else {}
        params = {}
        if org_ids is not None:
            params["org_ids"] = list(org_ids)
        if rec_ids is not None:
            params["rec_ids"] = list(rec_ids)
        stmt = _own_deadlines_statement(org_ids is not None, rec_ids is not None)
        return {(org, rec): day for org, rec, day in await self.session.execute(stmt, params)}
