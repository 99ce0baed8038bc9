"""Alembic stairway: every revision upgrades, downgrades and upgrades again; the head matches the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from storage.db import create_engine
from storage.migrate import downgrade, revisions_in_order, upgrade
from storage.models import Base

REVISIONS = revisions_in_order()


@pytest.mark.parametrize("revision", REVISIONS)
async def test_stairway(database_url: str, revision: str) -> None:
    engine = create_engine(database_url)
    try:
        index = REVISIONS.index(revision)
        previous = REVISIONS[index - 1] if index else "base"
        await upgrade(engine, revision)
        await downgrade(engine, previous)
        await upgrade(engine, revision)
    finally:
        await downgrade(engine, "base")
        await engine.dispose()


async def test_head_matches_models(database_url: str) -> None:
    engine = create_engine(database_url)

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await downgrade(engine, "base")
        await engine.dispose()
