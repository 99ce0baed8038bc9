"""APScheduler drives one periodic tick; its in-memory job store is rebuilt at every start on purpose."""

from __future__ import annotations

import asyncio
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
        try:
            result = await self.jobs.tick()
        finally:
            self.caught_up.set()
        if result.enqueued:
            log.info(
                "scheduler: %d digest, %d reminder, %d nudge message(s) enqueued",
                result.digests,
                result.reminders,
                result.nudges,
            )

    def start(self) -> None:
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
