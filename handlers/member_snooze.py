"""Members: «⏰ Напомнить позже» under a deadline reminder — in a day, in three days, a week before."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.services import Services
from bot.telegram.answers import edit_or_answer, refuse, reply
from bot.telegram.callbacks import SnoozeAsk, SnoozePick, code_day
from bot.telegram.filters import MEMBER
from bot.telegram.views.workcalendar import snooze_offer_view, snoozed_text
from bot.texts.i18n import Translator
from storage.models import Person


async def ask(
    query: CallbackQuery,
    callback_data: SnoozeAsk,
    services: Services,
    person: Person,
    clock: Clock,
    t: Translator,
) -> None:
    deadline = code_day(callback_data.day)
    try:
        offer = await services.reminders.snooze_offer(person, callback_data.res, deadline, clock.now())
    except DomainError as err:
        await refuse(query, t, err)
        return
    await query.answer()
    # A message of its own: the reminder keeps its buttons into the report dialog.
    await reply(query, *snooze_offer_view(t, offer, services.settings.tz))


async def pick(
    query: CallbackQuery,
    callback_data: SnoozePick,
    services: Services,
    person: Person,
    clock: Clock,
    t: Translator,
) -> None:
    deadline, delay = code_day(callback_data.day), callback_data.delay
    try:
        moment = await services.reminders.snooze(person, callback_data.res, deadline, delay, clock.now())
    except DomainError as err:
        await refuse(query, t, err)
        return
    await edit_or_answer(query, snoozed_text(t, moment, services.settings.tz), None)


def router() -> Router:
    member = Router(name="member_snooze")
    member.callback_query.filter(MEMBER)
    member.callback_query.register(ask, SnoozeAsk.filter())
    member.callback_query.register(pick, SnoozePick.filter())
    return member
