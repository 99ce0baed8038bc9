"""Reviewers: the /review queue, decisions on reports (accept, return with a comment, reopen with a
reason), the queue's filters and the switch for notices of new submissions. Officials and admins review
everything; members of a municipal authority (SUPERVISOR with a municipality's scope) review their
institutions' reports for resolutions whose review the department delegated — the service checks which.

The filter last used is kept in the FSM data (`review_nav`), so the item after a decision comes from the
same selection; a decision asking for text waits in ReviewDialog.note with the report and version shown."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.domain import RevisionEvent, Role
from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.domain.scope import REGION, ViewScope
from bot.services import Services
from bot.services.review import Decision, StaleReview
from bot.telegram.answers import edit_or_answer, reply
from bot.telegram.callbacks import (
    DelegationMode,
    DelegationSwitch,
    MunicipalDecisions,
    ReviewAct,
    ReviewDecide,
    ReviewFilter,
    ReviewFilterWhat,
    ReviewHistory,
    ReviewMute,
    ReviewNav,
)
from bot.telegram.filters import MEMBER, SUPERVISOR
from bot.telegram.views import review as views
from bot.texts.i18n import Html, Translator
from storage.models import Person

EVENTS = {
    ReviewAct.ACCEPT: RevisionEvent.ACCEPTED,
    ReviewAct.RETURN: RevisionEvent.RETURNED,
    ReviewAct.REOPEN: RevisionEvent.REOPENED,
}
NOT_COMMAND = ~F.text.startswith("/")
DELEGATION_MODES = {DelegationMode.ON: True, DelegationMode.OFF: False, DelegationMode.DEFAULT: None}


class ReviewDialog(StatesGroup):
    note = State()  # the comment of a return or the reason of a reopening


async def leave_note(state: FSMContext) -> None:
    """Another review action abandons a comment the official was asked for (and only that: an admin's
    other dialog is left as it is)."""
    if await state.get_state() == ReviewDialog.note.state:
        await state.set_state(None)


async def saved_nav(state: FSMContext) -> ReviewNav:
    packed = (await state.get_data()).get("review_nav")
    try:
        return ReviewNav.unpack(packed) if isinstance(packed, str) else ReviewNav()
    except (TypeError, ValueError):
        return ReviewNav()


async def queue_screen(
    services: Services,
    nav: ReviewNav,
    who: tuple[Person | None, Role | None, ViewScope | None],
    settings: Settings,
    t: Translator,
    notice: str | None = None,
) -> views.Screen:
    """`who` is the reviewer: person, role and scope."""
    person, role, scope = who
    try:
        where = await services.review.filter_for(role, scope, nav.res, nav.grp, nav.muni)
    except DomainError:
        # A saved filter whose resolution or municipality is gone (or no longer delegated): the whole queue.
        where = await services.review.filter_for(role, scope, 0, 0, "-")
    view = await services.review.queue(where, nav.skip)
    muted = bool(person and person.review_notices_muted)
    return views.queue_screen(t, view, muted, settings.review_notice_minutes, settings.tz, notice)


async def review(
    message: Message,
    services: Services,
    person: Person | None,
    role: Role | None,
    scope: ViewScope | None,
    settings: Settings,
    state: FSMContext,
    t: Translator,
) -> None:
    # A member who does not review is told who does (and nothing of the dialog is touched).
    services.review.require(person, role, scope)
    await leave_note(state)
    await state.update_data(review_nav=ReviewNav().pack())
    text, markup = await queue_screen(services, ReviewNav(), (person, role, scope), settings, t)
    await message.answer(text, reply_markup=markup)


async def navigate(
    query: CallbackQuery,
    callback_data: ReviewNav,
    services: Services,
    person: Person | None,
    role: Role | None,
    scope: ViewScope | None,
    settings: Settings,
    state: FSMContext,
    t: Translator,
) -> None:
    nav = callback_data
    await services.review.filter_for(role, scope, nav.res, nav.grp, nav.muni)
    await leave_note(state)
    await state.update_data(review_nav=nav.pack())
    await edit_or_answer(query, *await queue_screen(services, nav, (person, role, scope), settings, t))


async def choose_filter(
    query: CallbackQuery,
    callback_data: ReviewFilter,
    services: Services,
    role: Role | None,
    scope: ViewScope | None,
    t: Translator,
) -> None:
    data = callback_data
    where = await services.review.filter_for(role, scope, data.res, data.grp, data.muni)
    if data.what is ReviewFilterWhat.RES:
        options = views.resolution_options(where, await services.review.published(scope or REGION))
    elif data.what is ReviewFilterWhat.GRP:
        options = views.group_options(where, await services.review.resolution(where))
    else:
        options = views.municipality_options(where, await services.review.municipalities(scope or REGION))
    await edit_or_answer(query, *views.filter_screen(t, callback_data.what, where, options))


async def history(
    query: CallbackQuery,
    callback_data: ReviewHistory,
    services: Services,
    role: Role | None,
    scope: ViewScope | None,
    settings: Settings,
    t: Translator,
) -> None:
    card = await services.review.card(role, scope, callback_data.report_id)
    await edit_or_answer(query, *views.history_screen(t, card, settings.tz, scope or REGION))


async def after_decision(
    services: Services,
    decision: Decision,
    who: tuple[Person | None, Role | None, ViewScope | None],
    settings: Settings,
    state: FSMContext,
    t: Translator,
) -> views.Screen:
    """The next item of the same selection, under a line saying what was just decided."""
    notice = views.decided_notice(t, decision.card, decision.event)
    text, markup = await queue_screen(services, await saved_nav(state), who, settings, t, notice)
    if decision.event is RevisionEvent.ACCEPTED:
        markup.inline_keyboard.insert(0, views.undo_row(t, decision.card))
    return text, markup


async def decide(
    query: CallbackQuery,
    callback_data: ReviewDecide,
    services: Services,
    person: Person | None,
    role: Role | None,
    scope: ViewScope | None,
    settings: Settings,
    state: FSMContext,
    clock: Clock,
    t: Translator,
) -> None:
    event = EVENTS[callback_data.action]
    shown = (callback_data.report_id, callback_data.version)
    await leave_note(state)
    try:
        if event is RevisionEvent.ACCEPTED:
            decision = await services.review.decide(
                person, role, scope, shown, event, None, f"cb:{query.id}", clock.now()
            )
        else:
            card = await services.review.check_current(role, scope, *shown, event)
    except StaleReview as stale:
        screen = views.report_screen(t, stale.card, settings.tz, t("review.stale"), scope or REGION)
        await edit_or_answer(query, *screen, t.plain("review.stale_short"))
        return
    if event is RevisionEvent.ACCEPTED:
        screen = await after_decision(services, decision, (person, role, scope), settings, state, t)
        await edit_or_answer(query, *screen, t.plain("review.accepted_short"))
        return
    # A return or a reopening needs words: the report and the version shown wait in the FSM.
    await state.set_state(ReviewDialog.note)
    await state.update_data(
        review_report=shown[0], review_version=shown[1], review_action=callback_data.action.value
    )
    await query.answer()
    await reply(query, *views.ask_note(t, card, callback_data.action))


async def got_note(
    message: Message,
    services: Services,
    person: Person | None,
    role: Role | None,
    scope: ViewScope | None,
    settings: Settings,
    state: FSMContext,
    clock: Clock,
    t: Translator,
) -> None:
    data = await state.get_data()
    if not {"review_action", "review_report", "review_version"} <= data.keys():
        # The state outlived its data (a storage edited by hand): nothing to decide, say so plainly.
        await state.set_state(None)
        await message.answer(t("not_understood"))
        return
    event = EVENTS[ReviewAct(data["review_action"])]
    shown = (int(data["review_report"]), int(data["review_version"]))
    key = f"msg:{message.chat.id}:{message.message_id}"
    try:
        decision = await services.review.decide(
            person, role, scope, shown, event, message.text or "", key, clock.now()
        )
    except StaleReview as stale:
        await state.set_state(None)
        text, markup = views.report_screen(t, stale.card, settings.tz, t("review.stale"), scope or REGION)
        await message.answer(text, reply_markup=markup)
        return
    except DomainError as err:
        if err.key.startswith(("review.comment_", "review.reason_")):
            await message.answer(Html(t(err.key, **err.params) + "\n" + t("review.note_again")))
            return
        await state.set_state(None)
        raise
    await state.set_state(None)
    text, markup = await after_decision(services, decision, (person, role, scope), settings, state, t)
    await message.answer(text, reply_markup=markup)


async def municipal_decisions(
    query: CallbackQuery,
    callback_data: MunicipalDecisions,
    services: Services,
    role: Role | None,
    scope: ViewScope | None,
    settings: Settings,
    state: FSMContext,
    t: Translator,
) -> None:
    """The department's list of municipal authorities' decisions on the resolution (the service refuses
    anyone else); a decision taken here comes back to the queue filtered by the same resolution."""
    data = callback_data
    view = await services.review.municipal_decisions(role, scope, data.res, data.skip)
    await leave_note(state)
    await state.update_data(review_nav=ReviewNav(res=data.res).pack())
    await edit_or_answer(query, *views.municipal_decisions_screen(t, view, settings.tz))


async def note_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("review.note_text_only"))


async def mute(
    query: CallbackQuery,
    callback_data: ReviewMute,
    services: Services,
    person: Person | None,
    role: Role | None,
    scope: ViewScope | None,
    settings: Settings,
    state: FSMContext,
    t: Translator,
) -> None:
    muted = await services.review.set_muted(person, role, scope, callback_data.mute)
    text, markup = await queue_screen(services, await saved_nav(state), (person, role, scope), settings, t)
    await edit_or_answer(
        query, text, markup, t.plain("review.muted_short" if muted else "review.unmuted_short")
    )


async def switch_delegation(
    query: CallbackQuery,
    callback_data: DelegationSwitch,
    services: Services,
    person: Person | None,
    role: Role | None,
    scope: ViewScope | None,
    settings: Settings,
    state: FSMContext,
    t: Translator,
) -> None:
    """The department's switch under a queue filtered by the resolution: the same queue, switched."""
    mode = DELEGATION_MODES[callback_data.mode]
    await services.review.set_delegation(role, callback_data.res_id, mode)
    await leave_note(state)
    nav = ReviewNav(res=callback_data.res_id)
    await state.update_data(review_nav=nav.pack())
    await edit_or_answer(query, *await queue_screen(services, nav, (person, role, scope), settings, t))


def router() -> Router:
    # Officials, admins and municipal authorities' members; what each may see and decide is the service's.
    reviewers = Router(name="official_review.reviewers")
    reviewers.message.filter(SUPERVISOR)
    reviewers.callback_query.filter(SUPERVISOR)
    reviewers.message.register(review, Command("review"))
    reviewers.message.register(got_note, ReviewDialog.note, F.text, NOT_COMMAND)
    reviewers.message.register(note_not_text, ReviewDialog.note, NOT_COMMAND)
    reviewers.callback_query.register(navigate, ReviewNav.filter())
    reviewers.callback_query.register(choose_filter, ReviewFilter.filter())
    reviewers.callback_query.register(decide, ReviewDecide.filter())
    reviewers.callback_query.register(history, ReviewHistory.filter())
    reviewers.callback_query.register(mute, ReviewMute.filter())
    reviewers.callback_query.register(municipal_decisions, MunicipalDecisions.filter())
    reviewers.callback_query.register(switch_delegation, DelegationSwitch.filter(F.queue.is_(True)))
    # Members of other organizations: /review tells them who reviews their reports.
    others = Router(name="official_review.members")
    others.message.filter(MEMBER)
    others.message.register(review, Command("review"))
    parent = Router(name="official_review")
    parent.include_routers(reviewers, others)
    return parent
