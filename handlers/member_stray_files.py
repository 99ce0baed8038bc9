"""Members: a document, photo or «Выполнено» sent outside the report dialog.

Instead of «cannot understand», the member is offered the recommendations the file could be evidence for,
one button each. The file itself waits in the FSM data (a reference, not a download) until a button is
tapped; then it is stored and the report dialog opens with it already attached."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain import EvidenceKind
from bot.domain.errors import DomainError
from bot.domain.evidence import EvidenceItem
from bot.domain.reports import MAX_EVIDENCE_ITEMS
from bot.services import Services
from bot.telegram.answers import refuse
from bot.telegram.callbacks import StrayFilePick
from bot.telegram.evidence_store import TELEGRAM_DOWNLOAD_LIMIT, EvidenceStore
from bot.telegram.filters import MEMBER
from bot.telegram.views.people import open_recommendations, report_offer, stray_file_offer
from bot.texts.i18n import Translator
from handlers.member_dialog import open_with_evidence
from storage.models import Person

PENDING = "pending_evidence"
DONE_WORDS = frozenset({"выполнено", "сделано", "done"})


def file_reference(message: Message) -> EvidenceItem | None:
    """What the message carries, as an evidence item not yet downloaded."""
    if message.document is not None:
        doc = message.document
        return EvidenceItem(
            EvidenceKind.DOCUMENT,
            file_id=doc.file_id,
            file_unique_id=doc.file_unique_id,
            file_name=doc.file_name,
            mime_type=doc.mime_type,
            file_size=doc.file_size,
            text=message.caption,
        )
    if message.photo:
        photo = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        return EvidenceItem(
            EvidenceKind.PHOTO,
            file_id=photo.file_id,
            file_unique_id=photo.file_unique_id,
            mime_type="image/jpeg",
            file_size=photo.file_size,
            text=message.caption,
        )
    return None


async def pending_items(state: FSMContext) -> list[EvidenceItem]:
    data = await state.get_data()
    return [EvidenceItem.from_data(item) for item in data.get(PENDING) or []]


async def stray_file(
    message: Message, services: Services, person: Person, state: FSMContext, t: Translator
) -> None:
    item = file_reference(message)
    assert item is not None
    if item.file_size is not None and item.file_size > TELEGRAM_DOWNLOAD_LIMIT:
        await message.answer(t("report.file_too_big"))
        return
    overview = await services.reports.overview(person, services.today())
    candidates = open_recommendations(overview)
    if not candidates:
        await message.answer(t("stray.nothing_open"))
        return
    pending = [p for p in await pending_items(state) if p.file_unique_id != item.file_unique_id]
    # An album arrives as several messages: they wait together, the latest ones kept within the limit.
    pending = [*pending, item][-MAX_EVIDENCE_ITEMS:]
    await state.update_data({PENDING: [p.to_data() for p in pending]})
    text, markup = stray_file_offer(t, candidates, len(pending))
    await message.answer(text, reply_markup=markup)


async def done_outside_dialog(message: Message, services: Services, person: Person, t: Translator) -> None:
    overview = await services.reports.overview(person, services.today())
    candidates = open_recommendations(overview)
    if not candidates:
        await message.answer(t("stray.nothing_open"))
        return
    text, markup = report_offer(t, candidates)
    await message.answer(text, reply_markup=markup)


async def stored(bot: Bot, store: EvidenceStore, item: EvidenceItem) -> EvidenceItem:
    assert item.file_id is not None
    saved = await store.save_from_telegram(bot, item.file_id)
    return replace(item, file_size=saved.size, stored_path=str(saved.path), sha256=saved.sha256)


async def picked(
    query: CallbackQuery,
    callback_data: StrayFilePick,
    bot: Bot,
    evidence_store: EvidenceStore,
    services: Services,
    person: Person,
    state: FSMContext,
    t: Translator,
) -> None:
    pending = await pending_items(state)
    if not pending:
        await refuse(query, t, DomainError("stray.expired"))
        return
    try:
        target = await services.reports.target(person, callback_data.rec_id)
    except DomainError as err:
        await refuse(query, t, err)
        return
    items = [await stored(bot, evidence_store, item) for item in pending]
    await query.answer()
    await open_with_evidence(query, target, items, state, t)


def is_done_word(text: str | None) -> bool:
    return (text or "").strip(" .!").casefold() in DONE_WORDS


def router() -> Router:
    member = Router(name="member_stray_files")
    member.message.filter(MEMBER, StateFilter(None))
    member.callback_query.filter(MEMBER)
    member.message.register(stray_file, F.document | F.photo)
    member.message.register(done_outside_dialog, F.text.func(is_done_word))
    member.callback_query.register(picked, StrayFilePick.filter(), StateFilter(None))
    return member
