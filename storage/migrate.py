"""Alembic driven from code, so `python -m bot` can upgrade before it starts.

Alembic (with Mako and Pygments behind it: about a hundred modules and 9 MB) is imported only when there
is something to migrate. A start on a database already at the head, which is every restart, sees that
from the version table and the revision lines of the migration files, and never loads it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# What a revision file declares, as Alembic's template writes it: `revision: str = "0007"` and
# `down_revision: str | None = "0006"` (None for the first). Anything else (a merge revision's tuple)
# makes the heads unknown here, and Alembic decides.
_REVISION = re.compile(r"^revision(?:\s*:[^=\n]*)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(
    r"^down_revision(?:\s*:[^=\n]*)?\s*=\s*(None|['\"]([^'\"]+)['\"])\s*$", re.MULTILINE
)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_heads() -> frozenset[str] | None:
    """The head revisions of the migration files, read without Alembic; None when a file is not plain."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(2):
            parents.add(down.group(2))
    heads = revisions - parents
    return frozenset(heads) if heads else None


async def database_heads(engine: AsyncEngine) -> frozenset[str] | None:
    """The revisions the database is at; None when it has no version table (a new database)."""
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return frozenset(row[0] for row in rows)
    except DBAPIError:
        return None


async def at_head(engine: AsyncEngine) -> bool:
    heads = script_heads()
    return heads is not None and await database_heads(engine) == heads


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    if revision == "head" and await at_head(engine):
        # What `command.upgrade` would find: nothing to do.
        return
    from alembic import command

    async with engine.begin() as conn:
        await conn.run_sync(lambda sync_conn: command.upgrade(alembic_config(sync_conn), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    async with engine.begin() as conn:
        await conn.run_sync(lambda sync_conn: command.downgrade(alembic_config(sync_conn), revision))


async def pending_revisions(engine: AsyncEngine) -> list[str]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    def _pending(sync_conn: Connection) -> list[str]:
        current = MigrationContext.configure(sync_conn).get_current_heads()
        script = ScriptDirectory.from_config(alembic_config())
        return [rev.revision for rev in script.iterate_revisions("heads", current or "base")]

    async with engine.connect() as conn:
        return await conn.run_sync(_pending)


def revisions_in_order() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]
