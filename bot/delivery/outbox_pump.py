"""The only path from the outbox table to Telegram: rate-limited, retried, resumable, at most once per row.

A row is `sending` while its request is in flight and `sent` the moment Telegram confirms it; the sole
window for a duplicate is a crash between Telegram's answer and that commit, and it lasts one UPDATE.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import FSInputFile, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.rate_limit import TokenBucket
from bot.domain import OutboxState
from bot.domain.clock import Clock
from storage.models import OutboxMessage
from storage.repositories import Repositories

log = logging.getLogger(__name__)

WORKERS = 8
IN_PLACE_RETRIES = 3
MAX_BACKOFF = dt.timedelta(minutes=30)
IDLE_WAIT = 5.0
# How long a stop waits for the sends on their way to be answered and recorded.
STOP_TIMEOUT = 10.0

AfterRound = Callable[[set[str]], Awaitable[None]]


class OutboxPump:
    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.settings = settings
        self.clock = clock
        self.limiter = TokenBucket(settings.send_rate)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._last_sent: dict[int, float] = {}
        self._running = False
        self._stopping = False
        self._stopped = asyncio.Event()
        self.after_round: list[AfterRound] = []

    def poke(self) -> None:
        """New rows were committed: look now instead of at the next idle tick."""
        self._wake.set()

    async def recover(self) -> int:
        async with self.session_factory() as session:
            released = await Repositories(session).outbox.release_interrupted()
            await session.commit()
        if released:
            log.warning("outbox: %d message(s) were in flight at the last stop and go out again", released)
        return released

    async def run(self) -> None:
        self._running = True
        try:
            await self.recover()
            while not self._stopping:
                try:
                    handled = await self.run_once()
                except Exception:
                    log.exception("outbox round failed; retrying shortly")
                    handled = 0
                    await asyncio.sleep(1.0)
                if not handled and not self._stopping:
                    self._idle.set()
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=IDLE_WAIT)
                    self._idle.clear()
        finally:
            self._running = False
            self._stopped.set()

    def rearm(self) -> None:
        """Make a stopped pump runnable again: a process that wins the background lease back resumes."""
        self._stopping = False
        self._stopped = asyncio.Event()

    async def stop(self, timeout: float = STOP_TIMEOUT) -> None:  # noqa: ASYNC109 - a grace period
        """Ends `run()` between two sends, never between a send and its record: a stop that cancelled
        there would leave a delivered message `sending`, and the next start would send it again.
        Claimed rows not yet requested stay `sending` and go out after the next start (`recover`)."""
        self._stopping = True
        self._wake.set()
        if self._running:
            try:
                await asyncio.wait_for(self._stopped.wait(), timeout)
            except TimeoutError:
                # The caller cancels the pump next: a send still unanswered may go out again after restart.
                log.warning("outbox: still sending after %ss; stopping anyway", timeout)

    async def run_once(self) -> int:
        batch_size = max(50, int(self.settings.send_rate * 2))
        async with self.session_factory() as session:
            rows = await Repositories(session).outbox.claim_due(self.clock.now(), batch_size)
            await session.commit()
        if not rows:
            return 0
        partitions: dict[int, list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            # One worker per chat keeps each person's messages in the order they were queued.
            partitions[row.chat_id % WORKERS].append(row)
        await asyncio.gather(*(self._work(part) for part in partitions.values()))
        batches = {row.batch for row in rows if row.batch}
        for hook in self.after_round:
            await hook(batches)
        return len(rows)

    async def drain(self, max_rounds: int = 1000) -> None:
        """Send everything due now; tests and the CLI use it instead of the background loop."""
        for _ in range(max_rounds):
            if not await self.run_once():
                return

    async def _work(self, rows: list[OutboxMessage]) -> None:
        for row in rows:
            if self._stopping:
                return
            await self._deliver(row)

    async def _deliver(self, row: OutboxMessage) -> None:
        attempt = 0
        while True:
            attempt += 1
            await self.limiter.acquire()
            await self._respect_chat_interval(row.chat_id)
            if self._stopping:
                # Not requested yet (this may be a retry after a long pause): it waits for the next start.
                return
            try:
                message = await self._send(row)
            except TelegramRetryAfter as exc:
                self.limiter.pause(exc.retry_after)
                log.info("outbox: 429, pausing %ss", exc.retry_after)
                if attempt <= IN_PLACE_RETRIES:
                    continue
                await self._requeue(
                    row, dt.timedelta(seconds=exc.retry_after), f"429 retry_after={exc.retry_after}"
                )
                return
            except TelegramForbiddenError as exc:
                await self._unreachable(row, exc.message)
                return
            except TelegramBadRequest as exc:
                if "chat not found" in exc.message.lower():
                    await self._unreachable(row, exc.message)
                else:
                    await self._fail(row, exc.message)
                return
            except (TelegramServerError, TelegramNetworkError) as exc:
                if attempt <= IN_PLACE_RETRIES:
                    await asyncio.sleep(min(0.25 * 2**attempt, 4.0))
                    continue
                await self._retry_later(row, str(exc))
                return
            except FileNotFoundError as exc:
                await self._fail(row, f"file missing: {exc.filename}")
                return
            await self._sent(row, message)
            return

    async def _respect_chat_interval(self, chat_id: int) -> None:
        interval = self.settings.per_chat_interval
        if interval <= 0:
            return
        loop = asyncio.get_running_loop()
        wait = self._last_sent.get(chat_id, 0.0) + interval - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last_sent[chat_id] = loop.time()

    async def _send(self, row: OutboxMessage) -> Message:
        payload = row.payload
        raw_markup = payload.get("reply_markup")
        markup = InlineKeyboardMarkup.model_validate(raw_markup) if raw_markup else None
        if row.method == "sendMessage":
            return await self.bot.send_message(row.chat_id, payload["text"], reply_markup=markup)
        media = (
            FSInputFile(payload["file_path"], filename=payload.get("file_name"))
            if payload.get("file_path")
            else payload["file_id"]
        )
        caption = payload.get("text") or None
        if row.method == "sendDocument":
            return await self.bot.send_document(row.chat_id, media, caption=caption, reply_markup=markup)
        if row.method == "sendPhoto":
            return await self.bot.send_photo(row.chat_id, media, caption=caption, reply_markup=markup)
        raise ValueError(f"unknown outbox method {row.method}")

    async def _update(self, row: OutboxMessage, **values: object) -> None:
        async with self.session_factory() as session:
            await Repositories(session).outbox.mark(row.id, **values)
            await session.commit()

    async def _sent(self, row: OutboxMessage, message: Message) -> None:
        await self._update(
            row, state=OutboxState.SENT, sent_at=self.clock.now(), telegram_message_id=message.message_id
        )

    async def _requeue(self, row: OutboxMessage, delay: dt.timedelta, error: str) -> None:
        await self._update(
            row,
            state=OutboxState.PENDING,
            not_before=self.clock.now() + delay,
            last_error=error,
            attempts=row.attempts + 1,
        )

    async def _retry_later(self, row: OutboxMessage, error: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self.settings.outbox_max_attempts:
            await self._fail(row, error)
            return
        delay = min(dt.timedelta(seconds=15 * 2**attempts), MAX_BACKOFF)
        log.warning("outbox: message %s failed (%s); next try in %s", row.id, error, delay)
        await self._update(
            row,
            state=OutboxState.PENDING,
            not_before=self.clock.now() + delay,
            last_error=error,
            attempts=attempts,
        )

    async def _fail(self, row: OutboxMessage, error: str) -> None:
        log.error("outbox: message %s to %s failed for good: %s", row.id, row.chat_id, error)
        await self._update(row, state=OutboxState.FAILED, last_error=error, attempts=row.attempts + 1)

    async def _unreachable(self, row: OutboxMessage, error: str) -> None:
        now = self.clock.now()
        async with self.session_factory() as session:
            repo = Repositories(session)
            await repo.outbox.mark(
                row.id, state=OutboxState.UNREACHABLE, last_error=error, attempts=row.attempts + 1
            )
            await repo.people.mark_unreachable(row.chat_id, now)
            await session.commit()
