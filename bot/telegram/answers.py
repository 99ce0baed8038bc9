"""Small answering helpers shared by the handlers.

Every edit goes through `edit_message`: Telegram refuses an edit that changes nothing with 400 «message is
not modified» (a second tap on the same button does exactly that), which is success, not an error.
"""

from __future__ import annotations

from collections.abc import Collection

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.domain.errors import DomainError
from bot.texts.i18n import Translator


def _not_modified(exc: TelegramBadRequest) -> bool:
    return "message is not modified" in exc.message


async def edit_message(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the text and keyboard of a message; an edit that changes nothing is done, not an error."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if not _not_modified(exc):
            raise


async def edit_markup(message: Message, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace (or, with None, remove) only the keyboard; "not modified" is done, not an error."""
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as exc:
        if not _not_modified(exc):
            raise


async def edit_or_answer(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None, notice: str | None = None
) -> None:
    """Redraw the message the button was on (a new message when it is too old to edit), then answer the
    query, with a short `notice` if given."""
    message = query.message
    if isinstance(message, Message):
        await edit_message(message, text, markup)
    elif message is not None:
        await query.bot.send_message(message.chat.id, text, reply_markup=markup)  # type: ignore[union-attr]
    await query.answer(notice)


async def reply(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A new message in the chat the button was pressed in."""
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await query.bot.send_message(chat_id, text, reply_markup=markup)  # type: ignore[union-attr]


async def refuse(query: CallbackQuery, t: Translator, err: DomainError | None = None) -> None:
    """A stale, forged or no longer valid button: an alert, and nothing changes."""
    text = t.plain(err.key, **err.params) if err else t.plain("refused.button")
    await query.answer(text[:200], show_alert=True)


async def correct_or_end(
    message: Message,
    state: FSMContext,
    t: Translator,
    err: DomainError,
    correctable: Collection[str],
    retry: InlineKeyboardMarkup,
) -> None:
    """A refused text the person can correct keeps the dialog open, with `retry` beside the explanation;
    any other refusal (the item was decided or closed meanwhile) ends the dialog with the reason."""
    if err.key in correctable:
        await message.answer(t(err.key, **err.params), reply_markup=retry)
        return
    await state.clear()
    await message.answer(t(err.key, **err.params))
