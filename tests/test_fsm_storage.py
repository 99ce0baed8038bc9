"""SqlStorage: state and data apart, a restart-proof row, and one read per update."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
