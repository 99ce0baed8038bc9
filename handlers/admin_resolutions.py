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
from bot.services.publication import batch_name
from bot.services.resolutions import ResolutionService, parse_deadline
from bot.telegram.answers import edit_or_answer, refuse
from bot.telegram.callbacks import DraftAction, DraftGroupKind, ResolutionOpen
from bot.telegram.filters import ADMIN
from bot.telegram.views.organizations import cancel_keyboard
from bot.telegram.views.resolutions import (
    group_kind_keyboard,
    listing_view,
    preview_view,
    publish_confirm_keyboard,
)
from bot.texts.i18n import Translator
from storage.repositories import Repositories


class DraftDeadline(StatesGroup):
    waiting = State()


def create_router() -> Router:
    router = Router(name="admin_resolutions")
    router.message.filter(ADMIN)
    router.callback_query.filter(ADMIN)

    @router.message(Command("resolutions"))
    async def resolutions(message: Message, repo: Repositories, t: Translator) -> None:
        text, markup = listing_view(t, await repo.resolutions.listing())
        await message.answer(text, reply_markup=markup)

    @router.callback_query(ResolutionOpen.filter())
    async def open_resolution(
        query: CallbackQuery, callback_data: ResolutionOpen, repo: Repositories, t: Translator
    ) -> None:
        resolution = await ResolutionService(repo).get(callback_data.res_id)
        await edit_or_answer(query, *preview_view(t, resolution))

    @router.callback_query(DraftGroupKind.filter(F.kind == ""))
    async def choose_group_kind(
        query: CallbackQuery, callback_data: DraftGroupKind, repo: Repositories, t: Translator
    ) -> None:
        resolution = await ResolutionService(repo).draft(callback_data.res_id)
        group = next((g for g in resolution.groups if g.id == callback_data.group_id), None)
        if group is None:
            await refuse(query, t)
            return
        await edit_or_answer(
            query,
            t("res.choose_group_kind", number=group.position, heading=group.heading),
            group_kind_keyboard(t, resolution.id, group.id),
        )

    @router.callback_query(DraftGroupKind.filter(F.kind != ""))
    async def set_group_kind(
        query: CallbackQuery, callback_data: DraftGroupKind, repo: Repositories, t: Translator
    ) -> None:
        resolution = await ResolutionService(repo).set_group_kind(
            callback_data.res_id, callback_data.group_id, callback_data.kind
        )
        await edit_or_answer(query, *preview_view(t, resolution))

    @router.callback_query(DraftAction.filter(F.action == "view"))
    async def view(
        query: CallbackQuery, callback_data: DraftAction, repo: Repositories, t: Translator
    ) -> None:
        resolution = await ResolutionService(repo).get(callback_data.res_id)
        await edit_or_answer(query, *preview_view(t, resolution))

    @router.callback_query(DraftAction.filter(F.action == "deadline"))
    async def ask_deadline(
        query: CallbackQuery, callback_data: DraftAction, repo: Repositories, state: FSMContext, t: Translator
    ) -> None:
        await ResolutionService(repo).draft(callback_data.res_id)
        await state.set_state(DraftDeadline.waiting)
        await state.update_data(res_id=callback_data.res_id)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(t("res.ask_deadline"), reply_markup=cancel_keyboard(t))

    @router.message(DraftDeadline.waiting, F.text, ~F.text.startswith("/"))
    async def got_deadline(
        message: Message,
        repo: Repositories,
        state: FSMContext,
        settings: Settings,
        clock: Clock,
        t: Translator,
    ) -> None:
        data = await state.get_data()
        today = clock.now().astimezone(settings.tz).date()
        service = ResolutionService(repo)
        try:
            number, day = parse_deadline(message.text or "")
            if number is None:
                resolution = await service.set_deadline(data["res_id"], day, today)
            else:
                resolution = await service.set_recommendation_deadline(data["res_id"], number, day, today)
        except DomainError as err:
            await message.answer(t(err.key, **err.params), reply_markup=cancel_keyboard(t))
            return
        await state.clear()
        text, markup = preview_view(t, resolution)
        await message.answer(text, reply_markup=markup)

    @router.message(DraftDeadline.waiting, ~F.text.startswith("/"))
    async def deadline_not_text(message: Message, t: Translator) -> None:
        await message.answer(t("res.ask_deadline"), reply_markup=cancel_keyboard(t))

    @router.callback_query(DraftAction.filter(F.action == "nodeadline"))
    async def clear_deadline(
        query: CallbackQuery,
        callback_data: DraftAction,
        repo: Repositories,
        settings: Settings,
        clock: Clock,
        t: Translator,
    ) -> None:
        today = clock.now().astimezone(settings.tz).date()
        resolution = await ResolutionService(repo).set_deadline(callback_data.res_id, None, today)
        await edit_or_answer(query, *preview_view(t, resolution))

    @router.callback_query(DraftAction.filter(F.action == "discard"))
    async def discard(
        query: CallbackQuery, callback_data: DraftAction, repo: Repositories, t: Translator
    ) -> None:
        await ResolutionService(repo).discard(callback_data.res_id)
        await edit_or_answer(query, t("res.discarded"), None)

    @router.callback_query(DraftAction.filter(F.action == "withdraw"))
    async def withdraw(
        query: CallbackQuery, callback_data: DraftAction, repo: Repositories, t: Translator
    ) -> None:
        resolution = await ResolutionService(repo).withdraw(callback_data.res_id)
        await edit_or_answer(query, *preview_view(t, resolution))

    @router.callback_query(DraftAction.filter(F.action == "publish"))
    async def confirm_publish(
        query: CallbackQuery, callback_data: DraftAction, services: Services, t: Translator
    ) -> None:
        estimate = await services.publication.estimate(callback_data.res_id)
        text = t(
            "res.publish_confirm",
            title=estimate.resolution.title,
            recipients=estimate.recipients,
            messages=estimate.messages,
            unstaffed=estimate.organizations_without_people,
        )
        await edit_or_answer(query, text, publish_confirm_keyboard(t, callback_data.res_id))

    @router.callback_query(DraftAction.filter(F.action == "confirm"))
    async def publish(
        query: CallbackQuery,
        callback_data: DraftAction,
        repo: Repositories,
        services: Services,
        clock: Clock,
        t: Translator,
    ) -> None:
        assert query.message is not None
        result = await services.publication.publish(callback_data.res_id, query.from_user.id, clock.now())
        await edit_or_answer(query, *preview_view(t, result.resolution))
        if not result.messages:
            await query.message.answer(t("res.published_no_recipients"))
            return
        progress = await query.message.answer(
            t(
                "delivery.progress",
                title=result.resolution.title,
                sent=0,
                total=result.messages,
                queued=result.messages,
                unreachable=0,
                failed=0,
            )
        )
        batch = await repo.outbox.batch(batch_name(result.resolution.id))
        if batch is not None:
            batch.progress_message_id = progress.message_id

    return router
