"""Each role's command menu, set per chat with setMyCommands so nobody sees commands they cannot use."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, MenuButtonDefault

from bot.domain import Role
from bot.domain.scope import ViewScope
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
# A member of a municipal authority: the member's commands and those limited to their municipality.
MUNICIPAL_MENU = ("report", "my", "status", "digest", "remind", "invite", "help", "cancel")


def menu_of(role: Role | None, scope: ViewScope | None = None) -> tuple[str, ...]:
    if role is Role.MEMBER and scope is not None and not scope.is_region:
        return MUNICIPAL_MENU
    return MENUS[role]


def commands_for(role: Role | None, t: Translator, scope: ViewScope | None = None) -> list[BotCommand]:
    return [BotCommand(command=c, description=t.plain(f"cmd.{c}")) for c in menu_of(role, scope)]


def all_commands() -> frozenset[str]:
    return frozenset(c for menu in (*MENUS.values(), MUNICIPAL_MENU) for c in menu)


async def set_default_menu(bot: Bot, t: Translator) -> None:
    await bot.set_my_commands(commands_for(None, t), scope=BotCommandScopeDefault())


async def set_menu(
    bot: Bot, chat_id: int, role: Role | None, t: Translator, scope: ViewScope | None = None
) -> None:
    """Menus are a convenience: a failure to set one is logged, never fatal."""
    try:
        if role is None:
            await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
        else:
            commands = commands_for(role, t, scope)
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))
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


async def refresh_menus(
    bot: Bot,
    chat_id: int,
    role: Role | None,
    scope: ViewScope | None,
    t: Translator,
    webapp_url: str | None,
    had_scope: bool,
) -> None:
    """After a role or an organization changed: the commands of the new role and scope, the dashboard
    button for whoever has a scope now, and Telegram's default button for whoever just lost theirs."""
    await set_menu(bot, chat_id, role, t, scope)
    if scope is not None and webapp_url:
        await set_dashboard_button(bot, chat_id, webapp_url, t)
    elif scope is None and had_scope:
        await set_dashboard_button(bot, chat_id, None, t)
