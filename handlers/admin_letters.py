"""Admins: invitation letters in bulk (/letters, or «Документы» → «Письма-приглашения»).

Choose whom to write to (all, a kind, a municipality, those with nobody registered), confirm with or
without revoking the earlier unused invitations, and get one DOCX of letters and one XLSX of links.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.domain import OrgKind
from bot.domain.clock import Clock
from bot.services import Services
from bot.telegram.answers import edit_or_answer
from bot.telegram.callbacks import LetterGo, LetterPick, LetterScope
from bot.telegram.filters import ADMIN
from bot.telegram.views.documents import (
    letters_confirm_view,
    letters_done_text,
    letters_municipality_view,
    letters_scope_view,
)
from bot.texts.i18n import Translator


def _choice_of(pick: LetterPick | LetterGo) -> tuple[OrgKind | None, str | None, bool]:
    """The kind, municipality code and «unstaffed only» a button names."""
    kind = pick.kind if pick.scope is LetterScope.KIND else None
    municipality = pick.muni if pick.scope is LetterScope.MUNI else None
    return kind, municipality, pick.scope is LetterScope.UNSTAFFED


async def letters(message: Message, t: Translator) -> None:
    text, markup = letters_scope_view(t)
    await message.answer(text, reply_markup=markup)


async def choose_scope(query: CallbackQuery, t: Translator) -> None:
    await edit_or_answer(query, *letters_scope_view(t))


async def choose_municipality(query: CallbackQuery, services: Services, t: Translator) -> None:
    names = await services.organizations.municipalities()
    await edit_or_answer(query, *letters_municipality_view(t, names))


async def confirm(query: CallbackQuery, callback_data: LetterPick, services: Services, t: Translator) -> None:
    kind, municipality, unstaffed = _choice_of(callback_data)
    choice, count = await services.letters.survey(kind, municipality, unstaffed)
    await edit_or_answer(query, *letters_confirm_view(t, callback_data, choice.municipality, count))


async def make_letters(
    query: CallbackQuery, callback_data: LetterGo, services: Services, bot: Bot, clock: Clock, t: Translator
) -> None:
    kind, municipality, unstaffed = _choice_of(callback_data)
    me = await bot.me()
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    message_id = query.message.message_id if query.message is not None else 0
    batch = await services.letters.create(
        kind,
        municipality,
        unstaffed,
        query.from_user.id,
        clock.now(),
        me.username or "",
        callback_data.revoke,
        t.locale,
        once_key=f"{chat_id}:{message_id}",
    )
    # The invitations are committed with this edit, before any file is sent.
    await edit_or_answer(query, letters_done_text(t, batch), None)
    for document, caption in (
        (batch.docx, "documents.letters.docx_caption"),
        (batch.xlsx, "documents.letters.xlsx_caption"),
    ):
        await bot.send_document(
            chat_id, BufferedInputFile(document.content, document.file_name), caption=t(caption)
        )


def router() -> Router:
    admin = Router(name="admin_letters")
    admin.message.filter(ADMIN)
    admin.callback_query.filter(ADMIN)
    admin.message.register(letters, Command("letters"))
    admin.callback_query.register(choose_scope, LetterPick.filter(F.scope == LetterScope.START))
    admin.callback_query.register(choose_municipality, LetterPick.filter(F.scope == LetterScope.MUNIS))
    admin.callback_query.register(confirm, LetterPick.filter())
    admin.callback_query.register(make_letters, LetterGo.filter())
    return admin
