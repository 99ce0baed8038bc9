"""Members: «🗓 Перенести срок» — the new date, then the reason; the request waits for an official."""

from __future__ import annotations

import datetime as dt

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.services import Services
from bot.telegram.answers import correct_or_end, refuse
from bot.telegram.callbacks import ExtensionAsk, ExtensionCancel
from bot.telegram.filters import MEMBER
from bot.telegram.views.extensions import ask_date_view, ask_reason_view, cancel_keyboard, requested_view
from bot.texts.i18n import Translator
from storage.models import Person

NOT_COMMAND = ~F.text.startswith("/")


class ExtensionDialog(StatesGroup):
    date = State()
    reason = State()


async def ask(
    query: CallbackQuery,
    callback_data: ExtensionAsk,
    services: Services,
    person: Person,
    state: FSMContext,
    t: Translator,
) -> None:
    try:
        target = await services.extensions.requestable(person, callback_data.rec_id)
    except DomainError as err:
        await refuse(query, t, err)
        return
    # Replaces any report dialog in progress: one conversation at a time.
    await state.set_state(ExtensionDialog.date)
    await state.set_data({"ext_rec": target.rec.id})
    await query.answer()
    text, markup = ask_date_view(t, target, services.today())
    await query.bot.send_message(query.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]


async def got_date(
    message: Message, services: Services, person: Person, state: FSMContext, t: Translator
) -> None:
    rec_id = int((await state.get_data())["ext_rec"])
    try:
        day = await services.extensions.check_date(person, rec_id, message.text or "", services.today())
    except DomainError as err:
        await message.answer(t(err.key, **err.params), reply_markup=cancel_keyboard(t))
        return
    await state.set_state(ExtensionDialog.reason)
    await state.set_data({"ext_rec": rec_id, "ext_date": day.isoformat()})
    text, markup = ask_reason_view(t, day)
    await message.answer(text, reply_markup=markup)


async def got_reason(
    message: Message, services: Services, person: Person, state: FSMContext, clock: Clock, t: Translator
) -> None:
    data = await state.get_data()
    rec_id, day = int(data["ext_rec"]), dt.date.fromisoformat(data["ext_date"])
    key = f"msg:{message.chat.id}:{message.message_id}"
    try:
        await services.extensions.request(
            person, rec_id, day, message.text or "", key, clock.now(), services.today()
        )
    except DomainError as err:
        await correct_or_end(message, state, t, err, ("ext.reason_empty", "ext.too_long"), cancel_keyboard(t))
        return
    await state.clear()
    await message.answer(requested_view(t, day))


async def cancel(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await query.answer(t.plain("cancelled_short"))
    if query.message is not None:
        await query.bot.send_message(query.message.chat.id, t("ext.cancelled"))  # type: ignore[union-attr]


async def text_expected(message: Message, t: Translator) -> None:
    await message.answer(t("report.text_expected"), reply_markup=cancel_keyboard(t))


def router() -> Router:
    member = Router(name="member_extensions")
    member.message.filter(MEMBER)
    member.callback_query.filter(MEMBER)
    member.callback_query.register(ask, ExtensionAsk.filter())
    member.callback_query.register(cancel, StateFilter(ExtensionDialog), ExtensionCancel.filter())
    member.message.register(got_date, ExtensionDialog.date, F.text, NOT_COMMAND)
    member.message.register(got_reason, ExtensionDialog.reason, F.text, NOT_COMMAND)
    member.message.register(text_expected, StateFilter(ExtensionDialog), NOT_COMMAND)
    return member
