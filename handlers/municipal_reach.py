"""Municipal authorities: their institutions with nobody registered (/invite, or the button on their
municipality's /status screen), and a member invitation for one of them in a tap, ready to forward."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.domain.clock import Clock
from bot.domain.scope import ViewScope
from bot.services import Services
from bot.telegram.answers import edit_or_answer, reply
from bot.telegram.callbacks import ReachInvite, ReachNav
from bot.telegram.filters import MUNICIPAL_AUTHORITY
from bot.telegram.views.reach import invitation_notice, invitation_text, reach_screen
from bot.texts.i18n import Translator


async def unregistered(message: Message, services: Services, scope: ViewScope, t: Translator) -> None:
    text, markup = reach_screen(t, await services.invitations.reach(scope), 0)
    await message.answer(text, reply_markup=markup)


async def unregistered_page(
    query: CallbackQuery, callback_data: ReachNav, services: Services, scope: ViewScope, t: Translator
) -> None:
    reach = await services.invitations.reach(scope)
    await edit_or_answer(query, *reach_screen(t, reach, callback_data.page))


async def invite(
    query: CallbackQuery,
    callback_data: ReachInvite,
    bot: Bot,
    services: Services,
    settings: Settings,
    clock: Clock,
    scope: ViewScope,
    t: Translator,
) -> None:
    invitations = services.invitations
    made = await invitations.invite_local(scope, callback_data.org_id, query.from_user.id, clock.now())
    me = await bot.me()
    await query.answer(invitation_notice(t, made))
    await reply(query, invitation_text(t, made, me.username or "", settings.tz))


def router() -> Router:
    local = Router(name="municipal_reach")
    local.message.filter(MUNICIPAL_AUTHORITY)
    local.callback_query.filter(MUNICIPAL_AUTHORITY)
    local.message.register(unregistered, Command("invite"))
    local.callback_query.register(unregistered_page, ReachNav.filter())
    local.callback_query.register(invite, ReachInvite.filter())
    return local
