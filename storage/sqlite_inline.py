"""SQLite driven from the event loop: the aiosqlite interface SQLAlchemy uses, without aiosqlite's thread.

aiosqlite runs every call in a thread of its own connection and hands the result back through the
event loop: four thread hops per statement (cursor, execute, fetch, close), each a wake-up of both
threads, for work that takes SQLite microseconds. Here the same calls run on the loop's thread.

That is sound because nothing in this process waits for SQLite's lock while holding the loop:
- no transaction stays open across a network call (the unit of work commits before each request);
- writers of the process queue for the write lock on an asyncio lock before they execute
  (storage/db.py, SqliteWriters), so SQLite's busy handler never sleeps for a writer of this process;
- WAL readers never wait for writers.
Only another process writing the same file can make a statement wait (up to the busy timeout), which
is why several processes are to use PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """SQLAlchemy sets the isolation level by queueing a call for aiosqlite's thread (`_tx`)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class InlineConnection:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._tx = _RunNow()

    @property
    def _connection(self) -> sqlite3.Connection | None:
        # SQLAlchemy's adapter skips commit and rollback on a closed connection by this attribute.
        return self._conn

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("Connection closed")
        return self._conn

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._live().cursor())

    @property
    def isolation_level(self) -> str | None:
        return self._live().isolation_level

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._live().create_function(*args, **kwargs)

    async def commit(self) -> None:
        self._live().commit()

    async def rollback(self) -> None:
        self._live().rollback()

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def inline_connector(database: str, timeout: float) -> Callable[[], Any]:
    """An `async_creator` for create_async_engine("sqlite+aiosqlite://...")."""

    async def connect() -> InlineConnection:
        # check_same_thread off: the pool may close a connection from a finalizer's thread.
        return InlineConnection(sqlite3.connect(database, timeout=timeout, check_same_thread=False))

    return connect
