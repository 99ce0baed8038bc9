"""Admins and municipal authorities: /remind sends a reminder now to organizations that have not reported
(a municipal authority's reach only its own institutions: the service keeps to the caller's scope)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, or_f
from aiogram.types import CallbackQuery, Message

from bot.domain.errors import DomainError
from bot.domain.scope import ViewScope
from bot.services import Services
from bot.telegram.answers import edit_or_answer, refuse
from bot.telegram.callbacks import RemindNow
from bot.telegram.filters import ADMIN, MUNICIPAL_AUTHORITY
from bot.telegram.views.people import remind_account_text, remind_result_text
from bot.telegram.views.resolutions import remind_choice_markup, remind_confirm_markup
from bot.texts.i18n import Translator
from bot.texts.titles import short_title
from storage.models import Person


async def remind(message: Message, services: Services, scope: ViewScope, t: Translator) -> None:
    published = await services.reminders.choices(scope)
    if not published:
        await message.answer(t("remind.none_published"))
        return
    await message.answer(t("remind.choose"), reply_markup=remind_choice_markup(published))


async def confirm(
    query: CallbackQuery, callback_data: RemindNow, services: Services, scope: ViewScope, t: Translator
) -> None:
    try:
        resolution, account = await services.reminders.manual_account(callback_data.res_id, scope)
    except DomainError as err:
        await refuse(query, t, err)
        return
    if not account.open_orgs:
        await edit_or_answer(
            query, t("remind.nobody", title=short_title(resolution.title, resolution.adopted_on)), None
        )
        return
    text = remind_account_text(t, short_title(resolution.title, resolution.adopted_on), account)
    markup = remind_confirm_markup(t, resolution.id) if account.organizations else None
    await edit_or_answer(query, text, markup)


async def send(
    query: CallbackQuery,
    callback_data: RemindNow,
    services: Services,
    scope: ViewScope,
    person: Person | None,
    t: Translator,
) -> None:
    # The chat and message ids make the reminder once per confirmation screen, however often it is
    # clicked (message ids are counted per chat: the chat tells two people's screens apart).
    screen = f"chat:{query.message.chat.id}:msg:{query.message.message_id}" if query.message else query.id
    key = f"res:{callback_data.res_id}:{screen}"
    batch = await services.reminders.remind_now(callback_data.res_id, key, scope, person)
    await edit_or_answer(query, remind_result_text(t, batch), None)


def router() -> Router:
    reminders = Router(name="admin_reminders")
    reminders.message.filter(or_f(ADMIN, MUNICIPAL_AUTHORITY))
    reminders.callback_query.filter(or_f(ADMIN, MUNICIPAL_AUTHORITY))
    reminders.message.register(remind, Command("remind"))
    reminders.callback_query.register(confirm, RemindNow.filter(~F.confirm))
    reminders.callback_query.register(send, RemindNow.filter(F.confirm))
    return reminders
