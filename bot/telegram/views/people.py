"""Keyboards of the «people» commands: confirming a grant, choosing what a stray file is evidence for."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import Role
from bot.services.reminders import ManualAccount
from bot.telegram.callbacks import GrantConfirm, GrantRole
from bot.texts.i18n import Html, Translator


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


def _unstaffed_line(t: Translator, account: ManualAccount) -> str:
    return "\n" + t.n("remind.unstaffed_n", account.unstaffed) if account.unstaffed else ""


def remind_account_text(t: Translator, title: str, account: ManualAccount) -> Html:
    """The /remind confirmation: how many organizations have open items, how many of them nobody can
    receive a reminder for, and the question only when someone would get one."""
    text = t.n("remind.account_n", account.open_orgs, title=title) + _unstaffed_line(t, account)
    question = "remind.account_ask" if account.organizations else "remind.account_nobody_to_tell"
    return Html(text + "\n" + t(question))


def remind_result_text(t: Translator, account: ManualAccount) -> Html:
    """The same figures as the confirmation, after the reminders are queued."""
    text = t.n("remind.sent_n", account.organizations, messages=account.messages)
    return Html(text + _unstaffed_line(t, account))
