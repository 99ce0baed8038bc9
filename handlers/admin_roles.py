"""Admins: grant and revoke roles, invite officials, explain the bulk import format."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.domain import InviteKind, Role
from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.domain.scope import view_scope
from bot.services import Services
from bot.services.invitations import deep_link
from bot.services.roles import GrantWarning, RoleChange
from bot.telegram.answers import edit_or_answer, refuse
from bot.telegram.callbacks import MAX_ID, GrantConfirm
from bot.telegram.filters import ADMIN
from bot.telegram.menus import MenuLedger, refresh_menus
from bot.telegram.views.organizations import format_date
from bot.telegram.views.people import grant_confirm_markup
from bot.texts.i18n import Translator, translator

ROLE_WORDS = {
    "admin": Role.ADMIN,
    "админ": Role.ADMIN,
    "official": Role.OFFICIAL,
    "чиновник": Role.OFFICIAL,
    "сотрудник": Role.OFFICIAL,
}


def parse_id(text: str) -> int | None:
    """A Telegram id as typed; a number the database cannot hold is no id at all."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        return None
    return int(text)


def parse_grant(args: str | None) -> tuple[int, Role] | None:
    """`/grant ID role`: a Telegram id and one of the role words, or None."""
    parts = (args or "").split()
    if len(parts) != 2 or parts[1].casefold() not in ROLE_WORDS:
        return None
    telegram_id = parse_id(parts[0])
    return None if telegram_id is None else (telegram_id, ROLE_WORDS[parts[1].casefold()])


async def grant(
    message: Message,
    command: CommandObject,
    bot: Bot,
    services: Services,
    settings: Settings,
    t: Translator,
    menu_ledger: MenuLedger | None = None,
) -> None:
    parsed = parse_grant(command.args)
    if parsed is None:
        await message.answer(t("roles.grant_usage"))
        return
    try:
        outcome = await services.roles.grant(*parsed)
    except DomainError as err:
        await message.answer(t(err.key, **err.params))
        return
    if isinstance(outcome, GrantWarning):
        await message.answer(
            t(
                "roles.grant_warning",
                name=outcome.person.full_name,
                telegram_id=outcome.person.telegram_id,
                org=outcome.organization,
                role=t.plain(f"role.{outcome.role}"),
            ),
            reply_markup=grant_confirm_markup(outcome.person.telegram_id, outcome.role, t),
        )
        return
    await message.answer(await _granted(outcome, bot, settings, t, menu_ledger))


async def _granted(
    change: RoleChange, bot: Bot, settings: Settings, t: Translator, ledger: MenuLedger | None
) -> str:
    await _menus_after(change, bot, settings, ledger)
    return t("roles.granted", name=change.person.full_name, role=t.plain(f"role.{change.role}"))


async def _menus_after(
    change: RoleChange, bot: Bot, settings: Settings, ledger: MenuLedger | None = None
) -> None:
    """The person's commands and menu button follow the role: a granted role brings the dashboard, a
    revoked one takes it away (the organization is gone either way, so the role alone decides)."""
    person, scope = change.person, view_scope(change.role, None, None)
    t = translator(person.language)
    url = settings.webapp_url
    await refresh_menus(bot, person.telegram_id, change.role, scope, t, url, True, ledger)


async def grant_confirmed(
    query: CallbackQuery,
    callback_data: GrantConfirm,
    bot: Bot,
    services: Services,
    settings: Settings,
    t: Translator,
    menu_ledger: MenuLedger | None = None,
) -> None:
    if not callback_data.ok:
        await edit_or_answer(query, t("roles.grant_kept"), None)
        return
    try:
        outcome = await services.roles.grant(
            callback_data.telegram_id, Role(callback_data.role.value), confirmed=True
        )
    except DomainError as err:
        await refuse(query, t, err)
        return
    assert isinstance(outcome, RoleChange)
    await edit_or_answer(query, await _granted(outcome, bot, settings, t, menu_ledger), None)


async def revoke(
    message: Message,
    command: CommandObject,
    bot: Bot,
    services: Services,
    settings: Settings,
    t: Translator,
    menu_ledger: MenuLedger | None = None,
) -> None:
    telegram_id = parse_id(command.args or "")
    if telegram_id is None:
        await message.answer(t("roles.revoke_usage"))
        return
    try:
        change = await services.roles.revoke(telegram_id)
    except DomainError as err:
        await message.answer(t(err.key, **err.params))
        return
    await _menus_after(change, bot, settings, menu_ledger)
    await message.answer(t("roles.revoked", name=change.person.full_name))


async def invite_official(
    message: Message, bot: Bot, services: Services, settings: Settings, clock: Clock, t: Translator
) -> None:
    assert message.from_user is not None
    invite = await services.invitations.create(InviteKind.OFFICIAL, message.from_user.id, clock.now())
    me = await bot.me()
    await message.answer(
        t(
            "invite.official_created",
            link=deep_link(me.username or "", invite.code),
            expires=format_date(invite.invitation.expires_at, settings.tz),
        )
    )


async def import_help(message: Message, t: Translator) -> None:
    await message.answer(t("import.help"))


def router() -> Router:
    admin = Router(name="admin_roles")
    admin.message.filter(ADMIN)
    admin.callback_query.filter(ADMIN)
    admin.message.register(grant, Command("grant"))
    admin.message.register(revoke, Command("revoke"))
    admin.callback_query.register(grant_confirmed, GrantConfirm.filter())
    admin.message.register(invite_official, Command("invite_official"))
    admin.message.register(import_help, Command("import_orgs"))
    return admin
