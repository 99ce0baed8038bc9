"""Admins: resolution preview (kinds per group, deadline, delegated review), publication with progress,
the list."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.domain import Role
from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.services import Services
from bot.services.repeats import Repeat
from bot.services.resolutions import parse_deadline
from bot.telegram.answers import edit_or_answer, reply
from bot.telegram.callbacks import (
    DelegationMode,
    DelegationSwitch,
    DraftAct,
    DraftAction,
    DraftGroupKind,
    ResolutionOpen,
)
from bot.telegram.filters import ADMIN
from bot.telegram.views.organizations import cancel_keyboard
from bot.telegram.views.resolutions import (
    group_kind_view,
    listing_view,
    preview_view,
    progress_text,
    publish_confirm_view,
)
from bot.texts.i18n import Html, Translator
from storage.models import Resolution

DELEGATION_MODES = {DelegationMode.ON: True, DelegationMode.OFF: False, DelegationMode.DEFAULT: None}


def screen(
    t: Translator, services: Services, resolution: Resolution, repeats: Sequence[Repeat] = ()
) -> tuple[Html, InlineKeyboardMarkup]:
    """The resolution's screen, its delegation line told against REVIEW_DELEGATION."""
    return preview_view(t, resolution, repeats, services.settings.review_delegation)


class DraftDeadline(StatesGroup):
    waiting = State()


async def resolutions(message: Message, services: Services, t: Translator) -> None:
    text, markup = listing_view(t, await services.resolutions.listing())
    await message.answer(text, reply_markup=markup)


async def open_resolution(
    query: CallbackQuery, callback_data: ResolutionOpen | DraftAction, services: Services, t: Translator
) -> None:
    preview = await services.repeats.preview(callback_data.res_id)
    await edit_or_answer(query, *screen(t, services, preview.resolution, preview.repeats))


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
    await edit_or_answer(query, *screen(t, services, resolution))


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
    text, markup = screen(t, services, resolution)
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
    await edit_or_answer(query, *screen(t, services, resolution))


async def discard(
    query: CallbackQuery, callback_data: DraftAction, services: Services, t: Translator
) -> None:
    await services.resolutions.discard(callback_data.res_id)
    await edit_or_answer(query, t("res.discarded"), None)


async def withdraw(
    query: CallbackQuery, callback_data: DraftAction, services: Services, t: Translator
) -> None:
    resolution = await services.resolutions.withdraw(callback_data.res_id)
    await edit_or_answer(query, *screen(t, services, resolution))


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
    await edit_or_answer(query, *screen(t, services, result.resolution))
    if not result.messages:
        await query.message.answer(t("res.published_no_recipients"))
        return
    progress = await query.message.answer(progress_text(t, result))
    await services.resolutions.attach_progress_message(result.resolution.id, progress.message_id)


async def switch_delegation(
    query: CallbackQuery,
    callback_data: DelegationSwitch,
    services: Services,
    role: Role | None,
    t: Translator,
) -> None:
    """Delegated review on or off for this resolution, or back to REVIEW_DELEGATION."""
    mode = DELEGATION_MODES[callback_data.mode]
    resolution = await services.review.set_delegation(role, callback_data.res_id, mode)
    await edit_or_answer(query, *screen(t, services, resolution))


def router() -> Router:
    admin = Router(name="admin_resolutions")
    admin.message.filter(ADMIN)
    admin.callback_query.filter(ADMIN)
    admin.message.register(resolutions, Command("resolutions"))
    admin.callback_query.register(open_resolution, ResolutionOpen.filter())
    admin.callback_query.register(choose_group_kind, DraftGroupKind.filter(F.kind.is_(None)))
    admin.callback_query.register(set_group_kind, DraftGroupKind.filter(F.kind.is_not(None)))
    admin.callback_query.register(switch_delegation, DelegationSwitch.filter(F.queue.is_(False)))
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
