"""Dialect-aware INSERT … ON CONFLICT for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import FromClause
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def _insert_for(session: AsyncSession, model: type[DeclarativeBase]) -> Any:
    return insert_for(session.get_bind().dialect.name, model)


def insert_for(dialect: str, model: type[DeclarativeBase] | FromClause) -> Any:
    """The dialect's INSERT (of a mapped class or a table), which knows ON CONFLICT."""
    # Each dialect's module is imported on first use: a SQLite bot never loads PostgreSQL's (and the
    # engine has imported its own dialect already, so this is a lookup in sys.modules).
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model)
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(model)
    raise NotImplementedError(f"no upsert for dialect {dialect}")


async def insert_ignore(
    session: AsyncSession,
    model: type[DeclarativeBase],
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
) -> int:
    """Insert rows whose unique key is new; returns how many were inserted."""
    if not rows:
        return 0
    stmt = (
        _insert_for(session, model).values(list(rows)).on_conflict_do_nothing(index_elements=list(conflict))
    )
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def upsert(
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: Mapping[str, Any],
    conflict: Sequence[str],
) -> None:
    """Insert a row, or update every non-key column of the existing one."""
    stmt = _insert_for(session, model).values(dict(values))
    updates = {k: stmt.excluded[k] for k in values if k not in conflict}
    await session.execute(stmt.on_conflict_do_update(index_elements=list(conflict), set_=updates))
