"""Keyboards of the «people» commands: confirming a grant, choosing what a stray file is evidence for."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import ReviewState, Role
from bot.services.reminders import ManualAccount
from bot.services.reports import Overview
from bot.services.status import EvidenceBundle
from bot.telegram.callbacks import GrantConfirm, GrantRole, ReportOpen, StrayFilePick
from bot.telegram.views.delivery import recommendation_number
from bot.telegram.views.organizations import format_date
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten
from storage.models import Evidence, Recommendation

CAPTION_LIMIT = 1024
OFFER_LIMIT = 30  # buttons under one offer; a member with more open items still has /report


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
    # An admin invites from the organization cards, a municipal authority from /invite.
    key = "remind.unstaffed_local_n" if account.local else "remind.unstaffed_n"
    return "\n" + t.n(key, account.unstaffed) if account.unstaffed else ""


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


def evidence_caption(t: Translator, bundle: EvidenceBundle, item: Evidence, tz: ZoneInfo) -> Html:
    """Organization, recommendation, who and when, then the member's own caption: within Telegram's
    1024 characters, the long texts shortened first (escaping can lengthen them, so measure the result)."""
    author = bundle.authors.get(item.added_by) if item.added_by else None
    rec_limit, note_limit = 300, 400
    while True:
        caption = t(
            "evidence.caption",
            org=shorten(bundle.org.name, rec_limit),
            number=recommendation_number(bundle.rec.group, bundle.rec),
            rec=shorten(bundle.rec.text, rec_limit),
            who=shorten(author.full_name, 100) if author else "—",
            when=format_date(item.created_at, tz),
        )
        note = shorten(item.text or "", note_limit)
        if note:
            caption = Html(caption + "\n" + t("evidence.caption_note", text=note))
        if len(caption) <= CAPTION_LIMIT:
            return caption
        rec_limit, note_limit = rec_limit // 2, note_limit // 2


def evidence_links_text(t: Translator, bundle: EvidenceBundle, lines: list[str]) -> Html:
    """Links, texts and lost files in one message, headed by what they are evidence of."""
    heading = t(
        "evidence.links_heading",
        org=bundle.org.name,
        number=recommendation_number(bundle.rec.group, bundle.rec),
        rec=shorten(bundle.rec.text, 300),
    )
    return Html("\n".join([heading, *lines]))


def open_recommendations(overview: Overview) -> list[Recommendation]:
    """What a member can still report on: no final report yet, or one the department returned."""
    return [
        rec
        for rec, report in overview.items
        if report is None or overview.is_open(report) or report.review_state is ReviewState.RETURNED
    ]


def _offer(
    t: Translator, heading: Html, recs: list[Recommendation], data: type[CallbackData]
) -> tuple[Html, InlineKeyboardMarkup]:
    rows = [
        [
            InlineKeyboardButton(
                text=f"{recommendation_number(rec.group, rec)} {shorten(rec.text, 50)}",
                callback_data=data(rec_id=rec.id).pack(),
            )
        ]
        for rec in recs[:OFFER_LIMIT]
    ]
    lines = [heading]
    if len(recs) > OFFER_LIMIT:
        lines.append(t("stray.more", shown=OFFER_LIMIT, total=len(recs)))
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def stray_file_offer(
    t: Translator, recs: list[Recommendation], files: int
) -> tuple[Html, InlineKeyboardMarkup]:
    """A file outside a dialog: which recommendation is it evidence for?"""
    return _offer(t, t.n("stray.file_offer_n", files), recs, StrayFilePick)


def report_offer(t: Translator, recs: list[Recommendation]) -> tuple[Html, InlineKeyboardMarkup]:
    """«Выполнено» outside a dialog: which recommendation to report on?"""
    return _offer(t, t("stray.done_offer"), recs, ReportOpen)
