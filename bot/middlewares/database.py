from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.fsm import update_session
from storage.repositories import Repositories


class DbSessionMiddleware(BaseMiddleware):
    """One session per update, committed here when the handler returns.

    Services and repositories never commit. The bot's requests commit what the update has done so far
    before they leave (CommitBeforeRequest), so the user never reads a confirmation ahead of its data;
    an exception before the first answer rolls the whole update back.
    """

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], on_outbox: Callable[[], None] | None = None
    ) -> None:
        self.session_factory = session_factory
        self.on_outbox = on_outbox

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.session_factory() as session:
            data["repo"] = Repositories(session)
            token = update_session.set(session)
            try:
                result = await handler(event, data)
                await session.commit()
            finally:
                update_session.reset(token)
            if self.on_outbox is not None and session.info.pop("outbox_dirty", False):
                self.on_outbox()
            return result
