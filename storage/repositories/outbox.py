from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import OutboxState
from storage.models import DeliveryBatch, OutboxMessage
from storage.repositories.base import Repository
from storage.upsert import insert_ignore

CHUNK = 500


class OutboxRepo(Repository):
    def __init__(self, session: AsyncSession, on_enqueue: Callable[[], None] | None = None) -> None:
        super().__init__(session)
        self.on_enqueue = on_enqueue

    async def enqueue(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert messages whose dedup key is new; a repeated enqueue is a no-op, not a second send."""
        inserted = 0
        if rows and self.on_enqueue is not None:
            self.on_enqueue()
        for start in range(0, len(rows), CHUNK):
            inserted += await insert_ignore(
                self.session, OutboxMessage, rows[start : start + CHUNK], ["dedup_key"]
            )
        return inserted

    async def claim_heads(
        self, now: dt.datetime, limit: int, exclude_chats: Collection[int] = ()
    ) -> list[OutboxMessage]:
        """Claims the next message of up to `limit` chats, one per chat and oldest first: a person's
        messages go out one after another, never side by side, and each only once the one before it is
        done. A chat whose oldest pending message is not due yet waits as a whole, keeping their order."""
        heads = (
            select(func.min(OutboxMessage.id).label("id"))
            .where(OutboxMessage.state == OutboxState.PENDING)
            .group_by(OutboxMessage.chat_id)
            .subquery()
        )
        stmt = (
            select(OutboxMessage)
            .join(heads, OutboxMessage.id == heads.c.id)
            .where(or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if exclude_chats:
            stmt = stmt.where(OutboxMessage.chat_id.not_in(list(exclude_chats)))
        rows = list(await self.session.scalars(stmt))
        if rows:
            await self.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([r.id for r in rows]), OutboxMessage.state == OutboxState.PENDING)
                .values(state=OutboxState.SENDING)
            )
        return rows

    async def has_due(self, now: dt.datetime) -> bool:
        return (
            await self.session.scalar(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.state == OutboxState.PENDING,
                    or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
                )
                .limit(1)
            )
            is not None
        )

    async def release_interrupted(self) -> int:
        """Messages caught mid-send by a crash go back to the queue (see the README on the unsafe window)."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.SENDING)
            .values(state=OutboxState.PENDING)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def mark(self, message_id: int, **values: Any) -> None:
        await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
        )

    async def next_due_at(self) -> dt.datetime | None:
        return await self.session.scalar(
            select(func.min(OutboxMessage.not_before)).where(OutboxMessage.state == OutboxState.PENDING)
        )

    async def counts(self, batch: str) -> dict[OutboxState, int]:
        rows = await self.session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.batch == batch)
            .group_by(OutboxMessage.state)
        )
        return {OutboxState(state): int(n) for state, n in rows}

    async def unreachable_recipients(self, batch: str) -> int:
        return int(
            await self.session.scalar(
                select(func.count(func.distinct(OutboxMessage.chat_id))).where(
                    OutboxMessage.batch == batch, OutboxMessage.state == OutboxState.UNREACHABLE
                )
            )
            or 0
        )

    async def in_batch(self, batch: str, states: Sequence[OutboxState]) -> list[OutboxMessage]:
        rows = await self.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.batch == batch, OutboxMessage.state.in_(states))
            .order_by(OutboxMessage.id)
        )
        return list(rows)

    async def add_batch(
        self, name: str, resolution_id: int | None, admin_chat_id: int | None
    ) -> DeliveryBatch:
        batch = await self.session.get(DeliveryBatch, name)
        if batch is None:
            batch = DeliveryBatch(name=name, resolution_id=resolution_id, admin_chat_id=admin_chat_id)
            self.session.add(batch)
        else:
            batch.admin_chat_id = admin_chat_id
            batch.finished_at = None
        await self.session.flush()
        return batch

    async def open_batches(self) -> list[DeliveryBatch]:
        rows = await self.session.scalars(select(DeliveryBatch).where(DeliveryBatch.finished_at.is_(None)))
        return list(rows)

    async def batch(self, name: str) -> DeliveryBatch | None:
        return await self.session.get(DeliveryBatch, name)
