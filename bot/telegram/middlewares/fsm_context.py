"""The FSM context of an update, read and written inside the update's unit of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.types import TelegramObject

from storage.fsm import SqlStorage
from storage.uow import UnitOfWork


class FsmContextMiddleware(BaseMiddleware):
    """aiogram's FSMContextMiddleware without its lock (ChatLockMiddleware has taken it already, before
    the unit of work began) and, on the SQL storage, bound to the update's unit of work: the state is
    read in the update's session and written when it commits. Redis keeps its own storage as it is."""

    def __init__(self, fsm: FSMContextMiddleware) -> None:
        self.fsm = fsm

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        bot: Bot = data["bot"]
        data["fsm_storage"] = self.fsm.storage
        context = self.fsm.resolve_event_context(bot, data)
        if context is None:
            return await handler(event, data)
        uow: UnitOfWork | None = data.get("uow")
        if isinstance(self.fsm.storage, SqlStorage) and uow is not None:
            user = data.get("event_from_user")
            if user is not None:
                # The person (IdentityMiddleware's) and the dialog row in one statement, not two.
                await uow.caller(user.id, self.fsm.storage.key_builder.build(context.key))
            context = FSMContext(storage=self.fsm.storage.bound(uow.fsm), key=context.key)
        data["state"] = context
        data["raw_state"] = await context.get_state()
        return await handler(event, data)
