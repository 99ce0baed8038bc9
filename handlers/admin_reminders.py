"""Admins: /remind sends a reminder now to organizations that have not reported."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.domain.errors import DomainError
from bot.services import Services
from bot.telegram.answers import edit_or_answer, refuse
from bot.telegram.callbacks import RemindNow
from bot.telegram.filters import ADMIN
from bot.telegram.views.people import remind_account_text, remind_result_text
from bot.telegram.views.resolutions import remind_choice_markup, remind_confirm_markup
from bot.texts.i18n import Translator
from bot.texts.titles import short_title


async def remind(message: Message, services: Services, t: Translator) -> None:
    published = await services.resolutions.published()
    if not published:
        await message.answer(t("remind.none_published"))
        return
    await message.answer(t("remind.choose"), reply_markup=remind_choice_markup(published))


async def confirm(query: CallbackQuery, callback_data: RemindNow, services: Services, t: Translator) -> None:
    try:
        resolution, account = await services.reminders.manual_account(callback_data.res_id)
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


async def send(query: CallbackQuery, callback_data: RemindNow, services: Services, t: Translator) -> None:
    resolution = await services.resolutions.published_one(callback_data.res_id)
    # The message id makes the reminder once per confirmation screen, however often it is clicked.
    key = f"res:{resolution.id}:msg:{query.message.message_id if query.message else query.id}"
    batch = await services.reminders.remind_now(resolution.id, key)
    await edit_or_answer(query, remind_result_text(t, batch), None)


def router() -> Router:
    admin = Router(name="admin_reminders")
    admin.message.filter(ADMIN)
    admin.callback_query.filter(ADMIN)
    admin.message.register(remind, Command("remind"))
    admin.callback_query.register(confirm, RemindNow.filter(~F.confirm))
    admin.callback_query.register(send, RemindNow.filter(F.confirm))
    return admin
