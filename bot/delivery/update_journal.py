"""No update is lost to a crash: each is journaled before Telegram is told it arrived.

Telegram forgets an update once the bot confirms it: polling confirms a batch by asking for the next one
(aiogram does so before its handlers finish), and a webhook by answering 200. So the update is written
to `update_journal` first — by a request middleware on getUpdates before aiogram sees the batch
(bot/telegram/middlewares/journal.py), by the webhook handler before it answers — and deleted in the
same transaction as the update's own effects (UnitOfWorkMiddleware). Whatever a crash leaves in the
journal is handled at the next start, in order.

An update whose first commit was done is not replayed: by then its effects are durable, and the bot
commits before it says anything (CommitBeforeRequest), so at worst the person misses one answer. One
that keeps killing the process is given up after MAX_REPLAYS, with an error in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import Repositories

log = logging.getLogger(__name__)

MAX_REPLAYS = 3
# Passed with every journaled update into the handlers' data: UnitOfWorkMiddleware takes it off the journal.
JOURNALED = "journaled"


class UpdateJournal:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def record(self, payloads: Sequence[dict[str, Any]]) -> None:
        async with self.session_factory() as session:
            # One statement needs no transaction around it: in autocommit it is one round trip to
            # PostgreSQL instead of three (BEGIN, INSERT, COMMIT), once per getUpdates batch.
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            await Repositories(session).journal.record(payloads)
            await session.commit()

    async def replay(self, dp: Dispatcher, bot: Bot) -> None:
        """Handles, oldest first, what an earlier run journaled and did not finish."""
        async with self.session_factory() as session:
            pending = [(row.update_id, row.payload) for row in await Repositories(session).journal.pending()]
        for update_id, payload in pending:
            if not await self._may_replay(update_id):
                continue
            log.info("update %s: handled again, an earlier run stopped before finishing it", update_id)
            try:
                update = Update.model_validate(payload, context={"bot": bot})
                await dp.feed_update(bot, update, **{JOURNALED: True})
            except Exception:
                log.exception("update %s failed when replayed", update_id)

    async def _may_replay(self, update_id: int) -> bool:
        async with self.session_factory() as session:
            repo = Repositories(session)
            replays = await repo.journal.count_replay(update_id)
            if replays is None:
                return False  # handled meanwhile, by another process
            if replays > MAX_REPLAYS:
                await repo.journal.take(update_id)
                log.error(
                    "update %s given up: the bot stopped %d times while handling it", update_id, replays - 1
                )
                await session.commit()
                return False
            await session.commit()
            return True
