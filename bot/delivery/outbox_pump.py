"""The only path from the outbox table to Telegram: at Telegram's limits, resumable, at most once per row.

Scheduling: each round claims the oldest pending message of chats that may be sent to now (one per chat,
see `OutboxRepo.claim_heads`), and every claimed row gets a task that waits for one of `WORKERS` send
slots and a token of the shared `SendLimiter`. A chat's next message is claimed only once its previous
one is answered and the per-chat interval has passed, so the workers always have other chats to serve.

A row is `sending` while it is claimed and `sent` the moment Telegram confirms it; a slot is held from
the request until that commit. So the only messages a crash can repeat are those answered by Telegram
and not yet recorded: at most one per slot, `WORKERS` in all, whatever the timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
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
from bot.delivery.rate_limit import SendLimiter
from bot.domain import OutboxState
from bot.domain.clock import Clock
from storage.models import OutboxMessage
from storage.repositories import Repositories

log = logging.getLogger(__name__)

# Sends in flight at once: also the most messages a crash can ever repeat (see the module docstring).
WORKERS = 8
IN_PLACE_RETRIES = 3
# Consecutive 429s a row waits out in place before it goes back to the table with the delay.
IN_PLACE_RATE_LIMITS = 5
MAX_BACKOFF = dt.timedelta(minutes=30)
IDLE_WAIT = 5.0
# How long a round waits for a send to finish before it looks for newly due rows anyway.
ROUND_WAIT = 0.5
# The progress hooks read counts: running them on every answered send would cost more than the sends.
HOOK_EVERY = 0.5
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
        limiter: SendLimiter | None = None,
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.settings = settings
        self.clock = clock
        self.limiter = limiter or SendLimiter(settings.send_rate, settings.per_chat_interval)
        self._slots = asyncio.Semaphore(WORKERS)
        # Claimed rows by chat: a chat here has its next message claimed or in flight.
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._touched: set[str] = set()
        self._hooks_run_at = 0.0
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._running = False
        self._stopping = False
        self._halt = asyncio.Event()
        self._stopped = asyncio.Event()
        self.after_round: list[AfterRound] = []

    @property
    def queue_target(self) -> int:
        """Rows claimed ahead of the slots: about a second of sending, so claims stay few and cheap."""
        return max(2 * WORKERS, int(self.settings.send_rate))

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
                # Cleared before the round, not before the wait after it: a poke that comes while the
                # round looks for rows (committed just after its query) must still cut the wait short.
                self._wake.clear()
                try:
                    handled = await self.run_once()
                except Exception:
                    log.exception("outbox round failed; retrying shortly")
                    handled = 0
                    await asyncio.sleep(1.0)
                if not handled and not self._stopping:
                    await self._idle_wait()
            await self._settle()
        finally:
            for task in self._tasks.values():
                task.cancel()
            self._running = False
            self._stopped.set()

    async def _idle_wait(self) -> None:
        """Nothing to do now: sleep until poked, or until a deferred chat may be sent to again."""
        waits = self.limiter.waiting_chats().values()
        timeout = min([IDLE_WAIT, *waits])
        self._idle.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=timeout)
        self._idle.clear()

    def rearm(self) -> None:
        """Make a stopped pump runnable again: a process that wins the background lease back resumes."""
        self._stopping = False
        self._halt = asyncio.Event()
        self._stopped = asyncio.Event()

    async def stop(self, timeout: float = STOP_TIMEOUT) -> None:  # noqa: ASYNC109 - a grace period
        """Ends `run()` between two sends, never between a send and its record: a stop that cancelled
        there would leave a delivered message `sending`, and the next start would send it again.
        Claimed rows not yet requested stay `sending` and go out after the next start (`recover`)."""
        self._stopping = True
        self._halt.set()
        self._wake.set()
        if self._running:
            try:
                await asyncio.wait_for(self._stopped.wait(), timeout)
            except TimeoutError:
                # The caller cancels the pump next: a send still unanswered may go out again after restart.
                log.warning("outbox: still sending after %ss; stopping anyway", timeout)

    async def run_once(self) -> int:
        """Claims what may go now, then waits for the first send to finish (never for the slowest).
        Returns how many rows were claimed or finished; 0 means nothing is due and nothing in flight."""
        claimed = await self._claim() if not self._stopping else 0
        if not self._tasks:
            await self._run_hooks(force=True)
            return claimed
        done, _ = await asyncio.wait(
            set(self._tasks.values()), timeout=ROUND_WAIT, return_when=asyncio.FIRST_COMPLETED
        )
        await self._run_hooks(force=not self._tasks)
        return claimed + len(done) or len(self._tasks)

    async def drain(self, max_rounds: int = 100_000) -> None:
        """Send everything due now (waiting out per-chat intervals); tests and the CLI use it instead of
        the background loop."""
        for _ in range(max_rounds):
            if await self.run_once():
                continue
            async with self.session_factory() as session:
                due = await Repositories(session).outbox.has_due(self.clock.now())
            waits = self.limiter.waiting_chats().values()
            if not due or not waits:
                return
            await asyncio.sleep(min(waits))

    async def _claim(self) -> int:
        if len(self._tasks) > self.queue_target // 2:
            return 0
        busy = set(self._tasks) | set(self.limiter.waiting_chats())
        async with self.session_factory() as session:
            rows = await Repositories(session).outbox.claim_heads(
                self.clock.now(), self.queue_target - len(self._tasks), busy
            )
            await session.commit()
        for row in rows:
            self._tasks[row.chat_id] = asyncio.create_task(self._run_row(row))
        return len(rows)

    async def _run_row(self, row: OutboxMessage) -> None:
        try:
            await self._deliver(row)
        except Exception:
            # The row stays `sending`; the next start sends it (it was not answered, or this is a bug).
            log.exception("outbox: message %s to %s could not be handled", row.id, row.chat_id)
        finally:
            self._tasks.pop(row.chat_id, None)
            if row.batch:
                self._touched.add(row.batch)

    async def _run_hooks(self, *, force: bool) -> None:
        now = time.monotonic()
        if not self._touched or (not force and now - self._hooks_run_at < HOOK_EVERY):
            return
        touched, self._touched = self._touched, set()
        self._hooks_run_at = now
        for hook in self.after_round:
            await hook(touched)

    async def _settle(self) -> None:
        """A stop lets every task end: those not yet requested give up at once, the rest are recorded."""
        if self._tasks:
            await asyncio.wait(set(self._tasks.values()))
        await self._run_hooks(force=True)

    async def _deliver(self, row: OutboxMessage) -> None:
        attempt = rate_limited = 0
        while True:
            wait = self.limiter.chat_wait(row.chat_id)
            if wait > 0:
                # Outside a slot: a chat told to wait must not hold up the others.
                await self._pause(wait)
            async with self._slots:
                await self.limiter.acquire()
                if self._stopping:
                    # Not requested yet (maybe a retry after a long pause): it waits for the next start.
                    return
                if self.limiter.chat_wait(row.chat_id) > 0:
                    # A direct answer to this chat started meanwhile: it goes first.
                    continue
                outcome = await self._attempt(row)
            if outcome is None:
                return
            if isinstance(outcome, TelegramRetryAfter):
                rate_limited += 1
                if rate_limited > IN_PLACE_RATE_LIMITS:
                    delay = dt.timedelta(seconds=outcome.retry_after)
                    await self._requeue(row, delay, f"429 retry_after={outcome.retry_after}")
                    return
                continue
            attempt += 1
            if attempt > IN_PLACE_RETRIES:
                await self._retry_later(row, str(outcome))
                return
            await self._pause(min(0.25 * 2**attempt, 4.0))

    async def _pause(self, seconds: float) -> None:
        """Sleeps, but no longer than until a stop: the row then waits for the next start."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._halt.wait(), seconds)

    async def _attempt(self, row: OutboxMessage) -> Exception | None:
        """One request and its record. Returns the error to retry on, or None when the row is settled."""
        try:
            message = await self._send(row)
        except TelegramRetryAfter as exc:
            if self.limiter.too_many_requests(row.chat_id, exc.retry_after):
                log.info("outbox: 429 for everyone, pausing %ss", exc.retry_after)
            return exc
        except TelegramForbiddenError as exc:
            await self._unreachable(row, exc.message)
        except TelegramBadRequest as exc:
            if "chat not found" in exc.message.lower():
                await self._unreachable(row, exc.message)
            else:
                await self._fail(row, exc.message)
        except (TelegramServerError, TelegramNetworkError) as exc:
            return exc
        except FileNotFoundError as exc:
            await self._fail(row, f"file missing: {exc.filename}")
        else:
            self.limiter.sent(row.chat_id)
            await self._sent(row, message)
        return None

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
        # Telegram kept refusing for its limits: no fault of the row, so no attempt is counted.
        await self._update(
            row, state=OutboxState.PENDING, not_before=self.clock.now() + delay, last_error=error
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
