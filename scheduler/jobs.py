"""The scheduler's one tick: find what fell due (also while the bot was down), claim it, enqueue it.

The truth is the `scheduled_runs` table, not APScheduler's memory: an occurrence's unique key is claimed
in the same transaction that enqueues its messages, so it is sent once after a restart and once when
two processes tick at the same moment.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.domain.clock import Clock
from bot.services.ports import MessageRenderer
from bot.services.reminders import ReminderBatch, ReminderService
from bot.services.review import ReviewService
from storage.repositories import Repositories

log = logging.getLogger(__name__)

DigestStep = Callable[[Repositories, dt.datetime, dt.datetime], Awaitable[int]]
Step = Callable[[Repositories], Awaitable[int]]


@dataclass
class TickResult:
    digests: int = 0
    reminders: int = 0
    nudges: int = 0
    snoozes: int = 0
    review_notices: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def enqueued(self) -> bool:
        return bool(self.digests or self.reminders or self.nudges or self.snoozes or self.review_notices)


class SchedulerJobs:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
        renderer: MessageRenderer,
        digest_step: DigestStep | None = None,
        on_outbox: Callable[[], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.clock = clock
        self.renderer = renderer
        self.digest_step = digest_step
        self.on_outbox = on_outbox

    async def horizon(self) -> dt.datetime:
        """Occurrences before the first tick ever are history, not debts: a new install owes nothing."""
        async with self.session_factory() as session:
            repo = Repositories(session)
            await repo.schedule.claim("install", "scheduler", "first-tick", self.clock.now())
            await session.commit()
            first = await repo.schedule.first("install", "scheduler")
        assert first is not None
        return first.due_at

    def _steps(self, now: dt.datetime, horizon: dt.datetime) -> list[tuple[str, Step]]:
        steps: list[tuple[str, Step]] = []
        if self.digest_step is not None:
            digest_step = self.digest_step
            steps.append(("digests", lambda repo: digest_step(repo, now, horizon)))

        def reminders(repo: Repositories) -> ReminderService:
            return ReminderService(repo, self.settings, self.renderer)

        steps.append(("reminders", lambda repo: _messages(reminders(repo).deadline_reminders(now, horizon))))
        steps.append(("nudges", lambda repo: _messages(reminders(repo).silence_nudges(now, horizon))))
        # After the regular reminders: a snooze due with one of them is not sent a second time.
        steps.append(("snoozes", lambda repo: _messages(reminders(repo).snoozed_reminders(now))))
        steps.append(
            (
                "review_notices",
                lambda repo: ReviewService(repo, self.settings, self.renderer).announce(now, horizon),
            )
        )
        return steps

    async def tick(self) -> TickResult:
        now = self.clock.now()
        result = TickResult()
        for name, step in self._steps(now, await self.horizon()):
            # Each step commits on its own: a failing digest must not hold back a deadline reminder.
            try:
                async with self.session_factory() as session:
                    count = await step(Repositories(session))
                    await session.commit()
            except Exception:
                log.exception("scheduler step %s failed; it is retried at the next tick", name)
                result.failed.append(name)
                continue
            setattr(result, name, count)
        if result.enqueued and self.on_outbox is not None:
            self.on_outbox()
        return result


async def _messages(batch: Awaitable[ReminderBatch]) -> int:
    return (await batch).messages
