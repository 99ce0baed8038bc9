"""Members: the report dialog's steps (status → reason → comment → evidence → confirmation) and its end.

The draft lives in the FSM data as `ReportDraft.to_data()`; every button carries the recommendation id, so
a button from another (older) dialog is refused instead of changing this one."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.domain import ReportStatus
from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.domain.evidence import EvidenceItem
from bot.domain.reports import ReportDraft, validate_comment, validate_reason
from bot.services import Services
from bot.services.reports import Target
from bot.telegram.answers import edit_markup, refuse, reply
from bot.telegram.callbacks import ReportAct, ReportOpen, ReportRevise, ReportStatusPick, ReportStep
from bot.telegram.views.reports import (
    cancel_only,
    comment_keyboard,
    confirm_view,
    evidence_prompt,
    status_picker,
)
from bot.telegram.views.review import revise_heading
from bot.texts.i18n import Html, Translator
from storage.models import Person

GATE = "report.done_needs_evidence"


class ReportDialog(StatesGroup):
    status = State()
    reason = State()
    comment = State()
    evidence = State()
    confirm = State()


async def load_draft(state: FSMContext) -> ReportDraft | None:
    data = await state.get_data()
    return ReportDraft.from_data(data) if "rec_id" in data else None


async def save_draft(state: FSMContext, draft: ReportDraft, step: State) -> None:
    await state.set_state(step)
    await state.set_data(draft.to_data())


async def current(query: CallbackQuery, rec_id: int, state: FSMContext, t: Translator) -> ReportDraft | None:
    """The dialog's draft, if this button belongs to it; a stale or forged button gets an alert."""
    draft = await load_draft(state)
    if draft is None or draft.rec_id != rec_id:
        await refuse(query, t)
        return None
    return draft


async def current_target(
    query: CallbackQuery, rec_id: int, services: Services, person: Person, state: FSMContext, t: Translator
) -> tuple[ReportDraft, Target] | None:
    """The draft and what it reports on, if the button belongs to the dialog and the person may still
    report on it; otherwise an alert, and a dialog that can no longer go on is closed."""
    draft = await current(query, rec_id, state, t)
    if draft is None:
        return None
    try:
        target = await services.reports.target(person, draft.rec_id)
    except DomainError as err:
        await state.clear()
        await refuse(query, t, err)
        return None
    return draft, target


async def open_dialog(
    query: CallbackQuery,
    callback_data: ReportOpen,
    services: Services,
    person: Person,
    state: FSMContext,
    t: Translator,
) -> None:
    try:
        target = await services.reports.target(person, callback_data.rec_id)
    except DomainError as err:
        await refuse(query, t, err)
        return
    await save_draft(state, ReportDraft(rec_id=target.rec.id), ReportDialog.status)
    await query.answer()
    text, markup = status_picker(t, target.rec, target.report, target.deadline)
    await query.bot.send_message(query.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]


async def open_with_evidence(
    query: CallbackQuery, target: Target, items: list[EvidenceItem], state: FSMContext, t: Translator
) -> None:
    """The dialog on `target` with `items` already attached: the entry point for files a member sent
    outside a dialog (handlers/member_stray_files). The steps are the usual ones."""
    await save_draft(state, ReportDraft(rec_id=target.rec.id, evidence=list(items)), ReportDialog.status)
    text, markup = status_picker(t, target.rec, target.report, target.deadline)
    heading = t.n("stray.attached_n", len(items))
    await query.bot.send_message(query.from_user.id, Html(heading + "\n\n" + text), reply_markup=markup)  # type: ignore[union-attr]


async def revise_dialog(
    query: CallbackQuery,
    callback_data: ReportRevise,
    services: Services,
    person: Person,
    state: FSMContext,
    t: Translator,
) -> None:
    """«📝 Доработать» under a returned report: the dialog opens on the report as it stands, with the
    reviewer's comment (the department's or the municipal authority's) above the status choice; the old
    comment can be kept at the next step."""
    try:
        target = await services.reports.target(person, callback_data.rec_id)
    except DomainError as err:
        await refuse(query, t, err)
        return
    report = target.report
    draft = ReportDraft(
        rec_id=target.rec.id,
        status=report.status if report else None,
        reason=report.reason if report else None,
    )
    await save_draft(state, draft, ReportDialog.status)
    await query.answer()
    text, markup = status_picker(t, target.rec, report)
    heading = revise_heading(t, report, await services.reports.returned_by(report))
    if heading is not None:
        text = Html(heading + "\n\n" + text)
    await query.bot.send_message(query.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]


async def ask_comment(
    state: FSMContext, draft: ReportDraft, target: Target, t: Translator
) -> tuple[Html, InlineKeyboardMarkup]:
    await save_draft(state, draft, ReportDialog.comment)
    has_previous = bool(target.report and target.report.comment)
    return t("report.ask_comment"), comment_keyboard(t, draft.rec_id, has_previous)


async def picked_status(
    query: CallbackQuery,
    callback_data: ReportStatusPick,
    services: Services,
    person: Person,
    state: FSMContext,
    t: Translator,
) -> None:
    found = await current_target(query, callback_data.rec_id, services, person, state, t)
    if found is None:
        return
    draft, target = found
    draft.status = callback_data.status
    # The next step is set before the first answer, so that one commit carries it (with the update's
    # mark in the journal: on PostgreSQL a single statement).
    if draft.status is ReportStatus.NOT_APPLICABLE:
        await save_draft(state, draft, ReportDialog.reason)
        text, markup = t("report.ask_reason"), cancel_only(t, draft.rec_id)
    else:
        text, markup = await ask_comment(state, draft, target, t)
    await query.answer()
    await reply(query, text, markup)


async def _checked(
    message: Message, t: Translator, draft: ReportDraft, validate: Callable[[str], str]
) -> str | None:
    """The typed text, cleaned, or None after saying what is wrong (the dialog waits for another try)."""
    try:
        return validate(message.text or "")
    except DomainError as err:
        await message.answer(t(err.key, **err.params), reply_markup=cancel_only(t, draft.rec_id))
        return None


async def got_reason(
    message: Message, services: Services, person: Person, state: FSMContext, t: Translator
) -> None:
    draft = await load_draft(state)
    assert draft is not None
    reason = await _checked(message, t, draft, validate_reason)
    if reason is None:
        return
    draft.reason = reason
    target = await services.reports.target(person, draft.rec_id)
    text, markup = await ask_comment(state, draft, target, t)
    await message.answer(text, reply_markup=markup)


async def ask_evidence(
    message: Message, services: Services, person: Person, state: FSMContext, draft: ReportDraft, t: Translator
) -> None:
    """The evidence step, with what the report already has attached and, for an unproven «Выполнено»,
    why a file, photo or link is needed."""
    try:
        step = await services.reports.evidence_step(person, draft)
    except DomainError as err:
        await state.clear()
        await message.answer(t(err.key, **err.params))
        return
    await save_draft(state, draft, ReportDialog.evidence)
    text, markup = evidence_prompt(t, draft, step.kept, step.removed, step.gated)
    await message.answer(text, reply_markup=markup)


async def got_comment(
    message: Message, services: Services, person: Person, state: FSMContext, t: Translator
) -> None:
    draft = await load_draft(state)
    assert draft is not None
    comment = await _checked(message, t, draft, validate_comment)
    if comment is None:
        return
    draft.comment = comment
    await ask_evidence(message, services, person, state, draft, t)


async def keep_comment(
    query: CallbackQuery,
    callback_data: ReportStep,
    services: Services,
    person: Person,
    state: FSMContext,
    t: Translator,
) -> None:
    draft = await current(query, callback_data.rec_id, state, t)
    if draft is None:
        return
    draft.comment = None
    await query.answer()
    assert isinstance(query.message, Message)
    await ask_evidence(query.message, services, person, state, draft, t)


async def to_confirmation(
    query: CallbackQuery,
    callback_data: ReportStep,
    services: Services,
    person: Person,
    state: FSMContext,
    t: Translator,
) -> None:
    draft = await current(query, callback_data.rec_id, state, t)
    if draft is None:
        return
    if callback_data.action is ReportAct.EVIDENCE_DONE and not draft.evidence:
        await query.answer(t.plain("report.empty_evidence_done"), show_alert=True)
        return
    try:
        step = await services.reports.ready_to_confirm(person, draft)
    except DomainError as err:
        if err.key == GATE:
            # The dialog stays at the evidence step: say why, and how to attach.
            await query.answer(t.plain("report.done_needs_evidence_short"), show_alert=True)
            await reply(query, t(GATE))
            return
        await state.clear()
        await refuse(query, t, err)
        return
    await save_draft(state, draft, ReportDialog.confirm)
    await query.answer()
    target = step.target
    view = confirm_view(t, draft, target.rec, target.report, step.kept, step.removed, target.deadline)
    await reply(query, *view)


async def submit(
    query: CallbackQuery,
    callback_data: ReportStep,
    services: Services,
    person: Person,
    state: FSMContext,
    clock: Clock,
    t: Translator,
) -> None:
    draft = await current(query, callback_data.rec_id, state, t)
    if draft is None:
        return
    # Cleared in the same transaction as the report: a second click finds no dialog to submit.
    await state.clear()
    try:
        report = await services.reports.submit(person, draft, f"cb:{query.id}", clock.now())
    except DomainError as err:
        await refuse(query, t, err)
        await reply(query, t(err.key, **err.params))
        return
    await query.answer(t.plain("report.saved_short"))
    if isinstance(query.message, Message):
        await edit_markup(query.message, None)
    await reply(query, t("report.saved", version=report.version))


async def edit(
    query: CallbackQuery,
    callback_data: ReportStep,
    services: Services,
    person: Person,
    state: FSMContext,
    t: Translator,
) -> None:
    found = await current_target(query, callback_data.rec_id, services, person, state, t)
    if found is None:
        return
    draft, target = found
    await save_draft(state, draft, ReportDialog.status)
    await query.answer()
    text, markup = status_picker(t, target.rec, target.report, target.deadline)
    await reply(query, Html(t("report.edit_hint") + "\n\n" + text), markup)


async def cancel(query: CallbackQuery, callback_data: ReportStep, state: FSMContext, t: Translator) -> None:
    draft = await current(query, callback_data.rec_id, state, t)
    if draft is None:
        return
    await state.clear()
    await query.answer(t.plain("cancelled_short"))
    await reply(query, t("report.cancelled"))


# --- anything else inside the dialog -----------------------------------------------------------------


async def status_by_buttons(message: Message, t: Translator) -> None:
    await message.answer(t("report.use_status_buttons"))


async def text_expected(message: Message, t: Translator) -> None:
    await message.answer(t("report.text_expected"))


async def confirm_by_buttons(message: Message, t: Translator) -> None:
    await message.answer(t("report.use_confirm_buttons"))
