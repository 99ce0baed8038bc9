from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.update_journal import JOURNALED
from bot.services import Services
from storage.fsm import flush_pending, update_session
from storage.repositories import Repositories

log = logging.getLogger(__name__)


class DbSessionMiddleware(BaseMiddleware):
    """One session per update, committed here when the handler returns.

    Services and repositories never commit. The bot's requests commit what the update has done so far
    before they leave (CommitBeforeRequest), so the user never reads a confirmation ahead of its data;
    an exception before the first answer rolls the whole update back. A journaled update is taken off
    the journal (bot/update_journal.py) as the first statement of this transaction.
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
        # Registered on dp.update: the event is the Update; journaled ones carry a flag in the data.
        journaled = event.update_id if isinstance(event, Update) and data.get(JOURNALED) else None
        try:
            async with self.session_factory() as session:
                repo = Repositories(session)
                data["repo"] = repo
                data["services"] = Services(repo, data["settings"], data["clock"], data["renderer"])
                # Off the journal in the update's own transaction: done exactly when its effects are.
                if journaled is not None and not await repo.journal.take(journaled):
                    log.info("update %s: handled already, skipped", journaled)
                    return UNHANDLED
                token = update_session.set(session)
                try:
                    result = await handler(event, data)
                    await flush_pending(session)
                    await session.commit()
                finally:
                    update_session.reset(token)
        except Exception:
            # Handled, if badly (a refusal, a bug): doing it again would only repeat the failure. A crash
            # or a cancelled shutdown raises no Exception here, and leaves the update to be replayed.
            if journaled is not None:
                await self._forget(journaled)
            raise
        if self.on_outbox is not None and session.info.pop("outbox_dirty", False):
            self.on_outbox()
        return result

    async def _forget(self, update_id: int) -> None:
        try:
            async with self.session_factory() as session:
                await Repositories(session).journal.take(update_id)
                await session.commit()
        except Exception:
            # The handler's own exception is the one that matters; this update is only tried once more.
            log.warning("update %s: could not be taken off the journal after it failed", update_id)
