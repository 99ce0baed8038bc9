"""Admins: confirm or unlink a year-over-year repeat shown in a resolution's preview."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from bot.services import Services
from bot.telegram.answers import edit_or_answer
from bot.telegram.callbacks import RepeatDecision
from bot.telegram.filters import ADMIN
from bot.telegram.views.resolutions import preview_view
from bot.texts.i18n import Translator


async def decide(
    query: CallbackQuery, callback_data: RepeatDecision, services: Services, t: Translator
) -> None:
    preview = await services.repeats.decide(callback_data.link_id, callback_data.confirm, query.from_user.id)
    await edit_or_answer(
        query, *preview_view(t, preview.resolution, preview.repeats, services.settings.review_delegation)
    )


def router() -> Router:
    admin = Router(name="admin_repeats")
    admin.callback_query.filter(ADMIN)
    admin.callback_query.register(decide, RepeatDecision.filter())
    return admin
