"""Each role's command menu, set per chat with setMyCommands so nobody sees commands they cannot use."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, MenuButtonDefault

from bot.domain import Role
from bot.telegram.views.dashboard import dashboard_menu_button
from bot.texts.i18n import Translator

log = logging.getLogger(__name__)

PUBLIC = ("start", "help")
MENUS: dict[Role | None, tuple[str, ...]] = {
    None: PUBLIC,
    Role.MEMBER: ("report", "my", "help", "cancel"),
    Role.OFFICIAL: ("review", "digest", "status", "documents", "help", "cancel"),
    Role.ADMIN: (
        "orgs",
        "add_org",
        "import_orgs",
        "resolutions",
        "review",
        "digest",
        "status",
        "documents",
        "letters",
        "remind",
        "calendar",
        "invite_official",
        "grant",
        "revoke",
        "help",
        "cancel",
    ),
}


def commands_for(role: Role | None, t: Translator) -> list[BotCommand]:
    return [BotCommand(command=c, description=t.plain(f"cmd.{c}")) for c in MENUS[role]]


def all_commands() -> frozenset[str]:
    return frozenset(c for menu in MENUS.values() for c in menu)


async def set_default_menu(bot: Bot, t: Translator) -> None:
    await bot.set_my_commands(commands_for(None, t), scope=BotCommandScopeDefault())


async def set_menu(bot: Bot, chat_id: int, role: Role | None, t: Translator) -> None:
    """Menus are a convenience: a failure to set one is logged, never fatal."""
    try:
        if role is None:
            await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
        else:
            await bot.set_my_commands(commands_for(role, t), scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError as exc:
        log.warning("could not set the menu of chat %s: %s", chat_id, exc)


async def set_dashboard_button(bot: Bot, chat_id: int, webapp_url: str | None, t: Translator) -> None:
    """The chat's menu button opens the dashboard (WEBAPP_URL), or is Telegram's default when None.
    Like the menus, a convenience: a failure is logged, never fatal."""
    button = dashboard_menu_button(t, webapp_url) if webapp_url else MenuButtonDefault()
    try:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramAPIError as exc:
        log.warning("could not set the menu button of chat %s: %s", chat_id, exc)
