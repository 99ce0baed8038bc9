"""Stopping the scheduler while its tick is running: the tick finishes, nothing is cancelled half-way."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.config import Settings
from bot.domain.clock import FrozenClock
from bot.telegram.outgoing import TelegramRenderer
from scheduler.jobs import SchedulerJobs, TickResult
from scheduler.service import BotScheduler


class HeldTick(SchedulerJobs):
    """A tick that stays in progress until the test lets it go."""

    def __init__(self, settings: Settings, clock: FrozenClock) -> None:
        super().__init__(async_sessionmaker(), settings, clock, TelegramRenderer(settings.locale))
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = False

    async def tick(self) -> TickResult:
        self.entered.set()
        await self.release.wait()
        self.finished = True
        return TickResult()


async def test_shutdown_waits_for_the_tick_in_hand(
    settings: Settings, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = HeldTick(settings, clock)
    scheduler = BotScheduler(jobs, settings)
    scheduler.start()
    await asyncio.wait_for(jobs.entered.wait(), timeout=10)

    stopping = asyncio.create_task(scheduler.shutdown())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not stopping.done(), "shutdown must wait for the running tick"

    jobs.release.set()
    await asyncio.wait_for(stopping, timeout=10)
    assert jobs.finished and scheduler.caught_up.is_set()
    assert not scheduler.scheduler.running
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


async def test_shutdown_of_an_idle_or_stopped_scheduler_returns_at_once(
    settings: Settings, clock: FrozenClock
) -> None:
    scheduler = BotScheduler(HeldTick(settings, clock), settings)
    await scheduler.shutdown()
    assert not scheduler.scheduler.running
