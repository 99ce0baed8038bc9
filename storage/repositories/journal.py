from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update

from storage.models import JournaledUpdate
from storage.repositories.base import Repository
from storage.upsert import insert_ignore


class UpdateJournalRepo(Repository):
    async def record(self, payloads: Sequence[dict[str, Any]]) -> int:
        """Journals updates by id; one already there (Telegram sent it again) is kept as it is."""
        rows = [{"update_id": int(p["update_id"]), "payload": p} for p in payloads]
        return await insert_ignore(self.session, JournaledUpdate, rows, ["update_id"])

    async def take(self, update_id: int) -> bool:
        """Removes the update from the journal; False if it was not there: handled already, by this
        process before a restart or by another one."""
        result = await self.session.execute(
            delete(JournaledUpdate)
            .where(JournaledUpdate.update_id == update_id)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def pending(self, limit: int = 1000) -> list[JournaledUpdate]:
        rows = await self.session.scalars(
            select(JournaledUpdate).order_by(JournaledUpdate.update_id).limit(limit)
        )
        return list(rows)

    async def count_replay(self, update_id: int) -> int | None:
        """One more replay of the update; its count, or None if it is no longer in the journal."""
        replays = await self.session.scalar(
            update(JournaledUpdate)
            .where(JournaledUpdate.update_id == update_id)
            .values(replays=JournaledUpdate.replays + 1)
            .returning(JournaledUpdate.replays)
        )
        return int(replays) if replays is not None else None
