"""Small answering helpers shared by the routers."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.domain.errors import DomainError
from bot.texts.i18n import Translator


async def edit_or_answer(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Redraw the message the button was on; an unchanged redraw is skipped, not refused by Telegram."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:
                raise
    elif message is not None:
        await query.bot.send_message(message.chat.id, text, reply_markup=markup)  # type: ignore[union-attr]
    await query.answer()


async def refuse(query: CallbackQuery, t: Translator, err: DomainError | None = None) -> None:
    """A stale, forged or no longer valid button: an alert, and nothing changes."""
    text = t.plain(err.key, **err.params) if err else t.plain("refused.button")
    await query.answer(text[:200], show_alert=True)
