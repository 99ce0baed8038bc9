"""The per-chat lock, taken outside the update's database session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.types import TelegramObject


class ChatLockMiddleware(BaseMiddleware):
    """aiogram's FSM middleware takes this lock itself, but it sits outside every middleware added later,
    so the state would be read before the update's session exists, in a transaction of its own. Here the
    lock comes first, then the unit of work (UnitOfWorkMiddleware), then the FSM context reading the state in
    that session: the lock still covers the update's commit, and the state costs no extra transaction.
    """

    def __init__(self, fsm: FSMContextMiddleware, isolation: BaseEventIsolation) -> None:
        self.fsm = fsm
        self.isolation = isolation

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        bot: Bot = data["bot"]
        context = self.fsm.resolve_event_context(bot, data)
        if context is None:
            return await handler(event, data)
        async with self.isolation.lock(context.key):
            return await handler(event, data)
