"""Issue 16, point 7: the region's overview is counted ahead (bot/web/warmup.py), and a request that
comes while it is being counted waits for that count instead of starting a second one. On SQLite the
count runs off the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.composition import create_renderer
from bot.domain.clock import FrozenClock
from bot.domain.scope import REGION, ViewScope
from bot.runtime.app import Runtime
from bot.services import Services
from bot.services.dashboard import DashboardService, OverviewCache
from bot.web.context import WebContext
from bot.web.warmup import OverviewWarmer
from storage.db import create_engine, create_reader_engine, create_session_factory
from storage.repositories import Repositories
from tests.conftest import START, make_settings
from tests.dashboard_data import NORTH, seed


async def test_one_count_per_key_at_a_time() -> None:
    cache = OverviewCache()
    counts = 0
    release = asyncio.Event()

    async def count() -> dict[str, Any]:
        nonlocal counts
        counts += 1
        await release.wait()
        return {"n": counts}

    first = asyncio.create_task(cache.compute("k", count))
    second = asyncio.create_task(cache.compute("k", count))
    await asyncio.sleep(0)
    release.set()
    assert await first == await second == {"n": 1}
    assert counts == 1 and cache.get("k") == {"n": 1}


async def test_a_failed_count_reaches_everyone_waiting_and_caches_nothing() -> None:
    cache = OverviewCache()
    release = asyncio.Event()

    async def count() -> dict[str, Any]:
        await release.wait()
        raise RuntimeError("database went away")

    tasks = [asyncio.create_task(cache.compute("k", count)) for _ in range(2)]
    await asyncio.sleep(0)
    release.set()
    for task in tasks:
        with pytest.raises(RuntimeError, match="went away"):
            await task
    assert cache.get("k") is None


def test_the_warmer_works_only_while_the_dashboard_is_in_use(tmp_path: Path) -> None:
    warmer = OverviewWarmer(context=None, while_used=60)  # type: ignore[arg-type]
    assert warmer.in_use()  # the server's start counts as use
    warmer.last_used = time.monotonic() - 61
    assert not warmer.in_use()
    warmer.touch()
    assert warmer.in_use()


async def test_the_region_is_counted_ahead_and_requests_find_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path, "http://127.0.0.1:9", f"sqlite+aiosqlite:///{tmp_path / 'w.sqlite3'}")
    await seed(settings)
    engine = create_engine(settings.database_url)
    context = WebContext(
        settings, create_session_factory(engine), FrozenClock(START), create_renderer(settings)
    )
    try:
        await OverviewWarmer(context).warm_once()
        counted: list[ViewScope] = []
        real = DashboardService._overview

        async def spy(self: DashboardService, scope: ViewScope, *args: Any) -> dict[str, Any]:
            counted.append(scope)
            return await real(self, scope, *args)

        monkeypatch.setattr(DashboardService, "_overview", spy)
        async with context.session_factory() as session:
            dashboard = Services(Repositories(session), settings, context.clock, context.renderer).dashboard
            everything = await dashboard.overview(REGION, None, context.today())
            assert everything["resolutions"], "the seeded resolution is published"
            for resolution in everything["resolutions"]:
                await dashboard.overview(REGION, resolution["id"], context.today())
            assert counted == []  # every region overview came from what the warmer counted
            await dashboard.overview(ViewScope(NORTH), None, context.today())
            assert counted == [ViewScope(NORTH)]  # a municipality is counted on demand
    finally:
        await engine.dispose()


async def sqlite_thread(engine: AsyncEngine) -> int:
    """The thread SQLite runs the engine's statements in."""

    def with_thread_id(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.create_function("thread_id", 0, threading.get_ident)

    event.listen(engine.sync_engine, "connect", with_thread_id)
    async with create_session_factory(engine)() as session:
        return int(await session.scalar(text("SELECT thread_id()")))


async def test_on_sqlite_the_count_ahead_runs_off_the_event_loop(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite3'}"
    main, reader = create_engine(url), create_reader_engine(url)
    assert reader is not None
    try:
        loop_thread = threading.get_ident()
        assert await sqlite_thread(main) == loop_thread  # the bot's own statements: on the loop
        assert await sqlite_thread(reader) != loop_thread  # counting ahead: in a thread of its own
    finally:
        await main.dispose()
        await reader.dispose()
    # PostgreSQL's driver never holds the loop: the main engine serves.
    assert create_reader_engine("postgresql+asyncpg://bot@127.0.0.1/bot") is None


async def test_the_warmer_counts_with_the_reader_sessions(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "http://127.0.0.1:9", f"sqlite+aiosqlite:///{tmp_path / 'w.sqlite3'}")
    await seed(settings)
    engine, reader = create_engine(settings.database_url), create_reader_engine(settings.database_url)
    assert reader is not None
    opened: list[str] = []
    event.listen(engine.sync_engine, "checkout", lambda *_: opened.append("main"))
    event.listen(reader.sync_engine, "checkout", lambda *_: opened.append("reader"))
    context = WebContext(
        settings,
        create_session_factory(engine),
        FrozenClock(START),
        create_renderer(settings),
        create_session_factory(reader),
    )
    try:
        await OverviewWarmer(context).warm_once()
    finally:
        await engine.dispose()
        await reader.dispose()
    assert opened and set(opened) == {"reader"}


async def test_the_runtime_gives_the_dashboard_one_reader(app: Runtime) -> None:
    first, second = app.web_context(), app.web_context()
    if app.engine.dialect.name == "sqlite":
        assert first.reader_sessions is not None and first.reader_sessions is second.reader_sessions
    else:
        assert first.reader_sessions is None
