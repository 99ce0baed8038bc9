"""The "background" lease: one holder at a time, passed on at expiry or release, and what it guards in
the Runtime (pump and scheduler) starting and stopping with it."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import resources

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.leases import (
    LeaseKeeper,
    current_holder,
    make_holder_id,
    process_scope,
    release,
    try_acquire,
)
from bot.domain import OrgKind
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.runtime.harness import running_bot
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID
from tg_emulator import BotAPIEmulator

SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()

TTL = dt.timedelta(seconds=15)
T0 = dt.datetime(2026, 9, 1, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def acquire(
    sessions: async_sessionmaker[AsyncSession], holder: str, now: dt.datetime, name: str = "background"
) -> bool:
    async with sessions() as session:
        ok = await try_acquire(session, name, holder, TTL, now)
        await session.commit()
    return ok


async def holder_of(sessions: async_sessionmaker[AsyncSession], name: str = "background") -> str | None:
    async with sessions() as session:
        current = await current_holder(session, name)
    return current[0] if current else None


async def test_one_holder_until_expiry_then_the_other(sessions: async_sessionmaker[AsyncSession]) -> None:
    assert await acquire(sessions, "a", T0)
    assert not await acquire(sessions, "b", T0 + dt.timedelta(seconds=1))
    # Renewing moves the expiry on: b still cannot take it where the first expiry would have passed.
    assert await acquire(sessions, "a", T0 + dt.timedelta(seconds=10))
    assert not await acquire(sessions, "b", T0 + dt.timedelta(seconds=20))
    assert await holder_of(sessions) == "a"
    # a stops renewing (killed): once the lease has expired, b takes it, and a cannot renew any more.
    assert await acquire(sessions, "b", T0 + dt.timedelta(seconds=26))
    assert await holder_of(sessions) == "b"
    assert not await acquire(sessions, "a", T0 + dt.timedelta(seconds=27))
    # Another name is another lease.
    assert await acquire(sessions, "a", T0 + dt.timedelta(seconds=27), name="other")


async def test_a_dead_holder_of_this_machine_is_taken_over_before_expiry(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A bot restarted after SIGKILL need not wait out the lease its dead predecessor left behind."""
    if process_scope() == "-":
        pytest.skip("no /proc here: a holder's process cannot be checked, only its lease's expiry")
    host, scope = socket.gethostname()[:60], process_scope()
    finished = await asyncio.create_subprocess_exec("true")
    await finished.wait()
    dead_pid = finished.pid
    dead = f"{host}:{dead_pid}:{scope}:0badc0de"
    earlier_life = f"{host}:{os.getpid()}:{scope}:0ldl1fe0"
    alive = f"{host}:{os.getppid()}:{scope}:0a11ve00"  # the test runner's parent: alive throughout
    elsewhere = f"otherhost:{dead_pid}:0123456789ab:e15ewhe7"  # another machine: cannot be checked

    for gone in (dead, earlier_life):
        assert await acquire(sessions, gone, T0)
        me = make_holder_id()
        assert await acquire(sessions, me, T0 + dt.timedelta(seconds=1)), gone
        assert await holder_of(sessions) == me
        async with sessions() as session:
            await release(session, "background", me)
            await session.commit()

    for living in (alive, elsewhere):
        assert await acquire(sessions, living, T0)
        assert not await acquire(sessions, make_holder_id(), T0 + dt.timedelta(seconds=1)), living
        assert await holder_of(sessions) == living
        async with sessions() as session:
            await release(session, "background", living)
            await session.commit()


async def test_two_keepers_of_one_process_do_not_take_from_each_other(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first, second = make_holder_id(), make_holder_id()
    assert await acquire(sessions, first, T0)
    assert not await acquire(sessions, second, T0 + dt.timedelta(seconds=1))
    assert await holder_of(sessions) == first


async def test_release_hands_it_over_at_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    assert await acquire(sessions, "a", T0)
    async with sessions() as session:
        assert not await release(session, "background", "b")  # only the holder can release it
        assert await release(session, "background", "a")
        await session.commit()
    assert await holder_of(sessions) is None
    assert await acquire(sessions, "b", T0 + dt.timedelta(seconds=1))


async def test_contenders_at_the_same_moment_get_one_holder(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    results = await asyncio.gather(*(acquire(sessions, f"p{i}", T0) for i in range(5)))
    assert sum(results) == 1
    expired = T0 + dt.timedelta(seconds=16)
    results = await asyncio.gather(*(acquire(sessions, f"q{i}", expired) for i in range(5)))
    assert sum(results) == 1


class Guarded:
    """Records what a LeaseKeeper starts and stops."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def hooks(self, name: str) -> tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]:
        async def on_acquired() -> None:
            self.events.append(f"{name} start")

        async def on_lost() -> None:
            self.events.append(f"{name} stop")

        return on_acquired, on_lost


async def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_keepers_hand_over_on_stop_and_on_expiry(sessions: async_sessionmaker[AsyncSession]) -> None:
    guarded = Guarded()
    clock = {"now": T0}

    def keeper(name: str) -> LeaseKeeper:
        on_acquired, on_lost = guarded.hooks(name)
        return LeaseKeeper(
            sessions,
            "background",
            holder=name,
            on_acquired=on_acquired,
            on_lost=on_lost,
            ttl=1.0,
            renew_every=0.05,
            now=lambda: clock["now"],
        )

    a, b = keeper("a"), keeper("b")
    a.start()
    await wait_for(lambda: a.held)
    b.start()
    await asyncio.sleep(0.3)  # several of b's attempts, all refused while a renews
    assert not b.held and guarded.events == ["a start"]

    # A clean stop releases: b takes over without waiting for the expiry (the clock does not move).
    await a.stop()
    await wait_for(lambda: b.held)
    assert guarded.events == ["a start", "a stop", "b start"]

    # c "dies" holding it: b only gets it once the expiry has passed.
    await b.stop()
    assert await acquire(sessions, "c", clock["now"])
    d = keeper("d")
    d.start()
    await asyncio.sleep(0.3)
    assert not d.held
    clock["now"] = T0 + dt.timedelta(seconds=20)
    await wait_for(lambda: d.held)
    await d.stop()
    assert guarded.events[-2:] == ["d start", "d stop"]
    assert await holder_of(sessions) is None


async def test_keeper_stops_guarded_work_when_the_lease_is_taken(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    guarded = Guarded()
    on_acquired, on_lost = guarded.hooks("a")
    clock = {"now": T0}
    a = LeaseKeeper(
        sessions,
        "background",
        holder="a",
        on_acquired=on_acquired,
        on_lost=on_lost,
        ttl=1.0,
        renew_every=0.05,
        now=lambda: clock["now"],
    )
    a.start()
    await wait_for(lambda: a.held)
    # Someone else's row, as after a's renewals had stalled past the expiry: a must notice and stop.
    async with sessions() as session:
        assert await release(session, "background", "a")
        await session.commit()
    assert await acquire(sessions, "z", clock["now"])
    await wait_for(lambda: not a.held)
    assert guarded.events == ["a start", "a stop"]
    await a.stop()
    assert await holder_of(sessions) == "z"  # a never releases what it does not hold


async def test_only_the_lease_holder_runs_pump_and_scheduler(settings: Settings, clock: FrozenClock) -> None:
    async with running_bot(settings, clock) as first:
        await wait_for(lambda: first.lease is not None and first.lease.held)
        assert first.scheduler.scheduler.running
        async with running_bot(settings, clock) as second:
            await asyncio.sleep(0.2)
            assert second.lease is not None and not second.lease.held
            assert not second.scheduler.scheduler.running
    # Each released on its way out: the table is empty again.
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            assert await current_holder(session, "background") is None
    finally:
        await engine.dispose()


async def test_a_runtime_that_wins_the_lease_back_sends_again(
    settings: Settings, clock: FrozenClock, emulator: BotAPIEmulator
) -> None:
    async with Runtime(settings, clock=clock, lease_ttl=1.0, lease_renew_every=0.05) as runtime:
        runtime.start_background()
        lease = runtime.lease
        assert lease is not None
        await wait_for(lambda: lease.held)
        async with runtime.session_factory() as session:
            # Another process took it over (this one's renewals had stalled): pump and scheduler stop.
            await release(session, "background", lease.holder)
            assert await try_acquire(
                session, "background", "z", dt.timedelta(hours=1), dt.datetime.now(dt.UTC)
            )
            await session.commit()
        await wait_for(lambda: not lease.held)
        # on_lost lets a tick in progress finish first (BotScheduler.shutdown), so the stop may trail.
        await wait_for(lambda: not runtime.scheduler.scheduler.running)

        async with runtime.session_factory() as session:
            repo = Repositories(session)
            await seed_org(repo, "МБУ ДО ДДТ", OrgKind.INSTITUTION, "Вяземский район", [8001])
            resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021.md")
            await PublicationService(repo, runtime.renderer).publish(resolution.id, ADMIN_ID, clock.now())
            await session.commit()
        head = emulator.add_user(8001, "Ирина", started=True)
        runtime.pump.poke()
        await asyncio.sleep(0.3)
        assert head.messages == []  # nobody sends while the lease is elsewhere

        async with runtime.session_factory() as session:
            await release(session, "background", "z")
            await session.commit()
        await wait_for(lambda: lease.held)
        assert runtime.scheduler.scheduler.running
        await head.expect(contains="Рекомендация 4.4", timeout=10)
