"""getUpdates batches are journaled before aiogram sees them (bot/delivery/update_journal.py)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.delivery.update_journal import UpdateJournal


class JournalFetchedUpdates(BaseRequestMiddleware):
    """Journals each getUpdates batch before aiogram sees it, hence before its offset is confirmed. If the
    journal cannot be written the call fails, and aiogram asks again for the same updates. The call's own
    offset, now accepted by Telegram, lets the journal drop the handled marks below it."""

    def __init__(self, journal: UpdateJournal) -> None:
        self.journal = journal

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        # Despite the annotation, what comes back through the middlewares is the method's result.
        if isinstance(method, GetUpdates) and isinstance(response, list) and (response or method.offset):
            await self.journal.record(
                [u.model_dump(mode="json", by_alias=True, exclude_none=True) for u in response],
                confirmed_below=method.offset,
                # Without an offset Telegram sends everything not confirmed, some of it perhaps handled
                # by a run that died before confirming it.
                first=method.offset is None,
            )
        return response
