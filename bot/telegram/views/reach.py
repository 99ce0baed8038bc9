"""A municipal authority's institutions with nobody registered, and the invitation made in a tap."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.invitations import LocalInvite, Reach, deep_link
from bot.telegram.callbacks import ReachInvite, ReachNav
from bot.telegram.views.organizations import format_date
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten

PAGE = 10
Screen = tuple[Html, InlineKeyboardMarkup]


def _invite(org_id: int, name: str) -> InlineKeyboardButton:
    data = ReachInvite(org_id=org_id).pack()
    return InlineKeyboardButton(text=f"✉️ {shorten(name, 50)}", callback_data=data)


def _page_buttons(page: int, pages: int) -> list[InlineKeyboardButton]:
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(text="◀", callback_data=ReachNav(page=page - 1).pack()))
    if page + 1 < pages:
        nav.append(InlineKeyboardButton(text="▶", callback_data=ReachNav(page=page + 1).pack()))
    return nav


def reach_screen(t: Translator, reach: Reach, page: int) -> Screen:
    """How many institutions there are, how many have nobody registered, and a button for each of those
    (a page at a time): a tap makes an invitation."""
    lines = [
        t("reach.title", municipality=reach.municipality),
        t("reach.counts", total=reach.institutions, unregistered=len(reach.unregistered)),
    ]
    if not reach.unregistered:
        lines.append(t("reach.everyone"))
        return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=[])
    pages = -(-len(reach.unregistered) // PAGE)
    page = min(max(page, 0), pages - 1)
    lines.append(t("reach.hint"))
    if pages > 1:
        lines.append(t("reach.page", page=page + 1, pages=pages))
    shown = reach.unregistered[page * PAGE : (page + 1) * PAGE]
    rows = [[_invite(org.id, org.name)] for org in shown]
    nav = _page_buttons(page, pages)
    if nav:
        rows.append(nav)
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def invitation_text(t: Translator, made: LocalInvite, bot_username: str, tz: ZoneInfo) -> Html:
    """Written to the institution's head: the municipal authority forwards the message as it is."""
    invite = made.invite
    return t(
        "reach.invitation",
        org=invite.organization.name if invite.organization else "",
        link=deep_link(bot_username, invite.code),
        expires=format_date(invite.invitation.expires_at, tz),
    )


def invitation_notice(t: Translator, made: LocalInvite) -> str:
    return t.plain("reach.invite_replaced" if made.revoked else "reach.invite_ready")
