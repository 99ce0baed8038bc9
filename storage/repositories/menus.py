"""The digests of the menus each chat was last given (see ChatMenu)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatMenu
from storage.upsert import upsert


class MenuRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> dict[int, tuple[str | None, str | None]]:
        rows = await self.session.execute(select(ChatMenu.chat_id, ChatMenu.commands, ChatMenu.button))
        return {chat_id: (commands, button) for chat_id, commands, button in rows}

    async def record(self, chat_id: int, *, commands: str | None = None, button: str | None = None) -> None:
        """Stores the digests given (None: that part was not set, its digest stays as it was)."""
        values: dict[str, object] = {"chat_id": chat_id}
        if commands is not None:
            values["commands"] = commands
        if button is not None:
            values["button"] = button
        if len(values) > 1:
            await upsert(self.session, ChatMenu, values, ["chat_id"])
