"""SQLite writers of one process queue for the write lock in arrival order, not in the busy handler."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import _writes, create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import OutboxMessage


def message(key: str) -> OutboxMessage:
    return OutboxMessage(dedup_key=key, chat_id=42, method="sendMessage", payload={"text": key})


async def test_writers_wait_their_turn_in_order_while_readers_go_on(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'writers.sqlite3'}")
    await upgrade(engine)
    sessions = create_session_factory(engine)
    finished: list[str] = []

    async def write(key: str) -> None:
        async with sessions() as session:
            session.add(message(key))
            await session.commit()
        finished.append(key)

    try:
        async with sessions() as first:
            first.add(message("first"))
            await first.flush()  # holds the write lock until it commits
            writers = []
            for key in ("w1", "w2", "w3", "w4"):
                writers.append(asyncio.create_task(write(key)))
                await asyncio.sleep(0.02)  # they arrive in this order
            async with sessions() as reader:
                # WAL: a reader is not held up by the queue of writers.
                assert list(await reader.scalars(select(OutboxMessage.dedup_key))) == []
            assert finished == []
            await first.commit()
        await asyncio.gather(*writers)
        assert finished == ["w1", "w2", "w3", "w4"]
        async with sessions() as session:
            assert len(list(await session.scalars(select(OutboxMessage.id)))) == 5
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("SELECT * FROM reports", False),
        ("  insert into reports values (1)", True),
        ("UPDATE people SET role = ?", True),
        ("WITH last AS (SELECT 1) SELECT * FROM last", False),
        ("WITH picked AS (SELECT id FROM outbox LIMIT 8) UPDATE outbox SET state = ?", True),
        ("with rows as (select 1)\ninsert into journal select * from rows", True),
        ("WITH d AS (SELECT 1) DELETE FROM fsm WHERE key IN (SELECT * FROM d)", True),
    ],
)
def test_a_write_behind_a_common_table_expression_takes_the_writers_turn(
    statement: str, writes: bool
) -> None:
    assert _writes(statement) is writes
