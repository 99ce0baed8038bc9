"""SqlStorage: state and data apart, a restart-proof row, and one read per update."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import Role
from storage.db import create_engine, create_session_factory
from storage.fsm import SqlStorage
from storage.migrate import upgrade
from storage.uow import UnitOfWork

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


@pytest.fixture
async def session_factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_session_factory(engine)
    await engine.dispose()


async def test_state_and_data_are_kept_apart_and_outlive_the_storage(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    storage = SqlStorage(session_factory)
    await storage.set_state(KEY, "ReportDialog:comment")
    await storage.set_data(KEY, {"rec_id": 7, "evidence": []})
    await storage.set_data(KEY, {"rec_id": 7, "evidence": [{"kind": "link"}]})
    assert await storage.get_state(KEY) == "ReportDialog:comment"
    await storage.set_state(KEY, None)
    # A new storage object, as after a restart, sees what the old one wrote.
    fresh = SqlStorage(session_factory)
    assert await fresh.get_state(KEY) is None
    assert await fresh.get_data(KEY) == {"rec_id": 7, "evidence": [{"kind": "link"}]}


async def test_one_select_and_one_write_per_update_and_writes_seen_by_later_reads(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    storage = SqlStorage(session_factory)
    await storage.set_data(KEY, {"step": 1})
    selects: list[str] = []
    writes: list[str] = []
    async with UnitOfWork(session_factory) as uow:
        bound = storage.bound(uow.fsm)
        engine = uow.session.get_bind()

        def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            if "fsm_records" not in statement:
                return
            if statement.lstrip().upper().startswith("SELECT"):
                selects.append(statement)
            else:
                writes.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert await bound.get_state(KEY) is None
            data = await bound.get_data(KEY)
            data["step"] = 2  # a caller changing its copy changes nothing stored
            assert await bound.get_data(KEY) == {"step": 1}
            await bound.set_state(KEY, "AddOrg:kind")
            await bound.set_data(KEY, {"step": 3})
            assert await bound.get_state(KEY) == "AddOrg:kind"
            assert await bound.get_data(KEY) == {"step": 3}
            assert writes == []  # held until the update commits
            await uow.commit()
            assert len(writes) == 1  # the state and the data in one statement
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(selects) == 1 and len(writes) == 1
    assert await SqlStorage(session_factory).get_state(KEY) == "AddOrg:kind"
    assert await SqlStorage(session_factory).get_data(KEY) == {"step": 3}


async def test_changes_of_a_failed_update_are_not_written(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    storage = SqlStorage(session_factory)
    await storage.set_state(KEY, "ReportDialog:comment")
    with pytest.raises(RuntimeError, match="the handler failed"):
        async with UnitOfWork(session_factory) as uow:
            bound = storage.bound(uow.fsm)
            await bound.set_state(KEY, "ReportDialog:evidence")
            await bound.set_data(KEY, {"half": "done"})
            raise RuntimeError("the handler failed")
    assert await storage.get_state(KEY) == "ReportDialog:comment"
    assert await storage.get_data(KEY) == {}


class Statements:
    """The statements a unit of work's engine runs, while listening."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        self.seen.append(" ".join(statement.split()))

    def on(self, table: str) -> list[str]:
        return [s for s in self.seen if table in s]


async def test_the_person_and_the_dialog_are_read_in_one_statement_and_an_unchanged_dialog_is_not_written(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    storage = SqlStorage(session_factory)
    await storage.set_state(KEY, "ReportDialog:comment")
    await storage.set_data(KEY, {"rec_id": 7, "evidence": [1]})
    async with UnitOfWork(session_factory) as uow:
        await uow.repo.people.add(KEY.user_id, "Ирина", Role.MEMBER)
    statements = Statements()
    async with UnitOfWork(session_factory) as uow:
        engine = uow.session.get_bind()
        event.listen(engine, "before_cursor_execute", statements)
        try:
            person = await uow.caller(KEY.user_id, storage.key_builder.build(KEY))
            assert person is not None and person.full_name == "Ирина"
            assert await uow.caller(KEY.user_id) is person  # the identity middleware's read: no statement
            bound = storage.bound(uow.fsm)
            assert await bound.get_state(KEY) == "ReportDialog:comment"
            # aiogram writes back what it read: the same state and data, nothing to store.
            await bound.set_state(KEY, "ReportDialog:comment")
            await bound.set_data(KEY, await bound.get_data(KEY))
            await uow.commit()
        finally:
            event.remove(engine, "before_cursor_execute", statements)
    assert len(statements.seen) == 1, statements.seen
    assert "people" in statements.seen[0] and "fsm_records" in statements.seen[0]


async def test_a_dialog_changed_in_place_is_still_written(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    storage = SqlStorage(session_factory)
    await storage.set_data(KEY, {"evidence": [1]})
    statements = Statements()
    async with UnitOfWork(session_factory) as uow:
        engine = uow.session.get_bind()
        event.listen(engine, "before_cursor_execute", statements)
        try:
            bound = storage.bound(uow.fsm)
            data = await bound.get_data(KEY)
            data["evidence"].append(2)  # the list is shared with what was read
            await bound.set_data(KEY, data)
            await bound.set_state(KEY, None)  # no state before, none after
            await uow.commit()
        finally:
            event.remove(engine, "before_cursor_execute", statements)
    assert len([s for s in statements.on("fsm_records") if s.startswith("INSERT")]) == 1
    assert await SqlStorage(session_factory).get_data(KEY) == {"evidence": [1, 2]}
