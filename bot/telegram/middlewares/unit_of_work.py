"""One unit of work per update (storage/uow.py), in the handler data as `uow`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.update_journal import JOURNALED, UPDATE_JOURNAL, UpdateJournal
from storage.repositories import Repositories
from storage.uow import HandledElsewhere, ServicesFactory, UnitOfWork

log = logging.getLogger(__name__)


class UnitOfWorkMiddleware(BaseMiddleware):
    """Opens the update's unit of work and hands its parts to the handlers: `uow`, `services` and, while
    handlers still use it, `repo`. The unit of work commits when the handler returns and before each Bot
    API request (CommitBeforeRequest); an exception before the first answer rolls the update back.

    A journaled update (bot/delivery/update_journal.py) is taken (marked handled) in the same transaction
    as its effects (`UnitOfWork.claim`): done exactly when they are. One Telegram sent again after it was
    handled is skipped before anything runs, when the journal knew it on arrival. On PostgreSQL the take
    goes with the first commit; if the update was taken meanwhile (two replays at once), that commit
    refuses (HandledElsewhere): nothing is kept, nothing is said, and the update counts as handled.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        services: ServicesFactory,
        on_outbox: Callable[[], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.services = services
        self.on_outbox = on_outbox

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        # Registered on dp.update: the event is the Update; journaled ones carry a flag in the data.
        journaled = event.update_id if isinstance(event, Update) and data.get(JOURNALED) else None
        journal: UpdateJournal | None = data.get(UPDATE_JOURNAL)
        if journaled is not None and journal is not None and journal.handled_on_arrival(journaled):
            log.info("update %s: sent again by Telegram, handled already; skipped", journaled)
            return UNHANDLED
        unit = UnitOfWork(self.session_factory, services=self.services, on_outbox=self.on_outbox)
        try:
            async with unit as uow:
                data["uow"] = uow
                data["repo"] = uow.repo
                data["services"] = uow.services
                if journaled is not None and not await uow.claim(journaled):
                    log.info("update %s: handled already, skipped", journaled)
                    return UNHANDLED
                return await handler(event, data)
        except HandledElsewhere:
            log.info("update %s: handled already, by another process; skipped", journaled)
            return UNHANDLED
        except Exception:
            # Handled, if badly (a refusal, a bug): doing it again would only repeat the failure. A crash
            # or a cancelled shutdown raises no Exception here, and leaves the update to be replayed.
            if journaled is not None and not await self._forget(journaled) and unit.take_pending:
                # Gone before this update tried to take it: another process handled it, and this failure
                # only followed from that (its report saved first, say); the person has had their answer.
                log.info("update %s: handled already, by another process; skipped", journaled)
                return UNHANDLED
            raise

    async def _forget(self, update_id: int) -> bool:
        """Takes (marks handled) the failed update; False if it was not waiting (handled elsewhere)."""
        try:
            async with self.session_factory() as session:
                taken = await Repositories(session).journal.take(update_id)
                await session.commit()
                return taken
        except Exception:
            # The handler's own exception is the one that matters; this update is only tried once more.
            log.warning("update %s: could not be taken off the journal after it failed", update_id)
            return True
