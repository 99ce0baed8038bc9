"""APScheduler drives one periodic tick; its in-memory job store is rebuilt at every start on purpose."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from scheduler.jobs import SchedulerJobs

log = logging.getLogger(__name__)


class BotScheduler:
    def __init__(self, jobs: SchedulerJobs, settings: Settings) -> None:
        self.jobs = jobs
        # Set once the start-up tick is over: what fell due while the bot was down has been enqueued.
        self.caught_up = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self.scheduler = AsyncIOScheduler(timezone=settings.tz)
        self.scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=settings.scheduler_tick_seconds),
            id="tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            # The first tick right at start: whatever fell due while the bot was down goes out now.
            next_run_time=dt.datetime.now(settings.tz),
        )

    async def _tick(self) -> None:
        self._idle.clear()
        try:
            result = await self.jobs.tick()
        finally:
            self.caught_up.set()
            self._idle.set()
        if result.enqueued:
            log.info(
                "scheduler: %d digest, %d reminder, %d nudge message(s) enqueued",
                result.digests,
                result.reminders,
                result.nudges,
            )

    def start(self) -> None:
        self.scheduler.start()

    async def shutdown(self, grace: float = 10.0) -> None:
        """Lets a tick in progress finish before stopping: cancelling it half-way would only throw its work
        away (each step commits on its own, so the next start would redo it) and log a traceback."""
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace)
        self.scheduler.shutdown(wait=False)
