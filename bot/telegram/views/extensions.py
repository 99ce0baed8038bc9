"""Deadline extensions on screen: the member's request dialog, the officials' list and card, and the
decision as the organization hears it."""

from __future__ import annotations

import datetime as dt

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import ExtensionState
from bot.services.extensions import ExtensionCard, ExtensionPage
from bot.services.intents import ExtensionDecided, ExtensionRequested
from bot.services.reports import Target
from bot.telegram.callbacks import (
    ExtDecision,
    ExtensionCancel,
    ExtensionDecide,
    ExtensionList,
    ExtensionOpen,
)
from bot.telegram.views.delivery import format_day, recommendation_number
from bot.telegram.views.reports import rec_heading
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten

HISTORY_LINES = 5


def _button(text: str, data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())  # type: ignore[attr-defined]


def cancel_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_button(t.plain("btn.cancel"), ExtensionCancel())]])


def _deadline_text(t: Translator, day: dt.date | None) -> str:
    return format_day(day) if day else t.plain("ext.no_deadline")


def ask_date_view(t: Translator, target: Target, today: dt.date) -> tuple[Html, InlineKeyboardMarkup]:
    example = format_day(max(today, target.deadline or today) + dt.timedelta(days=30))
    lines = [
        t("ext.ask_title"),
        rec_heading(t, target.rec, target.deadline),
        "",
        t("ext.ask_date", current=_deadline_text(t, target.deadline), example=example),
    ]
    return Html("\n".join(lines)), cancel_keyboard(t)


def ask_reason_view(t: Translator, day: dt.date) -> tuple[Html, InlineKeyboardMarkup]:
    return t("ext.ask_reason", date=format_day(day)), cancel_keyboard(t)


def requested_view(t: Translator, day: dt.date) -> Html:
    return t("ext.requested", date=format_day(day))


# --- officials ----------------------------------------------------------------------------------------


def _number(card: ExtensionCard) -> str:
    return recommendation_number(card.rec.group, card.rec)


def list_view(t: Translator, page: ExtensionPage) -> tuple[Html, InlineKeyboardMarkup]:
    if not page.total:
        return t("ext.list_empty"), InlineKeyboardMarkup(inline_keyboard=[])
    lines = [t("ext.list_title", count=page.total, page=page.page + 1, pages=page.pages)]
    rows: list[list[InlineKeyboardButton]] = []
    for card in page.cards:
        ext = card.extension
        values = {
            "org": shorten(card.org.name, 60),
            "number": _number(card),
            "current": _deadline_text(t, card.current_deadline),
            "date": format_day(ext.new_deadline),
        }
        lines.append(t("ext.list_line", **values))
        label = t.plain("btn.ext_item", **{**values, "org": shorten(card.org.name, 30)})
        rows.append([_button(label, ExtensionOpen(ext_id=ext.id))])
    nav = []
    if page.page > 0:
        nav.append(_button("◀", ExtensionList(page=page.page - 1)))
    if page.page + 1 < page.pages:
        nav.append(_button("▶", ExtensionList(page=page.page + 1)))
    if nav:
        rows.append(nav)
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def _history_lines(t: Translator, card: ExtensionCard) -> list[str]:
    earlier = [e for e in card.history if e.id != card.extension.id][-HISTORY_LINES:]
    if not earlier:
        return []
    lines = ["", t("ext.history_title")]
    for ext in earlier:
        lines.append(
            t(
                "ext.history_line",
                asked=format_day(ext.requested_at.date()),
                date=format_day(ext.new_deadline),
                state=t.plain(f"ext.state.{ext.state.value}"),
                comment=shorten(ext.decision_comment or "—", 100),
            )
        )
    return lines


def card_view(t: Translator, card: ExtensionCard) -> tuple[Html, InlineKeyboardMarkup]:
    ext = card.extension
    lines = [
        t("ext.card_title", org=card.org.name, municipality=card.org.municipality or "—"),
        rec_heading(t, card.rec, card.current_deadline),
        "",
        t("ext.card_date", date=format_day(ext.new_deadline)),
        t("ext.card_reason", reason=ext.reason),
        t(
            "ext.card_asked",
            name=card.requester.full_name if card.requester else "—",
            when=format_day(ext.requested_at.date()),
        ),
        t("ext.card_state", state=t.plain(f"ext.state.{ext.state.value}")),
    ]
    if ext.decision_comment:
        lines.append(t("ext.card_comment", comment=ext.decision_comment))
    lines += _history_lines(t, card)
    rows: list[list[InlineKeyboardButton]] = []
    if ext.state is ExtensionState.PENDING:
        approve = ExtensionDecide(ext_id=ext.id, decision=ExtDecision.APPROVE)
        deny = ExtensionDecide(ext_id=ext.id, decision=ExtDecision.DENY)
        rows.append([_button(t.plain("btn.ext_approve"), approve), _button(t.plain("btn.ext_deny"), deny)])
    rows.append([_button(t.plain("btn.back_to_list"), ExtensionList(page=0))])
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def ask_comment_view(t: Translator, card: ExtensionCard) -> tuple[Html, InlineKeyboardMarkup]:
    return t("ext.ask_comment", org=card.org.name, number=_number(card)), cancel_keyboard(t)


# --- the organization hears the decision --------------------------------------------------------------


def decided_text(t: Translator, intent: ExtensionDecided) -> Html:
    number = recommendation_number(intent.rec.group, intent.rec)
    if intent.approved:
        head = t("ext.approved", number=number, date=format_day(intent.new_deadline))
    else:
        head = t(
            "ext.denied",
            number=number,
            date=format_day(intent.new_deadline),
            current=_deadline_text(t, intent.previous_deadline),
            comment=intent.comment or "—",
        )
    return Html("\n".join([head, t("ext.rec_line", text=shorten(intent.rec.text, 300))]))


# --- officials hear of a new request ------------------------------------------------------------------


def requested_notice(t: Translator, intent: ExtensionRequested) -> tuple[Html, InlineKeyboardMarkup]:
    number = recommendation_number(intent.rec.group, intent.rec)
    lines = [
        t(
            "ext.request_notice",
            org=intent.org_name,
            number=number,
            current=_deadline_text(t, intent.current_deadline),
            date=format_day(intent.new_deadline),
        ),
        t("ext.rec_line", text=shorten(intent.rec.text, 300)),
        t("ext.card_reason", reason=shorten(intent.reason, 1000)),
    ]
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[_button(t.plain("ext.btn_open_request"), ExtensionOpen(ext_id=intent.ext_id))]]
    )
    return Html("\n".join(lines)), markup
