"""UnitOfWork: commits on a clean exit, rolls back on an exception, wakes the pump only for new rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Update
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.update_journal import JOURNALED, UpdateJournal
from bot.telegram.middlewares.unit_of_work import UnitOfWorkMiddleware
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import JournaledUpdate, OutboxMessage
from storage.uow import UnitOfWork, active_unit


@pytest.fixture
async def session_factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_session_factory(engine)
    await engine.dispose()


Handler = Callable[[Any, dict[str, Any]], Awaitable[Any]]


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


def journaled_update(update_id: int) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}},
        }
    )


async def take_first_commit(
    session_factory: async_sessionmaker[AsyncSession], update_id: int, handler: Handler
) -> object:
    middleware = UnitOfWorkMiddleware(session_factory, services=lambda repo: None)
    return await middleware(handler, journaled_update(update_id), {JOURNALED: True})


async def in_journal(session_factory: async_sessionmaker[AsyncSession], update_id: int) -> bool:
    """Whether the update is in the journal waiting to be handled."""
    async with session_factory() as session:
        row = await session.get(JournaledUpdate, update_id)
        return row is not None and row.handled_at is None


async def test_a_journaled_update_is_taken_with_its_effects(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Still in the journal (for everyone else) until the update's first commit, gone with it: on
    PostgreSQL the take is made by that commit, on SQLite it is the first statement of the transaction."""
    await UpdateJournal(session_factory).record([{"update_id": 701}])
    seen: list[bool] = []

    async def handler(_event: object, data: dict[str, Any]) -> str:
        seen.append(await in_journal(session_factory, 701))
        await data["uow"].commit()
        seen.append(await in_journal(session_factory, 701))
        return "done"

    assert await take_first_commit(session_factory, 701, handler) == "done"
    assert seen == [True, False]


async def test_an_update_handled_elsewhere_is_skipped_at_its_commit(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Not in the journal when the handler commits (another process took it): nothing is kept, and the
    request the commit came before is not made."""
    requests: list[str] = []

    async def handler(_event: object, data: dict[str, Any]) -> str:
        await data["uow"].repo.outbox.enqueue([message("elsewhere")])
        await data["uow"].commit()  # what CommitBeforeRequest does before a Bot API request
        requests.append("sendMessage")
        return "done"

    assert await take_first_commit(session_factory, 702, handler) is UNHANDLED
    assert requests == []
    assert await outbox_rows(session_factory) == 0


async def test_a_failure_after_another_process_handled_the_update_is_not_raised(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """A handler failing because another process did the same first (its report saved, say) ends
    quietly; a failure of an update still in the journal is raised, and the update taken off."""

    async def failing(_event: object, _data: dict[str, Any]) -> str:
        raise RuntimeError("duplicate key")

    assert await take_first_commit(session_factory, 703, failing) is UNHANDLED
    await UpdateJournal(session_factory).record([{"update_id": 704}])
    with pytest.raises(RuntimeError, match="duplicate key"):
        await take_first_commit(session_factory, 704, failing)
    assert not await in_journal(session_factory, 704)


async def test_a_failure_after_the_update_was_taken_here_is_raised(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Once this update's own commit took it, a later failure is this update's, not another process's:
    raised, for the errors handler to answer."""
    await UpdateJournal(session_factory).record([{"update_id": 705}])

    async def failing_after_commit(_event: object, data: dict[str, Any]) -> str:
        await data["uow"].commit()
        raise RuntimeError("after the commit")

    with pytest.raises(RuntimeError, match="after the commit"):
        await take_first_commit(session_factory, 705, failing_after_commit)
    assert not await in_journal(session_factory, 705)
