"""/start (with or without an invitation), /help and /cancel: open to everyone."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, User

from bot.config import Settings
from bot.domain import Role
from bot.domain.clock import Clock
from bot.services import Services
from bot.services.invitations import InvitationService, Invitee, RedeemOutcome
from bot.services.roles import RoleService
from bot.telegram.callbacks import Cancel
from bot.telegram.menus import set_menu
from bot.texts.i18n import Translator
from storage.repositories import Repositories


def invitee(user: User, t: Translator) -> Invitee:
    return Invitee(user.id, user.full_name, user.username, t.locale)


def create_router() -> Router:
    router = Router(name="common")

    @router.message(CommandStart(deep_link=True))
    async def start_with_code(
        message: Message,
        command: CommandObject,
        bot: Bot,
        repo: Repositories,
        settings: Settings,
        clock: Clock,
        t: Translator,
        state: FSMContext,
        services: Services,
    ) -> None:
        user = message.from_user
        assert user is not None
        service = InvitationService(repo, settings.invite_ttl_days)
        result = await service.redeem(
            command.args or "", invitee(user, t), clock.now(), user.id in settings.admin_ids
        )
        if result.outcome is RedeemOutcome.JOINED and result.organization is not None and result.person:
            # Queued in the joining transaction: the first answer below commits both, or neither.
            await services.publication.catch_up(result.person)
            await state.clear()
            await set_menu(bot, user.id, Role.MEMBER, t)
            await message.answer(t("start.joined", org=result.organization.name))
        elif result.outcome is RedeemOutcome.BECAME_OFFICIAL:
            await state.clear()
            await set_menu(bot, user.id, Role.OFFICIAL, t)
            await message.answer(t("start.official_joined"))
        else:
            await message.answer(t(f"invite.{result.outcome.value}"))

    @router.message(CommandStart())
    async def start(
        message: Message, bot: Bot, repo: Repositories, settings: Settings, t: Translator, role: Role | None
    ) -> None:
        user = message.from_user
        assert user is not None
        person = await RoleService(repo, settings.admin_ids).remember(
            user.id, user.full_name, user.username, t.locale
        )
        await set_menu(bot, user.id, role, t)
        if role is None:
            await message.answer(t("start.stranger", telegram_id=user.id))
        else:
            await message.answer(t(f"start.{role.value}", name=person.full_name))

    @router.message(Command("help"))
    async def help_(message: Message, t: Translator, role: Role | None) -> None:
        await message.answer(t(f"help.{role.value if role else 'stranger'}"))

    @router.message(Command("cancel"))
    async def cancel(message: Message, state: FSMContext, t: Translator) -> None:
        had_state = await state.get_state() is not None
        await state.clear()
        await message.answer(t("cancelled" if had_state else "nothing_to_cancel"))

    @router.callback_query(Cancel.filter(), StateFilter("*"))
    async def cancel_button(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
        await state.clear()
        await query.answer(t.plain("cancelled_short"))
        if isinstance(query.message, Message):
            await query.message.edit_text(t("cancelled"))

    return router
