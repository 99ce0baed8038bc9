from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.config import Settings
from bot.domain.scope import view_scope
from bot.runtime.logs import log_context
from bot.services.roles import effective_role
from bot.texts.i18n import locale_for, translator
from storage.uow import UnitOfWork


class IdentityMiddleware(BaseMiddleware):
    """Who is writing: their person record, role, scope (bot.domain.scope) and language, for every handler."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        # Registered on dp.update, so the event is the Update itself ("event_update" comes later).
        update = event if isinstance(event, Update) else data.get("event_update")
        user: User | None = data.get("event_from_user")
        # Every log record made while this update is handled names it and its sender.
        with log_context(update.update_id if update else None, user.id if user else None):
            return await self._identify(handler, event, data)

    async def _identify(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        uow: UnitOfWork = data["uow"]
        # Read already, with the dialog's row, when the FSM context was set up (FsmContextMiddleware).
        person = await uow.caller(user.id) if user else None
        data["person"] = person
        role = effective_role(person, user.id, self.settings.admin_ids) if user else None
        data["role"] = role
        org = person.organization if person is not None else None
        if org is not None and not org.is_active:
            org = None  # a deactivated authority supervises nothing (the start-up menus agree)
        data["scope"] = view_scope(role, org.kind if org else None, org.municipality if org else None)
        language = user.language_code if user else None
        # LOCALE=ru or en is the department's choice for everyone; LOCALE=auto follows each client.
        locale = locale_for(language, self.settings.forced_locale, self.settings.default_locale)
        if person is not None and person.language != locale:
            # Remembered for messages the bot sends on its own (deliveries, reminders, digests).
            person.language = locale
        data["t"] = translator(locale)
        return await handler(event, data)
