"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util.concurrency import await_, in_greenlet

from storage import lazy_begin
from storage.sqlite_inline import inline_connector

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
# PostgreSQL connections per process. An update holds one from its first statement to its commit, and
# aiogram handles the updates of different chats at once: UPDATE_CONNECTIONS of them get a connection
# without waiting. The rest is for the background: the outbox pump's workers (8), its progress
# messages, the lease keeper, the scheduler's tick and the update journal. Three processes stay within
# PostgreSQL's default max_connections (100); the pool opens connections only as they are needed.
UPDATE_CONNECTIONS = 20
BACKGROUND_CONNECTIONS = 12
POSTGRES_POOL_SIZE = UPDATE_CONNECTIONS + BACKGROUND_CONNECTIONS
# SQLite: its writers take turns anyway (SqliteWriters), so the pool only has to let readers and the
# one writer of the moment go on together.
SQLITE_POOL_SIZE = 16
# Seconds a statement may wait for another process's write lock.
SQLITE_BUSY_TIMEOUT = 30.0


class DatabaseUrlError(ValueError):
    """DATABASE_URL cannot be used; `key` and `params` are for the caller's catalog (storage has no texts)."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params


def normalize_url(url: str) -> str:
    """Accept the plain scheme people write and pick the async driver for it."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError("db.not_a_url", url=url) from exc
    driver = parsed.drivername
    if driver in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif driver in ("postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise DatabaseUrlError("db.unsupported_driver", driver=driver)
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    url = normalize_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # Opened once and kept, like PostgreSQL's (SQLAlchemy's default of 5 plus 10 overflow opens
            # and closes a connection, a thread and its pragmas, for a fifth of the updates under load).
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", 0)
            # No thread hops: statements run on the event loop (storage/sqlite_inline.py says why
            # that is safe here).
            kwargs.setdefault("async_creator", inline_connector(database, SQLITE_BUSY_TIMEOUT))
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        SqliteWriters().install(engine)
        return engine
    # Every connection the process may need stays open once opened (no overflow connections, which
    # are closed on return: a new one for 10-15 % of updates under load). Past the pool, a task waits
    # its turn in the pool's queue rather than opening more.
    kwargs.setdefault("pool_size", POSTGRES_POOL_SIZE)
    kwargs.setdefault("max_overflow", 0)
    # No pre-ping: it is a round trip per checkout, two or three per update. A connection the server
    # has dropped fails one statement instead, and SQLAlchemy then replaces the pool's connections.
    engine = create_async_engine(url, **kwargs)
    if "isolation_level" not in kwargs:  # an engine asked for another level keeps its transactions
        lazy_begin.install(engine)
    return engine


def create_reader_engine(url: str) -> AsyncEngine | None:
    """For long reads that should not hold the event loop (the dashboard's counting ahead): on SQLite an
    engine of one connection driven by aiosqlite's own thread, in which SQLite runs without the GIL, so
    the loop goes on meanwhile (the main engine runs SQLite on the loop: storage/sqlite_inline.py). Only
    for reads: its statements do not queue with SqliteWriters. None on PostgreSQL, whose driver never
    holds the loop: use the main engine."""
    url = normalize_url(url)
    if not is_sqlite(url):
        return None
    engine = create_async_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}, pool_size=1, max_overflow=0
    )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


class SqliteWriters:
    """A process-level queue for SQLite's one write lock.

    SQLite lets one transaction write at a time; the others sleep and retry inside the busy handler,
    which wakes in growing steps, so under load a writer waits far longer than the lock is held and the
    order is luck. Here a connection about to write first takes an asyncio lock (fair: first come,
    first served), held until the connection goes back to the pool, which a session does when it
    commits or rolls back. Inside one process the busy handler is then only for other processes.
    """

    # As long as SQLite's own busy timeout: a writer that waits longer fails the same way.
    TIMEOUT = SQLITE_BUSY_TIMEOUT
    _HELD = "holds_sqlite_write_lock"

    def __init__(self) -> None:
        self.lock = asyncio.Lock()

    def install(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "before_cursor_execute", self._before_execute)
        event.listen(engine.sync_engine.pool, "checkin", self._released)
        event.listen(engine.sync_engine.pool, "invalidate", self._released)

    def _before_execute(self, conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        info = conn.connection.info  # the pooled connection's, as `checkin` gets it
        if info.get(self._HELD) or not _writes(statement) or not in_greenlet():
            return
        try:
            await_(asyncio.wait_for(self.lock.acquire(), self.TIMEOUT))
        except TimeoutError as exc:
            raise OperationalError(statement, None, Exception("database is locked")) from exc
        info[self._HELD] = True

    def _released(self, _dbapi_connection: Any, record: Any, *_: Any) -> None:
        if record is not None and record.info.pop(self._HELD, False):
            self.lock.release()


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
# `WITH … INSERT/UPDATE/DELETE`: a common table expression in front of a write is still a write.
_WRITE_AFTER_CTE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|REPLACE)\b")


def _writes(statement: str) -> bool:
    head = statement.lstrip()[:7].upper()
    if head.startswith("WITH"):
        return _WRITE_AFTER_CTE.search(statement.upper()) is not None
    return head.startswith(_WRITES)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the outbox pump write while handlers read; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
