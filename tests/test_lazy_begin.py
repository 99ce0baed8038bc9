"""PostgreSQL transactions begin at their first write (storage/lazy_begin.py), and a journaled update's
dialog step is one statement (storage/fsm.py, storage/uow.py).

Always on PostgreSQL (TEST_DATABASE_URL's server, or the local one): what is tested is what the server
sees of a connection — in a transaction or not, holding a lock or not — which SQLite has no notion of.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import asyncpg.transaction
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.lazy_begin import begins_transaction
from storage.migrate import upgrade
from storage.models import FsmRecord, JournaledUpdate
from storage.uow import HandledElsewhere, UnitOfWork
from tests.processes import fresh_database

KEY = "bot:42:42"


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    async with fresh_database() as url:
        engine = create_engine(url)
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY)"))
        yield engine
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def observer(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """A connection of its own, to look at the others from outside."""
    url = make_url(engine.url).set(drivername="postgresql")
    conn = await asyncpg.connect(url.render_as_string(hide_password=False))
    yield conn
    await conn.close()


async def state_of(observer: asyncpg.Connection, pid: int) -> str:
    state: str = await observer.fetchval("SELECT state FROM pg_stat_activity WHERE pid = $1", pid)
    return state


async def backend_pid(session: AsyncSession) -> int:
    return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


def statements_of(engine: AsyncEngine) -> list[str]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement.split()[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("SELECT people.id, people.updated_at, update_journal.update_id FROM people", False),
        ("WITH recent AS (SELECT id FROM reports) SELECT count(*) FROM recent", False),
        ("SELECT outbox.id FROM outbox WHERE outbox.state = $1 FOR UPDATE SKIP LOCKED", True),
        ("SELECT leases.name FROM leases FOR NO KEY UPDATE", True),
        ("SELECT reports.id FROM reports FOR SHARE", True),
        ("WITH taken AS (DELETE FROM update_journal RETURNING update_id) SELECT * FROM taken", True),
        ("INSERT INTO scratch (id) VALUES ($1)", True),
        ("  update reports set status = $1", True),
        ("DELETE FROM scratch", True),
        ("SAVEPOINT sa_savepoint_1", True),
        ("SHOW transaction_isolation", True),  # unknown statements get the transaction
    ],
)
def test_what_counts_as_a_write(statement: str, writes: bool) -> None:
    assert begins_transaction(statement) is writes


async def test_reads_leave_no_transaction_open_and_the_first_write_opens_one(
    sessions: async_sessionmaker[AsyncSession], observer: asyncpg.Connection
) -> None:
    async with sessions() as session:
        pid = await backend_pid(session)
        await session.scalar(select(func.count()).select_from(FsmRecord))
        assert await state_of(observer, pid) == "idle"
        await session.execute(text("INSERT INTO scratch (id) VALUES (1)"))
        await session.execute(text("INSERT INTO scratch (id) VALUES (2)"))
        assert await state_of(observer, pid) == "idle in transaction"
        assert await observer.fetchval("SELECT count(*) FROM scratch") == 0  # not yet committed
        await session.commit()
        assert await state_of(observer, pid) == "idle"
        # After the commit the next transaction is lazy again.
        await session.scalar(text("SELECT 1"))
        assert await state_of(observer, pid) == "idle"
    assert await observer.fetchval("SELECT count(*) FROM scratch") == 2


async def test_writes_after_the_first_roll_back_together(
    sessions: async_sessionmaker[AsyncSession], observer: asyncpg.Connection
) -> None:
    async with sessions() as session:
        await session.scalar(text("SELECT 1"))
        await session.execute(text("INSERT INTO scratch (id) VALUES (1)"))
        await session.execute(text("INSERT INTO scratch (id) VALUES (2)"))
        await session.rollback()
    assert await observer.fetchval("SELECT count(*) FROM scratch") == 0


async def test_a_read_that_locks_rows_holds_its_lock_until_the_commit(
    sessions: async_sessionmaker[AsyncSession], observer: asyncpg.Connection
) -> None:
    await observer.execute("INSERT INTO scratch (id) VALUES (7)")
    async with sessions() as session:
        await session.execute(text("SELECT id FROM scratch WHERE id = 7 FOR UPDATE"))
        with pytest.raises(asyncpg.LockNotAvailableError):
            await observer.execute("SELECT id FROM scratch WHERE id = 7 FOR UPDATE NOWAIT")
        await session.commit()
    assert await observer.fetchval("SELECT id FROM scratch WHERE id = 7 FOR UPDATE NOWAIT") == 7


async def test_an_explicit_autocommit_is_kept(
    sessions: async_sessionmaker[AsyncSession], observer: asyncpg.Connection
) -> None:
    async with sessions() as session:
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        await session.execute(text("INSERT INTO scratch (id) VALUES (3)"))
        assert await observer.fetchval("SELECT count(*) FROM scratch") == 1  # committed at once
        await session.rollback()
    assert await observer.fetchval("SELECT count(*) FROM scratch") == 1


async def journal(sessions: async_sessionmaker[AsyncSession], update_id: int) -> None:
    async with sessions() as session:
        session.add(JournaledUpdate(update_id=update_id, payload={"update_id": update_id}))
        await session.commit()


async def dialog_state(sessions: async_sessionmaker[AsyncSession]) -> str | None:
    async with sessions() as session:
        return await session.scalar(select(FsmRecord.state).where(FsmRecord.key == KEY))


def transactions_begun(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every transaction block the driver opens (asyncpg sends BEGIN from Transaction.start)."""
    begun: list[object] = []
    start = asyncpg.transaction.Transaction.start

    async def counted(self: asyncpg.transaction.Transaction) -> None:
        begun.append(self)
        await start(self)

    monkeypatch.setattr(asyncpg.transaction.Transaction, "start", counted)
    return begun


async def test_a_dialog_step_is_one_statement_with_the_journal(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    await journal(sessions, 501)
    seen = statements_of(engine)
    begun = transactions_begun(monkeypatch)
    async with UnitOfWork(sessions) as uow:
        assert (await uow.fsm.get(KEY))["state"] is None
        uow.fsm.set(KEY, "state", "Report:comment")
        assert await uow.claim(501)
    # The read, then the journal's take and the dialog's write in one statement: no BEGIN, no COMMIT.
    assert seen == ["SELECT", "WITH"]
    assert begun == []
    assert await dialog_state(sessions) == "Report:comment"
    async with sessions() as session:
        row = await session.get(JournaledUpdate, 501)
        assert row is not None and row.handled_at is not None


async def test_a_step_that_writes_more_takes_the_journal_in_its_transaction(
    sessions: async_sessionmaker[AsyncSession],
    observer: asyncpg.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await journal(sessions, 502)
    begun = transactions_begun(monkeypatch)
    async with UnitOfWork(sessions) as uow:
        await uow.session.execute(text("INSERT INTO scratch (id) VALUES (5)"))
        uow.fsm.set(KEY, "state", "Report:evidence")
        assert await uow.claim(502)
    assert len(begun) == 1
    assert await observer.fetchval("SELECT count(*) FROM scratch") == 1
    assert await observer.fetchval("SELECT count(*) FROM update_journal WHERE handled_at IS NULL") == 0
    assert await dialog_state(sessions) == "Report:evidence"


async def test_an_update_handled_elsewhere_writes_nothing(
    sessions: async_sessionmaker[AsyncSession], observer: asyncpg.Connection
) -> None:
    """Not in the journal at the commit (another process took it): neither the dialog nor the rest is
    written, and the unit of work says so instead of committing."""
    with pytest.raises(HandledElsewhere):
        async with UnitOfWork(sessions) as uow:
            await uow.session.execute(text("INSERT INTO scratch (id) VALUES (6)"))
            uow.fsm.set(KEY, "state", "Report:confirm")
            assert await uow.claim(503)
    assert await observer.fetchval("SELECT count(*) FROM scratch") == 0
    assert await dialog_state(sessions) is None

    with pytest.raises(HandledElsewhere):
        async with UnitOfWork(sessions) as uow:
            uow.fsm.set(KEY, "state", "Report:confirm")
            assert await uow.claim(504)
    assert await dialog_state(sessions) is None


async def test_two_dialog_rows_and_the_journal_are_one_transaction(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    await journal(sessions, 505)
    begun = transactions_begun(monkeypatch)
    async with UnitOfWork(sessions) as uow:
        uow.fsm.set(KEY, "state", "Report:comment")
        uow.fsm.set("bot:42:43", "data", {"rec_id": 7})
        assert await uow.claim(505)
    assert len(begun) == 1  # neither write goes alone: a crash between them would lose the second
    assert await dialog_state(sessions) == "Report:comment"


async def test_a_streamed_read_gets_the_transaction_its_cursor_needs(
    sessions: async_sessionmaker[AsyncSession], observer: asyncpg.Connection
) -> None:
    """A server-side cursor (the digest's `stream` with `yield_per`) exists only inside a transaction."""
    await observer.execute("INSERT INTO scratch (id) SELECT generate_series(1, 25)")
    async with sessions() as session:
        statement = text("SELECT id FROM scratch ORDER BY id").execution_options(yield_per=10)
        result = await session.stream(statement)
        ids = [row.id async for row in result]
        await session.commit()
    assert ids == list(range(1, 26))
