"""PostgreSQL: a transaction begins with its first write, not with its first statement.

SQLAlchemy's asyncpg driver sends BEGIN before the first statement of every transaction and COMMIT at the
end: two round trips more for each unit of work, even for one that only reads. Most updates read the
person, the dialog and the item they are about, and then write one statement (the dialog's next step,
with the update marked handled in the journal in the same statement: storage/fsm.py). Here the
statements before the first write run on their own (the driver's autocommit), and the first write opens
the transaction the rest of the unit of work runs in; a unit of work that wrote nothing ends without a
round trip.

Why this changes nothing the code relies on. At PostgreSQL's READ COMMITTED level (the server's default,
and this project's) every statement sees the data committed when it starts, inside a transaction or not,
and a plain SELECT takes no lock a writer waits for: a read before the first write sees what it would
have seen inside the transaction. Reads that lock rows (`FOR UPDATE`, `FOR SHARE`) count as writes, and
so do streamed reads (a server-side cursor lives only inside a transaction). A connection given an
explicit isolation level (the update journal's autocommit), an engine made with one, and a server whose
default level is stricter (one snapshot per transaction) keep their transactions as they are.

A statement marked with `ALONE` (execution option) may run on its own when no write came before it: a
single statement is atomic by itself, so it needs no BEGIN and COMMIT around it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect, ExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine

# Execution option of a statement that is atomic on its own (one statement; see the module docstring).
ALONE = "atomic_alone"

# Inside a SELECT or a WITH: a write (`WITH … DELETE … RETURNING`) or a lock taken on the rows read.
_WRITE_INSIDE = re.compile(
    r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b|\bFOR\s+(?:NO\s+KEY\s+|KEY\s+)?(?:UPDATE|SHARE)\b"
)


@lru_cache(maxsize=1024)
def begins_transaction(statement: str) -> bool:
    """Whether the statement writes (or locks), and so must run inside the unit of work's transaction.
    Anything but a plain SELECT (or WITH … SELECT) does: an unknown statement is given the transaction.
    Cached: SQLAlchemy hands over the same compiled strings again and again."""
    head = statement[:12].lstrip().upper()
    if head.startswith(("SELECT", "WITH")):
        return _WRITE_INSIDE.search(statement.upper()) is not None
    return True


def install(engine: AsyncEngine) -> None:
    """Reads run on their own until the first write of each transaction (PostgreSQL engines only)."""
    sync = engine.sync_engine

    def reads_on_their_own(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if _lazy(sync.dialect):
            # Back from the pool at the default level (SQLAlchemy resets any other).
            dbapi_connection.autocommit = True

    event.listen(sync.pool, "checkout", reads_on_their_own)
    event.listen(sync, "before_cursor_execute", _begin_at_first_write)
    event.listen(sync, "commit", _rearm)
    event.listen(sync, "rollback", _rearm)


def _chosen_isolation(conn: Connection) -> bool:
    return conn.get_execution_options().get("isolation_level") is not None


def _begin_at_first_write(
    conn: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    context: ExecutionContext | None,
    _executemany: bool,
) -> None:
    dbapi = conn.connection.dbapi_connection
    if dbapi is None or not dbapi.autocommit or _chosen_isolation(conn):
        return
    options = context.execution_options if context is not None else {}
    if options.get(ALONE):
        return
    # A streamed read (`stream()`, `yield_per`) runs on a server-side cursor, which PostgreSQL keeps
    # only inside a transaction.
    if begins_transaction(statement) or options.get("stream_results") or options.get("yield_per"):
        # The driver opens the transaction for this very statement (BEGIN, then the statement).
        dbapi.autocommit = False


def _rearm(conn: Connection) -> None:
    # Called before the driver's COMMIT or ROLLBACK, which end the transaction whatever the flag says.
    if conn.invalidated or conn.closed:
        return  # nothing to end; asking for the connection now would open a new one
    dbapi = conn.connection.dbapi_connection
    if dbapi is not None and not _chosen_isolation(conn) and _lazy(conn.dialect):
        dbapi.autocommit = True


def _lazy(dialect: Dialect) -> bool:
    # Only at READ COMMITTED (see the module docstring): a server whose default is a stricter level keeps
    # one snapshot per transaction, which its reads must share.
    return dialect.default_isolation_level == "READ COMMITTED"
