"""Members: the evidence step of the report dialog — documents, photos, links and notes, and taking a
wrong earlier item off the report."""

from __future__ import annotations

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Document, Message, PhotoSize

from bot.domain import EvidenceKind
from bot.domain.errors import DomainError
from bot.domain.evidence import EvidenceItem, evidence_from_text
from bot.domain.reports import MAX_EVIDENCE_ITEMS
from bot.services import Services
from bot.telegram.answers import edit_or_answer, refuse
from bot.telegram.callbacks import EvidenceRemove
from bot.telegram.evidence_store import TELEGRAM_DOWNLOAD_LIMIT, EvidenceStore
from bot.telegram.views.reports import evidence_keyboard, evidence_line, evidence_prompt
from bot.texts.i18n import Translator
from handlers.member_dialog import ReportDialog, current, load_draft, save_draft
from storage.models import Person


async def add_evidence(message: Message, state: FSMContext, items: list[EvidenceItem], t: Translator) -> None:
    draft = await load_draft(state)
    assert draft is not None
    if not draft.room_for(len(items)):
        await message.answer(t("report.too_much_evidence", limit=MAX_EVIDENCE_ITEMS))
        return
    draft.evidence.extend(items)
    await save_draft(state, draft, ReportDialog.evidence)
    lines = [t("report.evidence_added", item=evidence_line(t, item)) for item in items]
    lines.append(t.n("report.evidence_total", len(draft.evidence)))
    markup = evidence_keyboard(t, draft.rec_id, len(draft.evidence))
    await message.answer("\n".join(lines), reply_markup=markup)


async def refused_file(
    message: Message, state: FSMContext, t: Translator, unique_id: str, size: int | None
) -> bool:
    """Answer and say True when a file cannot be taken: too big for a bot to download, or already here."""
    if size is not None and size > TELEGRAM_DOWNLOAD_LIMIT:
        await message.answer(t("report.file_too_big"))
        return True
    draft = await load_draft(state)
    if draft is not None and draft.has_file(unique_id):
        await message.answer(t("report.file_repeated"))
        return True
    return False


async def stored_item(
    bot: Bot, store: EvidenceStore, file: Document | PhotoSize, kind: EvidenceKind, message: Message
) -> EvidenceItem:
    """Download a file into the evidence store and describe it."""
    saved = await store.save_from_telegram(bot, file.file_id)
    is_document = isinstance(file, Document)
    return EvidenceItem(
        kind=kind,
        file_id=file.file_id,
        file_unique_id=file.file_unique_id,
        file_name=file.file_name if is_document else None,
        mime_type=file.mime_type if is_document else "image/jpeg",
        file_size=saved.size,
        stored_path=str(saved.path),
        sha256=saved.sha256,
        text=message.caption,
    )


async def got_file(
    message: Message,
    bot: Bot,
    store: EvidenceStore,
    state: FSMContext,
    t: Translator,
    file: Document | PhotoSize,
    kind: EvidenceKind,
) -> None:
    if await refused_file(message, state, t, file.file_unique_id, file.file_size):
        return
    item = await stored_item(bot, store, file, kind, message)
    await add_evidence(message, state, [item], t)


async def got_document(
    message: Message, bot: Bot, evidence_store: EvidenceStore, state: FSMContext, t: Translator
) -> None:
    assert message.document is not None
    await got_file(message, bot, evidence_store, state, t, message.document, EvidenceKind.DOCUMENT)


async def got_photo(
    message: Message, bot: Bot, evidence_store: EvidenceStore, state: FSMContext, t: Translator
) -> None:
    assert message.photo
    photo = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
    await got_file(message, bot, evidence_store, state, t, photo, EvidenceKind.PHOTO)


async def got_text(message: Message, state: FSMContext, t: Translator) -> None:
    try:
        items = evidence_from_text(message.text or "")
    except DomainError as err:
        await message.answer(t(err.key, **err.params))
        return
    await add_evidence(message, state, items, t)


async def unsupported_evidence(message: Message, t: Translator) -> None:
    await message.answer(t("report.unsupported"))


async def remove_attached(
    query: CallbackQuery,
    callback_data: EvidenceRemove,
    services: Services,
    person: Person,
    state: FSMContext,
    t: Translator,
) -> None:
    """«🗑»: an earlier item comes off the report when the draft is sent; the row and the archived file
    stay in the history."""
    draft = await current(query, callback_data.rec_id, state, t)
    if draft is None:
        return
    try:
        step = await services.reports.remove_attached(person, draft, callback_data.evidence_id)
    except DomainError as err:
        await refuse(query, t, err)
        return
    await save_draft(state, draft, ReportDialog.evidence)
    text, markup = evidence_prompt(t, draft, step.kept, step.removed, step.gated)
    await edit_or_answer(query, text, markup, t.plain("report.evidence_removed_short"))
