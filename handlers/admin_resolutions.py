"""Admins: resolution preview (kinds per group, deadline), publication with progress, the list."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.services import Services
from bot.services.resolutions import parse_deadline
from bot.telegram.answers import edit_or_answer, reply
from bot.telegram.callbacks import DraftAct, DraftAction, DraftGroupKind, ResolutionOpen
from bot.telegram.filters import ADMIN
from bot.telegram.views.organizations import cancel_keyboard
from bot.telegram.views.resolutions import (
    group_kind_view,
    listing_view,
    preview_view,
    progress_text,
    publish_confirm_view,
)
from bot.texts.i18n import Translator


class DraftDeadline(StatesGroup):
    waiting = State()


async def resolutions(message: Message, services: Services, t: Translator) -> None:
    text, markup = listing_view(t, await services.resolutions.listing())
    await message.answer(text, reply_markup=markup)


async def open_resolution(
    query: CallbackQuery, callback_data: ResolutionOpen | DraftAction, services: Services, t: Translator
) -> None:
    preview = await services.repeats.preview(callback_data.res_id)
    await edit_or_answer(query, *preview_view(t, preview.resolution, preview.repeats))


async def choose_group_kind(
    query: CallbackQuery, callback_data: DraftGroupKind, services: Services, t: Translator
) -> None:
    group = await services.resolutions.draft_group(callback_data.res_id, callback_data.group_id)
    await edit_or_answer(query, *group_kind_view(t, group))


async def set_group_kind(
    query: CallbackQuery, callback_data: DraftGroupKind, services: Services, t: Translator
) -> None:
    assert callback_data.kind is not None
    resolution = await services.resolutions.set_group_kind(
        callback_data.res_id, callback_data.group_id, callback_data.kind
    )
    await edit_or_answer(query, *preview_view(t, resolution))


async def ask_deadline(
    query: CallbackQuery, callback_data: DraftAction, services: Services, state: FSMContext, t: Translator
) -> None:
    await services.resolutions.draft(callback_data.res_id)
    await state.set_state(DraftDeadline.waiting)
    await state.update_data(res_id=callback_data.res_id)
    await query.answer()
    await reply(query, t("res.ask_deadline"), cancel_keyboard(t))


async def got_deadline(
    message: Message, services: Services, state: FSMContext, settings: Settings, clock: Clock, t: Translator
) -> None:
    data = await state.get_data()
    today = clock.now().astimezone(settings.tz).date()
    try:
        number, day = parse_deadline(message.text or "")
        resolution = await services.resolutions.set_any_deadline(data["res_id"], number, day, today)
    except DomainError as err:
        await message.answer(t(err.key, **err.params), reply_markup=cancel_keyboard(t))
        return
    await state.clear()
    text, markup = preview_view(t, resolution)
    await message.answer(text, reply_markup=markup)


async def deadline_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("res.ask_deadline"), reply_markup=cancel_keyboard(t))


async def clear_deadline(
    query: CallbackQuery,
    callback_data: DraftAction,
    services: Services,
    settings: Settings,
    clock: Clock,
    t: Translator,
) -> None:
    today = clock.now().astimezone(settings.tz).date()
    resolution = await services.resolutions.set_deadline(callback_data.res_id, None, today)
    await edit_or_answer(query, *preview_view(t, resolution))


async def discard(
    query: CallbackQuery, callback_data: DraftAction, services: Services, t: Translator
) -> None:
    await services.resolutions.discard(callback_data.res_id)
    await edit_or_answer(query, t("res.discarded"), None)


async def withdraw(
    query: CallbackQuery, callback_data: DraftAction, services: Services, t: Translator
) -> None:
    resolution = await services.resolutions.withdraw(callback_data.res_id)
    await edit_or_answer(query, *preview_view(t, resolution))


async def confirm_publish(
    query: CallbackQuery, callback_data: DraftAction, services: Services, t: Translator
) -> None:
    estimate = await services.publication.estimate(callback_data.res_id)
    await edit_or_answer(query, *publish_confirm_view(t, estimate))


async def publish(
    query: CallbackQuery, callback_data: DraftAction, services: Services, clock: Clock, t: Translator
) -> None:
    assert query.message is not None
    result = await services.publication.publish(callback_data.res_id, query.from_user.id, clock.now())
    await edit_or_answer(query, *preview_view(t, result.resolution))
    if not result.messages:
        await query.message.answer(t("res.published_no_recipients"))
        return
    progress = await query.message.answer(progress_text(t, result))
    await services.resolutions.attach_progress_message(result.resolution.id, progress.message_id)


def router() -> Router:
    admin = Router(name="admin_resolutions")
    admin.message.filter(ADMIN)
    admin.callback_query.filter(ADMIN)
    admin.message.register(resolutions, Command("resolutions"))
    admin.callback_query.register(open_resolution, ResolutionOpen.filter())
    admin.callback_query.register(choose_group_kind, DraftGroupKind.filter(F.kind.is_(None)))
    admin.callback_query.register(set_group_kind, DraftGroupKind.filter(F.kind.is_not(None)))
    actions = {
        DraftAct.VIEW: open_resolution,
        DraftAct.DEADLINE: ask_deadline,
        DraftAct.NO_DEADLINE: clear_deadline,
        DraftAct.DISCARD: discard,
        DraftAct.WITHDRAW: withdraw,
        DraftAct.PUBLISH: confirm_publish,
        DraftAct.CONFIRM: publish,
    }
    for action, handler in actions.items():
        admin.callback_query.register(handler, DraftAction.filter(F.action == action))
    admin.message.register(got_deadline, DraftDeadline.waiting, F.text, ~F.text.startswith("/"))
    admin.message.register(deadline_not_text, DraftDeadline.waiting, ~F.text.startswith("/"))
    return admin
