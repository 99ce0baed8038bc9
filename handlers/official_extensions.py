"""Officials and admins: requests to move deadlines — the list (reached from /review), a request's card,
approval, and denial with a required comment."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.domain import Role
from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.services import Services
from bot.telegram.answers import correct_or_end, edit_message, edit_or_answer, refuse, reply
from bot.telegram.callbacks import (
    ExtDecision,
    ExtensionCancel,
    ExtensionDecide,
    ExtensionList,
    ExtensionOpen,
)
from bot.telegram.filters import STAFF
from bot.telegram.views.extensions import ask_comment_view, cancel_keyboard, card_view, list_view
from bot.texts.i18n import Translator
from storage.models import Person

NOT_COMMAND = ~F.text.startswith("/")

# A comment the official can fix by typing again; other refusals (decided meanwhile) end the dialog.
DENIAL_CORRECTABLE = ("ext.comment_empty", "ext.too_long")


class DenyDialog(StatesGroup):
    comment = State()


async def list_command(message: Message, services: Services, role: Role, t: Translator) -> None:
    text, markup = list_view(t, await services.extensions.pending_page(role, 0))
    await message.answer(text, reply_markup=markup)


async def list_page(
    query: CallbackQuery, callback_data: ExtensionList, services: Services, role: Role, t: Translator
) -> None:
    page = await services.extensions.pending_page(role, callback_data.page)
    await edit_or_answer(query, *list_view(t, page))


async def open_card(
    query: CallbackQuery, callback_data: ExtensionOpen, services: Services, role: Role, t: Translator
) -> None:
    try:
        card = await services.extensions.card(role, callback_data.ext_id)
    except DomainError as err:
        await refuse(query, t, err)
        return
    await edit_or_answer(query, *card_view(t, card))


async def approve(
    query: CallbackQuery,
    callback_data: ExtensionDecide,
    services: Services,
    role: Role,
    person: Person | None,
    clock: Clock,
    t: Translator,
) -> None:
    try:
        card = await services.extensions.approve(role, person, callback_data.ext_id, clock.now())
    except DomainError as err:
        await _stale(query, services, role, callback_data.ext_id, t, err)
        return
    await edit_or_answer(query, *card_view(t, card), t.plain("ext.approved_short"))


async def ask_denial(
    query: CallbackQuery,
    callback_data: ExtensionDecide,
    services: Services,
    role: Role,
    state: FSMContext,
    t: Translator,
) -> None:
    try:
        card = await services.extensions.pending_card(role, callback_data.ext_id)
    except DomainError as err:
        await _stale(query, services, role, callback_data.ext_id, t, err)
        return
    await state.set_state(DenyDialog.comment)
    await state.set_data({"ext_id": card.extension.id})
    await query.answer()
    await reply(query, *ask_comment_view(t, card))


async def got_denial(
    message: Message,
    services: Services,
    role: Role,
    person: Person | None,
    state: FSMContext,
    clock: Clock,
    t: Translator,
) -> None:
    ext_id = int((await state.get_data())["ext_id"])
    try:
        card = await services.extensions.deny(role, person, ext_id, message.text or "", clock.now())
    except DomainError as err:
        await correct_or_end(
            message, state, t, err, ("ext.comment_empty", "ext.too_long"), cancel_keyboard(t)
        )
        return
    await state.clear()
    text, markup = card_view(t, card)
    await message.answer(f"{t('ext.denied_short')}\n\n{text}", reply_markup=markup)


async def _stale(
    query: CallbackQuery, services: Services, role: Role, ext_id: int, t: Translator, err: DomainError
) -> None:
    """A request decided meanwhile (or a second tap): the alert, and the card as it now stands."""
    try:
        card = await services.extensions.card(role, ext_id)
    except DomainError:
        await refuse(query, t, err)
        return
    if isinstance(query.message, Message):
        await edit_message(query.message, *card_view(t, card))
    await query.answer(t.plain(err.key, **err.params), show_alert=True)


async def cancel(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await query.answer(t.plain("cancelled_short"))
    await reply(query, t("ext.deny_cancelled"))


async def text_expected(message: Message, t: Translator) -> None:
    await message.answer(t("report.text_expected"), reply_markup=cancel_keyboard(t))


def router() -> Router:
    staff = Router(name="official_extensions")
    staff.message.filter(STAFF)
    staff.callback_query.filter(STAFF)
    staff.message.register(list_command, Command("extensions"))
    staff.callback_query.register(list_page, ExtensionList.filter())
    staff.callback_query.register(open_card, ExtensionOpen.filter())
    staff.callback_query.register(approve, ExtensionDecide.filter(F.decision == ExtDecision.APPROVE))
    staff.callback_query.register(ask_denial, ExtensionDecide.filter(F.decision == ExtDecision.DENY))
    staff.callback_query.register(cancel, StateFilter(DenyDialog), ExtensionCancel.filter())
    staff.message.register(got_denial, DenyDialog.comment, F.text, NOT_COMMAND)
    staff.message.register(text_expected, StateFilter(DenyDialog), NOT_COMMAND)
    return staff
