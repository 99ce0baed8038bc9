"""aiogram FSM storage on the project's own async engine, so a dialog survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmRecord, utcnow
from storage.upsert import upsert

# The session of the update being handled. FSM writes join it, so a dialog step and its effect commit
# together, and SQLite never sees a second writer waiting on the first inside one update.
update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)


class SqlStorage(BaseStorage):
    """State and data in one row per key.

    State and data are written separately, as aiogram calls them, but each upsert touches only its
    own column, so clearing data never drops the state and vice versa.
    """

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self.session_factory = session_factory
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def _write(self, key: StorageKey, column: str, value: Any) -> None:
        built = self.key_builder.build(key)
        shared = update_session.get()
        if shared is None:
            async with self.session_factory() as session:
                await _upsert(session, built, {column: value})
                await session.commit()
            return
        # Written when the update's transaction commits (flush_pending): aiogram sets the state and the
        # data one after the other, and a step often sets both; one statement does for the two.
        _pending(shared).setdefault(built, {})[column] = value
        cached = _update_cache(shared).get(built)
        if cached is not None:
            cached[column] = value

    async def _read(self, key: StorageKey) -> dict[str, Any]:
        """State and data in one statement, remembered for the rest of the update: aiogram asks for them
        several times per update (the middleware, update_data, the handler), and the update holds the
        chat's lock, so nobody else changes them meanwhile."""
        built = self.key_builder.build(key)
        shared = update_session.get()
        if shared is None:
            async with self.session_factory() as session:
                return await _select(session, built)
        cache = _update_cache(shared)
        if built not in cache:
            cache[built] = await _select(shared, built) | _pending(shared).get(built, {})
        return cache[built]

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, "state", state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        state: str | None = (await self._read(key))["state"]
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, "data", dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        # A copy: aiogram's update_data changes what it gets before writing it back.
        return dict((await self._read(key))["data"] or {})

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""


def _update_cache(session: AsyncSession) -> dict[str, dict[str, Any]]:
    cache: dict[str, dict[str, Any]] = session.info.setdefault("fsm_records", {})
    return cache


def _pending(session: AsyncSession) -> dict[str, dict[str, Any]]:
    pending: dict[str, dict[str, Any]] = session.info.setdefault("fsm_pending", {})
    return pending


async def _select(session: AsyncSession, key: str) -> dict[str, Any]:
    row = (await session.execute(select(FsmRecord.state, FsmRecord.data).where(FsmRecord.key == key))).first()
    return {"state": row.state if row else None, "data": row.data if row else None}


async def _upsert(session: AsyncSession, key: str, columns: Mapping[str, Any]) -> None:
    # Only the columns given: clearing the data never drops the state and vice versa.
    await upsert(session, FsmRecord, {"key": key, **columns, "updated_at": utcnow()}, conflict=["key"])


async def flush_pending(session: AsyncSession) -> None:
    """Writes the dialog changes an update made. Whoever commits an update's session calls it first."""
    for key, columns in session.info.pop("fsm_pending", {}).items():
        await _upsert(session, key, columns)
