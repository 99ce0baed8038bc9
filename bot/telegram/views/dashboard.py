"""Buttons that open the dashboard (a Mini App) from a chat."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo

from bot.texts.i18n import Translator


def dashboard_url(base: str, resolution_id: int | None = None) -> str:
    """WEBAPP_URL's page, opened at one resolution when given (an id, nothing secret)."""
    url = base.rstrip("/") + "/"
    return f"{url}?resolution={resolution_id}" if resolution_id is not None else url


def dashboard_markup(t: Translator, base: str, resolution_id: int | None) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        text=t.plain("web.digest_button"), web_app=WebAppInfo(url=dashboard_url(base, resolution_id))
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def dashboard_menu_button(t: Translator, base: str) -> MenuButtonWebApp:
    return MenuButtonWebApp(text=t.plain("web.menu_button"), web_app=WebAppInfo(url=dashboard_url(base)))
