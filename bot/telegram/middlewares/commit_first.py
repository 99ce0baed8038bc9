"""The bot never speaks to Telegram with the update's transaction open."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from storage.uow import active_unit


class CommitBeforeRequest(BaseRequestMiddleware):
    """Commits the unit of work of the update being handled before any Bot API call it makes.

    Two reasons. What the bot tells a person ("report saved", an invite link, a new dialog step) is then
    already durable: a crash or a reader of the database can never see the words before the data.
    And no transaction stays open across a network round trip (or a 429 wait): on SQLite an open write
    transaction holds the only write lock, and every other chat's update would queue behind it.
    A rule that says no (DomainError) before the first answer still rolls everything back.
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        # A request middleware gets no handler data: storage/uow.py's one ContextVar is the bridge.
        unit = active_unit()
        if unit is not None:
            await unit.commit()
        return await make_request(bot, method)
