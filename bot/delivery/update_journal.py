"""No update is lost to a crash: each is journaled before Telegram is told it arrived.

Telegram forgets an update once the bot confirms it: polling confirms a batch by asking for the next one
(aiogram does so before its handlers finish), and a webhook by answering 200. So the update is written
to `update_journal` first — by a request middleware on getUpdates before aiogram sees the batch
(bot/telegram/middlewares/journal.py), by the webhook handler before it answers — and taken (marked
handled) in the same transaction as the update's own effects (UnitOfWorkMiddleware). Whatever a crash
leaves in the journal unmarked is handled at the next start, in order.

An update whose first commit was done is not replayed: by then its effects are durable, and the bot
commits before it says anything (CommitBeforeRequest), so at worst the person misses one answer. One
that keeps killing the process is given up after MAX_REPLAYS, with an error in the log.

Nor is an update handled twice when Telegram sends it again: after a crash between journaling a batch
and confirming it (the next getUpdates), or a webhook call whose 200 was lost. Handling marks the row
instead of deleting it, and a row already there is not journaled anew. The marks are dropped once
Telegram can no longer send those updates: below the offset of a getUpdates it answered, and in webhook
mode after the 24 hours Telegram keeps an undelivered update (and two more).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import Repositories

log = logging.getLogger(__name__)

MAX_REPLAYS = 3
# Telegram keeps an update it could not deliver for 24 hours; an older handled mark guards against nothing.
# Two hours more, for clocks that disagree.
MARK_KEPT = dt.timedelta(hours=26)
# How often the marks are swept: a throttle on one more statement, not a matter of correctness.
SWEEP_EVERY = {"confirmed": 1.0, "aged": 600.0}  # seconds
# Passed with every journaled update into the handlers' data: UnitOfWorkMiddleware takes it off the journal.
JOURNALED = "journaled"
# The journal itself, in the dispatcher's data: UnitOfWorkMiddleware asks it about updates sent again.
UPDATE_JOURNAL = "update_journal"


class UpdateJournal:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self._swept = {"confirmed": -math.inf, "aged": -math.inf}
        self._handled_on_arrival: set[int] = set()

    async def record(
        self, payloads: Sequence[dict[str, Any]], confirmed_below: int | None = None, *, first: bool = False
    ) -> None:
        """Journals a batch. `confirmed_below`: the offset of the getUpdates that brought it, which
        Telegram accepted; the handled marks below it are no longer needed. `first`: a batch that may hold
        updates Telegram sends again (the first getUpdates of a run, a webhook call); those already
        handled are noted for `handled_on_arrival`."""
        if payloads:
            async with self.session_factory() as session:
                # Each statement stands alone: in autocommit it is one round trip to PostgreSQL instead
                # of three (BEGIN, statement, COMMIT).
                await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                journal = Repositories(session).journal
                if first and len(payloads) == 1:
                    # A webhook call: one statement, and a second only when the update was there already.
                    if not await journal.record_one(payloads[0]):
                        self._handled_on_arrival |= await journal.handled_among([payloads[0]["update_id"]])
                else:
                    await journal.record(payloads)
                    if first:
                        ids = [int(payload["update_id"]) for payload in payloads]
                        self._handled_on_arrival |= await journal.handled_among(ids)
                await session.commit()
        if self._due("confirmed" if confirmed_below is not None else "aged"):
            await self._sweep(confirmed_below)

    async def _sweep(self, confirmed_below: int | None) -> None:
        """Drops the marks no longer needed. Housekeeping, after the batch is journaled: a failure (a
        lock timeout, say) is logged and the marks wait for the next sweep."""
        try:
            async with self.session_factory() as session:
                await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                journal = Repositories(session).journal
                if confirmed_below is not None:
                    await journal.forget_confirmed(confirmed_below)
                else:
                    await journal.forget_handled_before(dt.datetime.now(dt.UTC) - MARK_KEPT)
                await session.commit()
        except (SQLAlchemyError, OSError) as exc:
            log.warning("the journal's handled marks were not swept (%s); they wait for the next sweep", exc)

    def handled_on_arrival(self, update_id: int) -> bool:
        """Whether the update was handled already when it came again: it is skipped before any handler
        runs (on PostgreSQL the journal would refuse it only at its first commit)."""
        if update_id in self._handled_on_arrival:
            self._handled_on_arrival.discard(update_id)
            return True
        return False

    def _due(self, sweep: str) -> bool:
        now = time.monotonic()
        if now - self._swept[sweep] < SWEEP_EVERY[sweep]:
            return False
        self._swept[sweep] = now
        return True

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
