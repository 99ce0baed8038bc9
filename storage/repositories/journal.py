from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert, bindparam, delete, select, update

from storage.lazy_begin import ALONE
from storage.models import JournaledUpdate, utcnow
from storage.repositories.base import Repository, execute_core

# One statement per dialect, executed with a list of parameter sets: the same statement for a batch of
# any size, so SQLAlchemy compiles it once per process and the driver runs it as executemany. (A
# multi-row VALUES would be a new statement, and a new compilation, for every batch size.) Made on first
# use, so that a SQLite bot never imports PostgreSQL's dialect.
_RECORD: dict[str, Insert] = {}
_RECORD_ONE: dict[str, Insert] = {}


def _record_one_statement(dialect: str) -> Insert:
    """One update, telling whether it was new: the id comes back only when the row was inserted."""
    statement = _RECORD_ONE.get(dialect)
    if statement is None:
        statement = _RECORD_ONE[dialect] = _record_statement(dialect).returning(JournaledUpdate.update_id)
    return statement


def _record_statement(dialect: str) -> Insert:
    statement = _RECORD.get(dialect)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        # On the table, not the mapped class: a list of parameter sets on an ORM insert goes through the
        # ORM's bulk machinery, which only adds work here.
        statement = _RECORD[dialect] = insert(JournaledUpdate.__table__).on_conflict_do_nothing(
            index_elements=["update_id"]
        )
    return statement


UNHANDLED = JournaledUpdate.handled_at.is_(None)
HANDLED = JournaledUpdate.handled_at.is_not(None)
# Every update runs it: built once, it is neither put together nor given a cache key again. On PostgreSQL
# the dialog's write embeds it (storage/fsm.py).
TAKE = (
    update(JournaledUpdate)
    # Not named after the columns: an UPDATE keeps those names for its own SET parameters.
    .where(JournaledUpdate.update_id == bindparam("taken_id"), UNHANDLED)
    .values(handled_at=bindparam("taken_at"))
    .execution_options(synchronize_session=False)
)
_TAKE_ALONE = TAKE.execution_options(**{ALONE: True})
_HANDLED_AMONG = select(JournaledUpdate.update_id).where(
    JournaledUpdate.update_id.in_(bindparam("ids", expanding=True)), HANDLED
)
_FORGET_BELOW = delete(JournaledUpdate).where(JournaledUpdate.update_id < bindparam("below"), HANDLED)
_FORGET_BEFORE = delete(JournaledUpdate).where(JournaledUpdate.handled_at < bindparam("before"))


class UpdateJournalRepo(Repository):
    async def record(self, payloads: Sequence[dict[str, Any]]) -> None:
        """Journals updates by id; one already there (Telegram sent it again) is kept as it is: still to
        be handled, or marked handled, and then not handled again."""
        if not payloads:
            return
        rows = [{"update_id": int(p["update_id"]), "payload": p} for p in payloads]
        await execute_core(self.session, _record_statement(self.session.get_bind().dialect.name), rows)

    async def record_one(self, payload: dict[str, Any]) -> bool:
        """`record` for one update; False when it was there already (Telegram sent it again)."""
        row = {"update_id": int(payload["update_id"]), "payload": payload}
        statement = _record_one_statement(self.session.get_bind().dialect.name)
        return (await execute_core(self.session, statement, row)).first() is not None

    async def take(self, update_id: int, *, alone: bool = False) -> bool:
        """Marks the update handled; False if it was not waiting to be: handled already, by this process
        before a restart or by another one. `alone`: the last write before a commit, which may then go
        without a transaction of its own (storage/lazy_begin.py)."""
        params = {"taken_id": update_id, "taken_at": utcnow()}
        result = await execute_core(self.session, _TAKE_ALONE if alone else TAKE, params)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def handled_among(self, update_ids: Sequence[int]) -> set[int]:
        """Which of these updates have been handled already."""
        rows = await execute_core(self.session, _HANDLED_AMONG, {"ids": list(update_ids)})
        return set(rows.scalars())

    async def forget_confirmed(self, below: int) -> None:
        """Drops the handled marks below a getUpdates offset Telegram has accepted: it never sends those
        updates again."""
        await execute_core(self.session, _FORGET_BELOW, {"below": below})

    async def forget_handled_before(self, before: dt.datetime) -> None:
        """Drops the handled marks older than `before` (webhook mode has no offset to go by)."""
        await execute_core(self.session, _FORGET_BEFORE, {"before": before})

    async def pending(self, limit: int = 1000) -> list[JournaledUpdate]:
        rows = await self.session.scalars(
            select(JournaledUpdate).where(UNHANDLED).order_by(JournaledUpdate.update_id).limit(limit)
        )
        return list(rows)

    async def count_replay(self, update_id: int) -> int | None:
        """One more replay of the update; its count, or None if it is no longer waiting (handled)."""
        replays = await self.session.scalar(
            update(JournaledUpdate)
            .where(JournaledUpdate.update_id == update_id, UNHANDLED)
            .values(replays=JournaledUpdate.replays + 1)
            .returning(JournaledUpdate.replays)
        )
        return int(replays) if replays is not None else None
