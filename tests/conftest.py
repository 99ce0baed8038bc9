from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.runtime.harness import running_bot
from tg_emulator import BotAPIEmulator

TOKEN = "123456:TEST_token_abcdefghijklmnopqrstuvwxyz"
BOT_USERNAME = "forum_tracker_bot"
ADMIN_ID = 1000
START = dt.datetime(2026, 9, 1, 6, 0, tzinfo=dt.UTC)


POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")


def skip_or_fail(reason: str) -> NoReturn:
    """Skipped on a developer's machine without the service; in CI (CI_REQUIRE_SERVICES=1) a failure."""
    if os.environ.get("CI_REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh SQLite file per test; with TEST_DATABASE_URL, a fresh PostgreSQL database per test."""
    if not POSTGRES_URL:
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    async with fresh_postgres_database(POSTGRES_URL) as url:
        yield url


@contextlib.asynccontextmanager
async def fresh_postgres_database(base_url: str) -> AsyncIterator[str]:
    """A database of its own on the shared server, dropped afterwards (also by force, if a killed bot
    process left a connection behind)."""
    import asyncpg

    base = make_url(base_url)
    name = f"t_{uuid.uuid4().hex[:12]}"
    dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        skip_or_fail(f"PostgreSQL at {base.host}:{base.port} is not reachable: {exc}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def redis_url() -> AsyncIterator[str | None]:
    """With TEST_REDIS_URL, dialogs keep their state in Redis (emptied before each test)."""
    if not REDIS_URL:
        yield None
        return
    from redis.asyncio import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = Redis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    except RedisConnectionError as exc:
        await client.aclose()
        skip_or_fail(f"Redis at {REDIS_URL} is not reachable: {exc}")
    yield REDIS_URL
    await client.flushdb()
    await client.aclose()


def make_settings(tmp_path: Path, api_url: str, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": TOKEN,
        "telegram_api_url": api_url,
        "database_url": database_url,
        "admin_ids": frozenset({ADMIN_ID}),
        "evidence_dir": tmp_path / "evidence",
        "digest_dir": tmp_path / "digests",
        "send_rate": 1000.0,
        "scheduler_tick_seconds": 3600.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
async def emulator() -> AsyncIterator[BotAPIEmulator]:
    async with BotAPIEmulator(token=TOKEN, bot_username=BOT_USERNAME, rate_limit=None) as emu:
        yield emu


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path: Path, emulator: BotAPIEmulator, database_url: str, redis_url: str | None) -> Settings:
    return make_settings(tmp_path, emulator.base_url, database_url, redis_url=redis_url)


@pytest.fixture
async def app(settings: Settings, clock: FrozenClock) -> AsyncIterator[Runtime]:
    async with running_bot(settings, clock) as runtime:
        # Tests drive the scheduler's tick by hand; the start-up tick must not run in between.
        await asyncio.wait_for(runtime.scheduler.caught_up.wait(), timeout=30)
        yield runtime
