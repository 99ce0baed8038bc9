"""Members: /report, /my and the report dialog (status → reason → comment → evidence → confirmation)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.domain import EvidenceKind, ReportStatus
from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.services.reports import (
    MAX_EVIDENCE_ITEMS,
    ReportDraft,
    ReportService,
    Target,
    text_evidence,
    validate_comment,
    validate_reason,
)
from bot.telegram.answers import refuse
from bot.telegram.callbacks import ReportList, ReportOpen, ReportStatusPick, ReportStep
from bot.telegram.evidence_store import TELEGRAM_DOWNLOAD_LIMIT, EvidenceStore
from bot.telegram.filters import MEMBER
from bot.telegram.views.reports import (
    cancel_only,
    comment_keyboard,
    confirm_view,
    evidence_keyboard,
    evidence_line,
    report_list_view,
    status_picker,
    summary_view,
)
from bot.texts.i18n import Translator
from storage.models import Person
from storage.repositories import Repositories


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


def create_router() -> Router:
    router = Router(name="member_reports")
    router.message.filter(MEMBER)
    router.callback_query.filter(MEMBER)

    # --- lists -----------------------------------------------------------------------------------

    @router.message(Command("report"))
    async def report_list(message: Message, repo: Repositories, person: Person, t: Translator) -> None:
        org, items = await ReportService(repo).addressed_to(person)
        text, markup = report_list_view(t, org, items, 0)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(ReportList.filter())
    async def report_list_page(
        query: CallbackQuery, callback_data: ReportList, repo: Repositories, person: Person, t: Translator
    ) -> None:
        org, items = await ReportService(repo).addressed_to(person)
        text, markup = report_list_view(t, org, items, callback_data.page)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(text, reply_markup=markup)

    @router.message(Command("my"))
    async def my_summary(message: Message, repo: Repositories, person: Person, t: Translator) -> None:
        org, items = await ReportService(repo).addressed_to(person)
        await message.answer(summary_view(t, org, items))

    # --- opening the dialog --------------------------------------------------------------------------

    @router.callback_query(ReportOpen.filter())
    async def open_dialog(
        query: CallbackQuery,
        callback_data: ReportOpen,
        repo: Repositories,
        person: Person,
        state: FSMContext,
        t: Translator,
    ) -> None:
        try:
            target = await ReportService(repo).target(person, callback_data.rec_id)
        except DomainError as err:
            await refuse(query, t, err)
            return
        await save_draft(state, ReportDraft(rec_id=target.rec.id), ReportDialog.status)
        await query.answer()
        text, markup = status_picker(t, target.rec, target.report)
        await query.bot.send_message(query.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]

    async def current(
        query: CallbackQuery, rec_id: int, state: FSMContext, t: Translator
    ) -> ReportDraft | None:
        """The dialog's draft, if this button belongs to it; a stale or forged button gets an alert."""
        draft = await load_draft(state)
        if draft is None or draft.rec_id != rec_id:
            await refuse(query, t)
            return None
        return draft

    async def current_target(
        query: CallbackQuery,
        rec_id: int,
        repo: Repositories,
        person: Person,
        state: FSMContext,
        t: Translator,
    ) -> tuple[ReportDraft, Target] | None:
        """The draft and what it reports on, if the button belongs to the dialog and the person may still
        report on it; otherwise an alert, and a dialog that can no longer go on is closed."""
        draft = await current(query, rec_id, state, t)
        if draft is None:
            return None
        try:
            target = await ReportService(repo).target(person, draft.rec_id)
        except DomainError as err:
            await state.clear()
            await refuse(query, t, err)
            return None
        return draft, target

    @router.callback_query(ReportDialog.status, ReportStatusPick.filter())
    async def picked_status(
        query: CallbackQuery,
        callback_data: ReportStatusPick,
        repo: Repositories,
        person: Person,
        state: FSMContext,
        t: Translator,
    ) -> None:
        try:
            status = ReportStatus(callback_data.status)
        except ValueError:
            await refuse(query, t)
            return
        found = await current_target(query, callback_data.rec_id, repo, person, state, t)
        if found is None:
            return
        draft, target = found
        draft.status = status
        await query.answer()
        assert query.message is not None
        if status is ReportStatus.NOT_APPLICABLE:
            await save_draft(state, draft, ReportDialog.reason)
            await query.message.answer(t("report.ask_reason"), reply_markup=cancel_only(t, draft.rec_id))
            return
        await save_draft(state, draft, ReportDialog.comment)
        has_previous = bool(target.report and target.report.comment)
        await query.message.answer(
            t("report.ask_comment"), reply_markup=comment_keyboard(t, draft.rec_id, has_previous)
        )

    @router.message(ReportDialog.reason, F.text, ~F.text.startswith("/"))
    async def got_reason(
        message: Message, repo: Repositories, person: Person, state: FSMContext, t: Translator
    ) -> None:
        draft = await load_draft(state)
        assert draft is not None
        try:
            draft.reason = validate_reason(message.text or "")
        except DomainError as err:
            await message.answer(t(err.key, **err.params), reply_markup=cancel_only(t, draft.rec_id))
            return
        target = await ReportService(repo).target(person, draft.rec_id)
        await save_draft(state, draft, ReportDialog.comment)
        has_previous = bool(target.report and target.report.comment)
        await message.answer(
            t("report.ask_comment"), reply_markup=comment_keyboard(t, draft.rec_id, has_previous)
        )

    @router.message(ReportDialog.comment, F.text, ~F.text.startswith("/"))
    async def got_comment(message: Message, state: FSMContext, t: Translator) -> None:
        draft = await load_draft(state)
        assert draft is not None
        try:
            draft.comment = validate_comment(message.text or "")
        except DomainError as err:
            await message.answer(t(err.key, **err.params), reply_markup=cancel_only(t, draft.rec_id))
            return
        await ask_evidence(message, state, draft, t)

    @router.callback_query(ReportDialog.comment, ReportStep.filter(F.action == "keep_comment"))
    async def keep_comment(
        query: CallbackQuery, callback_data: ReportStep, state: FSMContext, t: Translator
    ) -> None:
        draft = await current(query, callback_data.rec_id, state, t)
        if draft is None:
            return
        draft.comment = None
        await query.answer()
        assert isinstance(query.message, Message)
        await ask_evidence(query.message, state, draft, t)

    async def ask_evidence(message: Message, state: FSMContext, draft: ReportDraft, t: Translator) -> None:
        await save_draft(state, draft, ReportDialog.evidence)
        await message.answer(
            t("report.ask_evidence"), reply_markup=evidence_keyboard(t, draft.rec_id, len(draft.evidence))
        )

    # --- evidence ------------------------------------------------------------------------------------

    async def add_evidence(
        message: Message, state: FSMContext, items: list[dict[str, object]], t: Translator
    ) -> None:
        draft = await load_draft(state)
        assert draft is not None
        if len(draft.evidence) + len(items) > MAX_EVIDENCE_ITEMS:
            await message.answer(t("report.too_much_evidence", limit=MAX_EVIDENCE_ITEMS))
            return
        draft.evidence.extend(items)
        await save_draft(state, draft, ReportDialog.evidence)
        lines = [t("report.evidence_added", item=evidence_line(t, item)) for item in items]
        lines.append(t.n("report.evidence_total", len(draft.evidence)))
        await message.answer(
            "\n".join(lines), reply_markup=evidence_keyboard(t, draft.rec_id, len(draft.evidence))
        )

    async def stored_file(
        message: Message,
        bot: Bot,
        store: EvidenceStore,
        state: FSMContext,
        t: Translator,
        file_id: str,
        unique_id: str,
        size: int | None,
    ) -> dict[str, object] | None:
        """Download a file into the evidence store; None (with an answer) when it cannot be taken."""
        if size is not None and size > TELEGRAM_DOWNLOAD_LIMIT:
            await message.answer(t("report.file_too_big"))
            return None
        draft = await load_draft(state)
        if draft is not None and draft.has_file(unique_id):
            await message.answer(t("report.file_repeated"))
            return None
        saved = await store.save_from_telegram(bot, file_id)
        return {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "stored_path": str(saved.path),
            "sha256": saved.sha256,
            "file_size": saved.size,
        }

    @router.message(ReportDialog.evidence, F.document)
    async def got_document(
        message: Message, bot: Bot, evidence_store: EvidenceStore, state: FSMContext, t: Translator
    ) -> None:
        document = message.document
        assert document is not None
        item = await stored_file(
            message,
            bot,
            evidence_store,
            state,
            t,
            document.file_id,
            document.file_unique_id,
            document.file_size,
        )
        if item is None:
            return
        item.update(
            kind=EvidenceKind.DOCUMENT.value,
            file_name=document.file_name,
            mime_type=document.mime_type,
            text=message.caption,
        )
        await add_evidence(message, state, [item], t)

    @router.message(ReportDialog.evidence, F.photo)
    async def got_photo(
        message: Message, bot: Bot, evidence_store: EvidenceStore, state: FSMContext, t: Translator
    ) -> None:
        assert message.photo
        photo = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        item = await stored_file(
            message, bot, evidence_store, state, t, photo.file_id, photo.file_unique_id, photo.file_size
        )
        if item is None:
            return
        item.update(kind=EvidenceKind.PHOTO.value, mime_type="image/jpeg", text=message.caption)
        await add_evidence(message, state, [item], t)

    @router.message(ReportDialog.evidence, F.text, ~F.text.startswith("/"))
    async def got_text(message: Message, state: FSMContext, t: Translator) -> None:
        try:
            items = text_evidence(message.text or "")
        except DomainError as err:
            await message.answer(t(err.key, **err.params))
            return
        await add_evidence(message, state, list(items), t)

    @router.callback_query(
        ReportDialog.evidence, ReportStep.filter(F.action.in_({"evidence_done", "no_evidence"}))
    )
    async def evidence_done(
        query: CallbackQuery,
        callback_data: ReportStep,
        repo: Repositories,
        person: Person,
        state: FSMContext,
        t: Translator,
    ) -> None:
        found = await current_target(query, callback_data.rec_id, repo, person, state, t)
        if found is None:
            return
        draft, target = found
        if callback_data.action == "evidence_done" and not draft.evidence:
            await query.answer(t.plain("report.empty_evidence_done"), show_alert=True)
            return
        await save_draft(state, draft, ReportDialog.confirm)
        await query.answer()
        text, markup = confirm_view(t, draft, target.rec, target.report)
        assert query.message is not None
        await query.message.answer(text, reply_markup=markup)

    # --- confirmation ----------------------------------------------------------------------------------

    @router.callback_query(ReportDialog.confirm, ReportStep.filter(F.action == "submit"))
    async def submit(
        query: CallbackQuery,
        callback_data: ReportStep,
        repo: Repositories,
        person: Person,
        state: FSMContext,
        clock: Clock,
        t: Translator,
    ) -> None:
        draft = await current(query, callback_data.rec_id, state, t)
        if draft is None:
            return
        try:
            report = await ReportService(repo).submit(person, draft, f"cb:{query.id}", clock.now())
        except DomainError as err:
            await state.clear()
            await refuse(query, t, err)
            if isinstance(query.message, Message):
                await query.message.answer(t(err.key, **err.params))
            return
        # Cleared in the same transaction as the report: a second click finds no dialog to submit.
        await state.clear()
        await query.answer(t.plain("report.saved_short"))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
            await query.message.answer(t("report.saved", version=report.version))

    @router.callback_query(ReportDialog.confirm, ReportStep.filter(F.action == "edit"))
    async def edit(
        query: CallbackQuery,
        callback_data: ReportStep,
        repo: Repositories,
        person: Person,
        state: FSMContext,
        t: Translator,
    ) -> None:
        found = await current_target(query, callback_data.rec_id, repo, person, state, t)
        if found is None:
            return
        draft, target = found
        await save_draft(state, draft, ReportDialog.status)
        await query.answer()
        text, markup = status_picker(t, target.rec, target.report)
        assert query.message is not None
        await query.message.answer(t("report.edit_hint") + "\n\n" + text, reply_markup=markup)

    @router.callback_query(StateFilter(ReportDialog), ReportStep.filter(F.action == "cancel"))
    async def cancel(
        query: CallbackQuery, callback_data: ReportStep, state: FSMContext, t: Translator
    ) -> None:
        draft = await current(query, callback_data.rec_id, state, t)
        if draft is None:
            return
        await state.clear()
        await query.answer(t.plain("cancelled_short"))
        if isinstance(query.message, Message):
            await query.message.answer(t("report.cancelled"))

    # --- anything else inside the dialog ---------------------------------------------------------------

    @router.message(ReportDialog.evidence, ~F.text)
    async def unsupported_evidence(message: Message, t: Translator) -> None:
        await message.answer(t("report.unsupported"))

    @router.message(ReportDialog.status, ~F.text.startswith("/"))
    async def status_by_buttons(message: Message, t: Translator) -> None:
        await message.answer(t("report.use_status_buttons"))

    @router.message(ReportDialog.reason, ~F.text.startswith("/"))
    @router.message(ReportDialog.comment, ~F.text.startswith("/"))
    async def text_expected(message: Message, t: Translator) -> None:
        await message.answer(t("report.text_expected"))

    @router.message(ReportDialog.confirm, ~F.text.startswith("/"))
    async def confirm_by_buttons(message: Message, t: Translator) -> None:
        await message.answer(t("report.use_confirm_buttons"))

    return router
