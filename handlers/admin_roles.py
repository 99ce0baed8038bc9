"""Admins: grant and revoke roles, invite officials, explain the bulk import format."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.config import Settings
from bot.domain import InviteKind, Role
from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.services.invitations import InvitationService, deep_link
from bot.services.roles import RoleService
from bot.telegram.filters import ADMIN
from bot.telegram.menus import set_menu
from bot.telegram.views.organizations import format_date
from bot.texts.i18n import Translator, translator
from storage.repositories import Repositories

ROLE_WORDS = {
    "admin": Role.ADMIN,
    "админ": Role.ADMIN,
    "official": Role.OFFICIAL,
    "чиновник": Role.OFFICIAL,
    "сотрудник": Role.OFFICIAL,
}


def create_router() -> Router:
    router = Router(name="admin_roles")
    router.message.filter(ADMIN)
    router.callback_query.filter(ADMIN)

    @router.message(Command("grant"))
    async def grant(
        message: Message,
        command: CommandObject,
        bot: Bot,
        repo: Repositories,
        settings: Settings,
        t: Translator,
    ) -> None:
        parts = (command.args or "").split()
        if len(parts) != 2 or not parts[0].isdigit() or parts[1].casefold() not in ROLE_WORDS:
            await message.answer(t("roles.grant_usage"))
            return
        try:
            change = await RoleService(repo, settings.admin_ids).grant(
                int(parts[0]), ROLE_WORDS[parts[1].casefold()]
            )
        except DomainError as err:
            await message.answer(t(err.key, **err.params))
            return
        await set_menu(bot, change.person.telegram_id, change.role, translator(change.person.language))
        await message.answer(
            t("roles.granted", name=change.person.full_name, role=t.plain(f"role.{change.role}"))
        )

    @router.message(Command("revoke"))
    async def revoke(
        message: Message,
        command: CommandObject,
        bot: Bot,
        repo: Repositories,
        settings: Settings,
        t: Translator,
    ) -> None:
        arg = (command.args or "").strip()
        if not arg.isdigit():
            await message.answer(t("roles.revoke_usage"))
            return
        try:
            change = await RoleService(repo, settings.admin_ids).revoke(int(arg))
        except DomainError as err:
            await message.answer(t(err.key, **err.params))
            return
        await set_menu(bot, change.person.telegram_id, None, translator(change.person.language))
        await message.answer(t("roles.revoked", name=change.person.full_name))

    @router.message(Command("invite_official"))
    async def invite_official(
        message: Message, bot: Bot, repo: Repositories, settings: Settings, clock: Clock, t: Translator
    ) -> None:
        assert message.from_user is not None
        invite = await InvitationService(repo, settings.invite_ttl_days).create(
            InviteKind.OFFICIAL, message.from_user.id, clock.now()
        )
        me = await bot.me()
        await message.answer(
            t(
                "invite.official_created",
                link=deep_link(me.username or "", invite.code),
                expires=format_date(invite.invitation.expires_at, settings.tz),
            )
        )

    @router.message(Command("import_orgs"))
    async def import_help(message: Message, t: Translator) -> None:
        await message.answer(t("import.help"))

    return router
