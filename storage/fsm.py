"""aiogram FSM storage on the project's own async engine, so a dialog survives a restart.

Two ways in. `SqlStorage` on its own opens a short transaction per call (start-up, tests, tools). Inside
an update, `SqlStorage.bound(changes)` gives the storage of that update's unit of work: reads are made
in the update's session and remembered, writes wait in `DialogChanges` until the unit of work commits, so
a dialog step and its effect are durable together and SQLite never sees a second writer inside an update.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, NamedTuple

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.lazy_begin import ALONE
from storage.models import FsmRecord, JournaledUpdate, utcnow
from storage.repositories.base import execute_core
from storage.repositories.journal import TAKE, UpdateJournalRepo
from storage.upsert import insert_for


class DialogChanges:
    """The dialog rows one unit of work has read and the changes it has not written yet.

    aiogram asks for the state and the data several times per update (the middleware, update_data, the
    handler) and sets them one after the other; the update holds the chat's lock, so nobody else changes
    them meanwhile: one SELECT and at most one upsert per key and update. The SELECT may come with the
    person's (`prime`, storage/uow.py), and no upsert is made when the row would stay as it was read.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._read: dict[str, dict[str, Any]] = {}
        # The row as the database has it (after the last write_back), to tell a change from a rewrite:
        # state and data as JSON text, so that a handler changing a list in the data in place, then
        # setting the data, is still a change.
        self._stored: dict[str, _Stored] = {}
        self._pending: dict[str, dict[str, Any]] = {}

    def known(self, key: str) -> bool:
        return key in self._read

    def prime(self, key: str, state: str | None, data: dict[str, Any] | None) -> None:
        """The row of `key` as read by another statement of this unit of work (None, None: no row)."""
        if key not in self._read:
            self._remember(key, {"state": state, "data": data})

    async def get(self, key: str) -> dict[str, Any]:
        if key not in self._read:
            self._remember(key, await _select(self.session, key))
        return self._read[key]

    def _remember(self, key: str, row: dict[str, Any]) -> None:
        self._stored[key] = _Stored.of(row["state"], row["data"])
        self._read[key] = row | self._pending.get(key, {})

    def set(self, key: str, column: str, value: Any) -> None:
        self._pending.setdefault(key, {})[column] = value
        cached = self._read.get(key)
        if cached is not None:
            cached[column] = value

    async def write_back(self, journaled: int | None = None) -> bool:
        """Writes what the update changed; the unit of work calls it before each commit. With `journaled`,
        first takes that update (marks it handled in bot/delivery/update_journal.py): on PostgreSQL in
        the same statement as the dialog's write. False, and nothing written, when the update was no
        longer waiting in the journal: it has been handled already."""
        pending, self._pending = self._pending, {}
        writes = []
        for key, columns in pending.items():
            stored = self._stored.get(key)
            after = stored.updated(columns) if stored is not None else None
            if after is not None and after.data is not None and after == stored:
                continue
            writes.append((key, columns, after))
        if journaled is not None and not await self._take(journaled, writes):
            return False
        for key, columns, after in writes:
            # The commit follows at once: a write that is the only one goes without BEGIN and COMMIT.
            await _upsert(self.session, key, columns, alone=journaled is None and len(writes) == 1)
            if after is not None:
                self._stored[key] = after
        return True

    async def _take(self, update_id: int, writes: list[tuple[str, dict[str, Any], _Stored | None]]) -> bool:
        """Marks the update handled in the journal; on PostgreSQL the first write goes with it (and off
        `writes`)."""
        if not writes or self.session.get_bind().dialect.name != "postgresql":
            return await UpdateJournalRepo(self.session).take(update_id, alone=not writes)
        key, columns, after = writes.pop(0)
        row = self._read.get(key, {})
        now = utcnow()
        values = {
            "taken_id": update_id,
            "key": key,
            "state": columns.get("state", row.get("state")),
            "data": columns.get("data", row.get("data")) or {},
            "updated_at": now,
            "taken_at": now,
        }
        # Alone (no BEGIN and COMMIT) only when no other write of this commit follows it.
        statement = _take_and_upsert(frozenset(columns), alone=not writes)
        taken = (await execute_core(self.session, statement, values)).first()
        if taken is not None and after is not None:
            self._stored[key] = after
        return taken is not None


class _Stored(NamedTuple):
    """A dialog row as the database keeps it: the state, and the data as its JSON column stores it (no
    row and an empty one read alike: no state, no data). None for the data when it is not JSON."""

    state: str | None
    data: str | None

    @classmethod
    def of(cls, state: str | None, data: Mapping[str, Any] | None) -> _Stored:
        return cls(state, _as_stored(data))

    def updated(self, columns: Mapping[str, Any]) -> _Stored:
        state = columns.get("state", self.state)
        return _Stored(state, _as_stored(columns["data"]) if "data" in columns else self.data)


def _as_stored(data: Mapping[str, Any] | None) -> str | None:
    # Serialized, so that 1, 1.0 and True, equal in Python, are told apart as the JSON column does.
    try:
        return json.dumps(data or {}, sort_keys=True)
    except (TypeError, ValueError):
        # Not JSON: never equal to anything (the upsert will say what is wrong, as it always did).
        return None


class _Records(BaseStorage):
    """State and data in one row per key, each upsert touching only its own column, so clearing the data
    never drops the state and vice versa."""

    key_builder: KeyBuilder

    @abstractmethod
    async def _get(self, key: str) -> dict[str, Any]:
        """State and data of the built key (None for each when there is no row)."""

    @abstractmethod
    async def _set(self, key: str, column: str, value: Any) -> None:
        """Writes one column of the built key's row."""

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._set(self.key_builder.build(key), "state", value)

    async def get_state(self, key: StorageKey) -> str | None:
        state: str | None = (await self._get(self.key_builder.build(key)))["state"]
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._set(self.key_builder.build(key), "data", dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        # A copy: aiogram's update_data changes what it gets before writing it back.
        return dict((await self._get(self.key_builder.build(key)))["data"] or {})

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""


class SqlStorage(_Records):
    """The dispatcher's storage; each call outside an update is a transaction of its own."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self.session_factory = session_factory
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)

    def bound(self, changes: DialogChanges) -> BoundSqlStorage:
        """The storage an update's FSM context uses: inside that update's unit of work."""
        return BoundSqlStorage(changes, self.key_builder)

    async def _get(self, key: str) -> dict[str, Any]:
        async with self.session_factory() as session:
            return await _select(session, key)

    async def _set(self, key: str, column: str, value: Any) -> None:
        async with self.session_factory() as session:
            await _upsert(session, key, {column: value})
            await session.commit()


class BoundSqlStorage(_Records):
    def __init__(self, changes: DialogChanges, key_builder: KeyBuilder) -> None:
        self.changes = changes
        self.key_builder = key_builder

    async def _get(self, key: str) -> dict[str, Any]:
        return await self.changes.get(key)

    async def _set(self, key: str, column: str, value: Any) -> None:
        self.changes.set(key, column, value)


# The dialog's statements are built once (per dialect and set of columns): they run on most updates, and
# a prebuilt statement is neither put together nor given a cache key again.
_SELECT = select(FsmRecord.state, FsmRecord.data).where(FsmRecord.key == bindparam("key"))
_UPSERTS: dict[tuple[str, frozenset[str], bool], Any] = {}


async def _select(session: AsyncSession, key: str) -> dict[str, Any]:
    row = (await execute_core(session, _SELECT, {"key": key})).first()
    return {"state": row.state if row else None, "data": row.data if row else None}


async def _upsert(
    session: AsyncSession, key: str, columns: Mapping[str, Any], *, alone: bool = False
) -> None:
    """Insert the row, or update the given columns (and the time) of the existing one. `alone`: the last
    write before a commit, which may go without a transaction of its own (storage/lazy_begin.py)."""
    dialect = session.get_bind().dialect.name
    names = frozenset(columns) | {"updated_at"}
    statement = _UPSERTS.get((dialect, names, alone))
    if statement is None:
        # On the table, not the mapped class: the ORM would take a dict of parameters for a bulk insert,
        # which leaves None values out of the VALUES.
        insert = insert_for(dialect, FsmRecord.__table__)
        statement = insert.on_conflict_do_update(
            index_elements=["key"], set_={name: insert.excluded[name] for name in sorted(names)}
        ).execution_options(**{ALONE: alone})
        _UPSERTS[(dialect, names, alone)] = statement
    await execute_core(session, statement, {"key": key, **columns, "updated_at": utcnow()})


_TAKE_AND_UPSERT: dict[tuple[frozenset[str], bool], Any] = {}


def _take_and_upsert(columns: frozenset[str], *, alone: bool) -> Any:
    """PostgreSQL: the update marked handled in the journal and the dialog's row written, in one
    statement, which is atomic on its own (`alone`, storage/lazy_begin.py: no BEGIN and COMMIT when it is
    the commit's only write). The row is written only if the update was taken; a row comes back only
    then."""
    statement = _TAKE_AND_UPSERT.get((columns, alone))
    if statement is None:
        from sqlalchemy.dialects import postgresql

        table = FsmRecord.__table__
        taken = TAKE.returning(JournaledUpdate.update_id).cte("taken")
        names = ("key", "state", "data", "updated_at")
        row = select(*(bindparam(name, type_=table.c[name].type) for name in names)).where(
            exists(select(taken.c.update_id))
        )
        insert = postgresql.insert(table).from_select(names, row)
        changed = columns | {"updated_at"}
        statement = _TAKE_AND_UPSERT[(columns, alone)] = (
            insert.on_conflict_do_update(
                index_elements=["key"], set_={name: insert.excluded[name] for name in sorted(changed)}
            )
            .returning(table.c.key)
            .add_cte(taken)
            .execution_options(**{ALONE: alone})
        )
    return statement
