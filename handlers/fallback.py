"""Whatever no other router took: a role-aware refusal, never silence and never a change.

A button whose data does not unpack (a forged id out of range, an unknown action) matches no filter and
lands here too: it gets the «button is stale» alert."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.domain import Role
from bot.telegram.answers import refuse
from bot.telegram.menus import all_commands
from bot.texts.i18n import Translator


async def command_not_for_role(
    message: Message, command: CommandObject, t: Translator, role: Role | None
) -> None:
    key = "refused.stranger" if role is None else "refused.command"
    await message.answer(t(key, command=command.command))


async def unknown_command(message: Message, t: Translator) -> None:
    await message.answer(t("unknown_command"))


async def anything_else(message: Message, t: Translator, role: Role | None) -> None:
    await message.answer(t("refused.stranger_text" if role is None else "not_understood"))


async def stale_or_forged(query: CallbackQuery, t: Translator) -> None:
    await refuse(query, t)


def router() -> Router:
    fallback = Router(name="fallback")
    fallback.message.register(command_not_for_role, Command(*all_commands()))
    fallback.message.register(unknown_command, F.text.startswith("/"))
    fallback.message.register(anything_else)
    fallback.callback_query.register(stale_or_forged)
    return fallback
