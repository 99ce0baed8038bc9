"""Whatever no other router took: a role-aware refusal, never silence and never a change."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.domain import Role
from bot.telegram.menus import all_commands
from bot.texts.i18n import Translator


def create_router() -> Router:
    router = Router(name="fallback")

    @router.message(Command(*all_commands()))
    async def command_not_for_role(
        message: Message, command: CommandObject, t: Translator, role: Role | None
    ) -> None:
        key = "refused.stranger" if role is None else "refused.command"
        await message.answer(t(key, command=command.command))

    @router.message(F.text.startswith("/"))
    async def unknown_command(message: Message, t: Translator) -> None:
        await message.answer(t("unknown_command"))

    @router.message()
    async def anything_else(message: Message, t: Translator, role: Role | None) -> None:
        await message.answer(t("refused.stranger_text" if role is None else "not_understood"))

    @router.callback_query()
    async def stale_or_forged(query: CallbackQuery, t: Translator) -> None:
        await query.answer(t.plain("refused.button"), show_alert=True)

    return router
