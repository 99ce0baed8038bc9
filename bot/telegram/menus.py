"""Each role's command menu, set per chat with setMyCommands so nobody sees commands they cannot use, and
the chat's menu button (the dashboard for whoever has a scope). What was last set is remembered per chat
as a digest (MenuLedger), so start-up sends only what changed."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    MenuButtonDefault,
    MenuButtonWebApp,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import Role
from bot.domain.scope import ViewScope
from bot.telegram.views.dashboard import dashboard_menu_button
from bot.texts.i18n import Translator
from storage.repositories.menus import MenuRepo

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
# A member of a municipal authority: the member's commands and those limited to their municipality;
# /review works for them when the department delegates review (the command says so otherwise).
MUNICIPAL_MENU = ("report", "my", "status", "digest", "review", "remind", "invite", "help", "cancel")


def menu_of(role: Role | None, scope: ViewScope | None = None) -> tuple[str, ...]:
    if role is Role.MEMBER and scope is not None and not scope.is_region:
        return MUNICIPAL_MENU
    return MENUS[role]


def commands_for(role: Role | None, t: Translator, scope: ViewScope | None = None) -> list[BotCommand]:
    return [BotCommand(command=c, description=t.plain(f"cmd.{c}")) for c in menu_of(role, scope)]


def all_commands() -> frozenset[str]:
    return frozenset(c for menu in (*MENUS.values(), MUNICIPAL_MENU) for c in menu)


MenuButton = MenuButtonDefault | MenuButtonWebApp


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def commands_digest(commands: list[BotCommand] | None) -> str:
    """None: the chat has no list of its own (deleted, or never set)."""
    return _digest("|".join(f"{c.command}={c.description}" for c in commands or ()))


def button_digest(button: MenuButton) -> str:
    return _digest(button.model_dump_json(exclude_none=True))


# What a chat nobody ever set a menu for has: Telegram's defaults.
NO_COMMANDS = commands_digest(None)
DEFAULT_BUTTON = button_digest(MenuButtonDefault())


@dataclass(frozen=True)
class ChatMenuPlan:
    """The menu a chat should have: its commands (None: none of its own) and its menu button."""

    commands: list[BotCommand] | None
    button: MenuButton

    @property
    def commands_digest(self) -> str:
        return commands_digest(self.commands)

    @property
    def button_digest(self) -> str:
        return button_digest(self.button)


def plan_for(
    role: Role | None, scope: ViewScope | None, t: Translator, webapp_url: str | None
) -> ChatMenuPlan:
    commands = commands_for(role, t, scope) if role is not None else None
    button = dashboard_menu_button(t, webapp_url) if webapp_url and scope is not None else MenuButtonDefault()
    return ChatMenuPlan(commands, button)


class MenuLedger:
    """The digests of what each chat's menu was last set to; written in a transaction of its own, after
    Telegram accepted the request (never inside an update's unit of work, which commits before it)."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def load(self) -> dict[int, tuple[str, str]]:
        async with self.session_factory() as session:
            rows = await MenuRepo(session).all()
        return {chat: (c or NO_COMMANDS, b or DEFAULT_BUTTON) for chat, (c, b) in rows.items()}

    async def record(self, chat_id: int, *, commands: str | None = None, button: str | None = None) -> None:
        if commands is None and button is None:
            return
        async with self.session_factory() as session:
            await MenuRepo(session).record(chat_id, commands=commands, button=button)
            await session.commit()


async def set_default_menu(bot: Bot, t: Translator) -> None:
    await bot.set_my_commands(commands_for(None, t), scope=BotCommandScopeDefault())


async def send_commands(bot: Bot, chat_id: int, commands: list[BotCommand] | None) -> None:
    """Raises what Telegram answered; see set_menu for the forgiving form."""
    if commands is None:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
    else:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))


async def set_menu(
    bot: Bot, chat_id: int, role: Role | None, t: Translator, scope: ViewScope | None = None
) -> bool:
    """Menus are a convenience: a failure to set one is logged, never fatal. True when it was set."""
    try:
        await send_commands(bot, chat_id, commands_for(role, t, scope) if role is not None else None)
    except TelegramAPIError as exc:
        log.warning("could not set the menu of chat %s: %s", chat_id, exc)
        return False
    return True


async def set_dashboard_button(bot: Bot, chat_id: int, webapp_url: str | None, t: Translator) -> bool:
    """The chat's menu button opens the dashboard (WEBAPP_URL), or is Telegram's default when None.
    Like the menus, a convenience: a failure is logged, never fatal. True when it was set."""
    button = dashboard_menu_button(t, webapp_url) if webapp_url else MenuButtonDefault()
    try:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramAPIError as exc:
        log.warning("could not set the menu button of chat %s: %s", chat_id, exc)
        return False
    return True


async def refresh_menus(
    bot: Bot,
    chat_id: int,
    role: Role | None,
    scope: ViewScope | None,
    t: Translator,
    webapp_url: str | None,
    had_scope: bool,
    ledger: MenuLedger | None = None,
) -> None:
    """After a role or an organization changed: the commands of the new role and scope, the dashboard
    button for whoever has a scope now, and Telegram's default button for whoever just lost theirs.
    What was set is recorded in `ledger`, so the next start-up knows this chat's menu is right."""
    plan = plan_for(role, scope, t, webapp_url)
    commands = plan.commands_digest if await set_menu(bot, chat_id, role, t, scope) else None
    button = None
    if (scope is not None and webapp_url) or (scope is None and had_scope):
        url = webapp_url if scope is not None else None
        button = plan.button_digest if await set_dashboard_button(bot, chat_id, url, t) else None
    if ledger is not None:
        await ledger.record(chat_id, commands=commands, button=button)
