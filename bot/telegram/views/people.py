"""Keyboards of the «people» commands: confirming a grant, choosing what a stray file is evidence for."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import Role
from bot.telegram.callbacks import GrantConfirm, GrantRole
from bot.texts.i18n import Translator


def grant_confirm_markup(telegram_id: int, role: Role, t: Translator) -> InlineKeyboardMarkup:
    grant_role = GrantRole(role.value)
    yes = GrantConfirm(telegram_id=telegram_id, role=grant_role, ok=True).pack()
    no = GrantConfirm(telegram_id=telegram_id, role=grant_role, ok=False).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=t.plain("btn.grant_anyway"), callback_data=yes)],
            [InlineKeyboardButton(text=t.plain("btn.cancel"), callback_data=no)],
        ]
    )
