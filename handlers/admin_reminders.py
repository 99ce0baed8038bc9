"""Admins: /remind sends a reminder now to organizations that have not reported."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.domain import ResolutionStatus
from bot.services import Services
from bot.telegram.answers import edit_or_answer, refuse
from bot.telegram.callbacks import RemindNow
from bot.telegram.filters import ADMIN
from bot.telegram.text_split import shorten
from bot.texts.i18n import Translator
from storage.repositories import Repositories


def create_router() -> Router:
    router = Router(name="admin_reminders")
    router.message.filter(ADMIN)
    router.callback_query.filter(ADMIN)

    @router.message(Command("remind"))
    async def remind(message: Message, repo: Repositories, t: Translator) -> None:
        published = await repo.resolutions.published()
        if not published:
            await message.answer(t("remind.none_published"))
            return
        rows = [
            [InlineKeyboardButton(text=shorten(r.title, 60), callback_data=RemindNow(res_id=r.id).pack())]
            for r in published
        ]
        await message.answer(t("remind.choose"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))

    @router.callback_query(RemindNow.filter(~F.confirm))
    async def confirm(
        query: CallbackQuery, callback_data: RemindNow, repo: Repositories, t: Translator
    ) -> None:
        resolution = await repo.resolutions.get(callback_data.res_id)
        if resolution is None or resolution.status is not ResolutionStatus.PUBLISHED:
            await refuse(query, t)
            return
        orgs = {item.org_id for item in await repo.schedule.open_items(resolution.id)}
        if not orgs:
            await edit_or_answer(query, t("remind.nobody", title=resolution.title), None)
            return
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=t.plain("btn.remind_confirm"),
                        callback_data=RemindNow(res_id=resolution.id, confirm=True).pack(),
                    )
                ]
            ]
        )
        await edit_or_answer(query, t("remind.confirm", title=resolution.title, orgs=len(orgs)), markup)

    @router.callback_query(RemindNow.filter(F.confirm))
    async def send(
        query: CallbackQuery, callback_data: RemindNow, repo: Repositories, services: Services, t: Translator
    ) -> None:
        resolution = await repo.resolutions.get(callback_data.res_id)
        if resolution is None or resolution.status is not ResolutionStatus.PUBLISHED:
            await refuse(query, t)
            return
        # The message id makes the reminder once per confirmation screen, however often it is clicked.
        key = f"res:{resolution.id}:msg:{query.message.message_id if query.message else query.id}"
        batch = await services.reminders.remind_now(resolution.id, key)
        await edit_or_answer(query, t("remind.sent", orgs=batch.organizations, messages=batch.messages), None)

    return router
