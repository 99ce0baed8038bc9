"""UnitOfWork: commits on a clean exit, rolls back on an exception, wakes the pump only for new rows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import OutboxMessage
from storage.uow import UnitOfWork, active_unit


@pytest.fixture
async def session_factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_session_factory(engine)
    await engine.dispose()


def message(key: str) -> dict[str, object]:
    return {"dedup_key": key, "chat_id": 42, "method": "sendMessage", "payload": {"text": key}}


async def outbox_rows(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_the_pump_is_woken_after_the_commit_that_carries_new_rows(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    seen: list[int] = []

    async def wake() -> None:
        seen.append(await outbox_rows(session_factory))

    pokes: list[int] = []
    async with UnitOfWork(session_factory, on_outbox=lambda: pokes.append(1)) as uow:
        assert active_unit() is uow
        await uow.repo.outbox.enqueue([message("a")])
        assert pokes == []  # not before the rows are durable
        await uow.commit()
        assert pokes == [1]
        await wake()
        await uow.commit()  # nothing new: no second wake-up
        assert pokes == [1]
    assert active_unit() is None
    assert seen == [1]


async def test_a_failed_unit_writes_nothing_and_wakes_nobody(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    pokes: list[int] = []
    with pytest.raises(RuntimeError, match="refused"):
        async with UnitOfWork(session_factory, on_outbox=lambda: pokes.append(1)) as uow:
            await uow.repo.outbox.enqueue([message("b")])
            raise RuntimeError("refused")
    assert pokes == []
    assert await outbox_rows(session_factory) == 0


async def test_services_are_built_once_per_unit_on_its_repositories(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with UnitOfWork(session_factory, services=lambda repo: ("services of", repo)) as uow:
        assert uow.services == ("services of", uow.repo)
        assert uow.repo.session is uow.session
