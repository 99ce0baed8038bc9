"""/start (with or without an invitation), /help and /cancel: open to everyone."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, User

from bot.config import Settings
from bot.domain import Role
from bot.domain.clock import Clock
from bot.domain.scope import ViewScope, view_scope
from bot.services import Services
from bot.services.invitations import Invitee, RedeemOutcome, RedeemResult
from bot.telegram.answers import edit_or_answer
from bot.telegram.callbacks import Cancel
from bot.telegram.menus import MenuLedger, refresh_menus
from bot.texts.i18n import Translator


def invitee(user: User, t: Translator) -> Invitee:
    return Invitee(user.id, user.full_name, user.username, t.locale)


def joined_text(t: Translator, result: RedeemResult) -> str | None:
    if result.outcome is RedeemOutcome.JOINED and result.organization is not None:
        return t("start.joined", org=result.organization.name)
    if result.outcome is RedeemOutcome.BECAME_OFFICIAL:
        return t("start.official_joined")
    return None


async def start_with_code(
    message: Message,
    command: CommandObject,
    bot: Bot,
    services: Services,
    settings: Settings,
    clock: Clock,
    t: Translator,
    state: FSMContext,
    scope: ViewScope | None = None,
    menu_ledger: MenuLedger | None = None,
) -> None:
    user = message.from_user
    assert user is not None
    result = await services.invitations.join(
        command.args or "", invitee(user, t), clock.now(), user.id in settings.admin_ids
    )
    text = joined_text(t, result)
    if text is None:
        await message.answer(t(f"invite.{result.outcome.value}"))
        return
    # The catch-up was queued in the joining transaction: the answer below commits both, or neither.
    await state.clear()
    role, now_scope = joined_role(result)
    await refresh_menus(bot, user.id, role, now_scope, t, settings.webapp_url, scope is not None, menu_ledger)
    await message.answer(text)


def joined_role(result: RedeemResult) -> tuple[Role, ViewScope | None]:
    """The role and scope an invitation just gave: a member of a municipal authority supervises its
    municipality from the first minute."""
    if result.outcome is not RedeemOutcome.JOINED:
        return Role.OFFICIAL, view_scope(Role.OFFICIAL, None, None)
    org = result.organization
    return Role.MEMBER, view_scope(Role.MEMBER, org.kind if org else None, org.municipality if org else None)


async def start(
    message: Message,
    bot: Bot,
    services: Services,
    settings: Settings,
    t: Translator,
    role: Role | None,
    scope: ViewScope | None = None,
    menu_ledger: MenuLedger | None = None,
) -> None:
    user = message.from_user
    assert user is not None
    person = await services.roles.remember(user.id, user.full_name, user.username, t.locale)
    await refresh_menus(bot, user.id, role, scope, t, settings.webapp_url, False, menu_ledger)
    if role is None:
        await message.answer(t("start.stranger", telegram_id=user.id))
    else:
        await message.answer(t(f"start.{role.value}", name=person.full_name))


async def help_(message: Message, t: Translator, role: Role | None, scope: ViewScope | None = None) -> None:
    if role is Role.MEMBER and scope is not None:
        await message.answer(t("help.municipal"))
        return
    await message.answer(t(f"help.{role.value if role else 'stranger'}"))


async def cancel(message: Message, state: FSMContext, t: Translator) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    await message.answer(t("cancelled" if had_state else "nothing_to_cancel"))


async def cancel_button(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.clear()
    # A second tap redraws the same text: edit_or_answer takes Telegram's «not modified» as done.
    await edit_or_answer(query, t("cancelled"), None, notice=t.plain("cancelled_short"))


def router() -> Router:
    common = Router(name="common")
    common.message.register(start_with_code, CommandStart(deep_link=True))
    common.message.register(start, CommandStart())
    common.message.register(help_, Command("help"))
    common.message.register(cancel, Command("cancel"))
    common.callback_query.register(cancel_button, Cancel.filter(), StateFilter("*"))
    return common
