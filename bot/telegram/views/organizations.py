"""Rendering of organization lists and cards: text plus keyboard, no database access."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import OrgKind
from bot.services.organizations import OrgCard, OrgPage, municipality_code
from bot.telegram.callbacks import (
    Cancel,
    InviteRevoke,
    NewOrgConfirm,
    NewOrgKind,
    NewOrgMunicipality,
    OrgAct,
    OrgAction,
    OrgFilter,
    OrgFilterWhat,
    OrgList,
)
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten

MAX_MUNICIPALITY_BUTTONS = 40


def kind_label(t: Translator, kind: OrgKind | str) -> str:
    return t.plain(f"kind.{OrgKind(kind).value}")


def format_date(moment: dt.datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def cancel_keyboard(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.plain("btn.cancel"), callback_data=Cancel())
    return builder.as_markup()


def kind_keyboard(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in OrgKind:
        builder.button(text=kind_label(t, kind), callback_data=NewOrgKind(kind=kind))
    builder.button(text=t.plain("btn.cancel"), callback_data=Cancel())
    builder.adjust(1)
    return builder.as_markup()


def municipality_keyboard(t: Translator, municipalities: list[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for name in municipalities[:MAX_MUNICIPALITY_BUTTONS]:
        builder.button(text=shorten(name, 40), callback_data=NewOrgMunicipality(code=municipality_code(name)))
    builder.button(text=t.plain("btn.no_municipality"), callback_data=NewOrgMunicipality(code="-"))
    builder.button(text=t.plain("btn.other_municipality"), callback_data=NewOrgMunicipality(code="+"))
    builder.button(text=t.plain("btn.cancel"), callback_data=Cancel())
    builder.adjust(*([2] * (min(len(municipalities), MAX_MUNICIPALITY_BUTTONS) // 2 + 1)), 1)
    return builder.as_markup()


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def org_list_view(
    t: Translator, page: OrgPage, kind: OrgKind | None, municipality: str | None
) -> tuple[Html, InlineKeyboardMarkup]:
    muni_code = municipality_code(municipality) if municipality else "-"
    lines = [
        t("orgs.title", total=page.total),
        t(
            "orgs.filters",
            kind=kind_label(t, kind) if kind else t.plain("orgs.any"),
            municipality=municipality or t.plain("orgs.any"),
        ),
    ]
    if not page.items:
        lines.append(t("orgs.empty"))
    rows: list[list[InlineKeyboardButton]] = []
    for org in page.items:
        mark = "" if org.is_active else "⛔ "
        label = f"{mark}{org.name}" + (f" · {org.municipality}" if org.municipality else "")
        rows.append([_button(shorten(label, 60), OrgAction(action=OrgAct.CARD, org_id=org.id))])
    if page.pages > 1:
        nav = []
        if page.page > 0:
            nav.append(_button("◀", OrgList(kind=kind, muni=muni_code, page=page.page - 1)))
        nav.append(
            _button(f"{page.page + 1}/{page.pages}", OrgList(kind=kind, muni=muni_code, page=page.page))
        )
        if page.page + 1 < page.pages:
            nav.append(_button("▶", OrgList(kind=kind, muni=muni_code, page=page.page + 1)))
        rows.append(nav)
    rows.append(
        [
            _button(
                t.plain("btn.filter_kind"), OrgFilter(what=OrgFilterWhat.KIND, kind=kind, muni=muni_code)
            ),
            _button(
                t.plain("btn.filter_muni"), OrgFilter(what=OrgFilterWhat.MUNI, kind=kind, muni=muni_code)
            ),
        ]
    )
    return Html("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def kind_filter_keyboard(t: Translator, muni_code: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.plain("orgs.any"), callback_data=OrgList(kind=None, muni=muni_code))
    for kind in OrgKind:
        builder.button(text=kind_label(t, kind), callback_data=OrgList(kind=kind, muni=muni_code))
    builder.adjust(1)
    return builder.as_markup()


def municipality_filter_keyboard(
    t: Translator, kind: OrgKind | None, municipalities: list[str]
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.plain("orgs.any"), callback_data=OrgList(kind=kind, muni="-"))
    for name in municipalities[:MAX_MUNICIPALITY_BUTTONS]:
        builder.button(text=shorten(name, 40), callback_data=OrgList(kind=kind, muni=municipality_code(name)))
    builder.adjust(1, 2)
    return builder.as_markup()


def new_org_confirm_view(
    t: Translator, name: str, kind: OrgKind, municipality: str
) -> tuple[Html, InlineKeyboardMarkup]:
    text = t(
        "add_org.confirm",
        name=name,
        kind=kind_label(t, kind),
        municipality=municipality or t.plain("card.no_municipality"),
    )
    builder = InlineKeyboardBuilder()
    builder.button(text=t.plain("btn.save"), callback_data=NewOrgConfirm(ok=True))
    builder.button(text=t.plain("btn.cancel"), callback_data=NewOrgConfirm(ok=False))
    return text, builder.as_markup()


def org_card_view(t: Translator, card: OrgCard, tz: ZoneInfo) -> tuple[Html, InlineKeyboardMarkup]:
    org = card.org
    lines = [
        t("card.title", name=org.name),
        t("card.kind", kind=kind_label(t, org.kind)),
        t("card.municipality", municipality=org.municipality or t.plain("card.no_municipality")),
        t("card.active" if org.is_active else "card.inactive"),
        "",
        t.n("card.members", len(card.members)),
    ]
    for person in card.members:
        handle = f" (@{person.username})" if person.username else ""
        lines.append(t("card.member_line", name=person.full_name, handle=handle))
    lines.append(t.n("card.pending", len(card.pending_invites)))
    builder = InlineKeyboardBuilder()
    for invite in card.pending_invites:
        lines.append(t("card.invite_line", number=invite.id, expires=format_date(invite.expires_at, tz)))
        builder.button(
            text=t.plain("btn.revoke_invite", number=invite.id),
            callback_data=InviteRevoke(invite_id=invite.id, org_id=org.id),
        )
    if org.is_active:
        builder.button(
            text=t.plain("btn.new_invite"), callback_data=OrgAction(action=OrgAct.INVITE, org_id=org.id)
        )
        builder.button(
            text=t.plain("btn.deactivate"), callback_data=OrgAction(action=OrgAct.OFF, org_id=org.id)
        )
    else:
        builder.button(
            text=t.plain("btn.reactivate"), callback_data=OrgAction(action=OrgAct.ON, org_id=org.id)
        )
    builder.button(text=t.plain("btn.back_to_list"), callback_data=OrgList())
    builder.adjust(1)
    return Html("\n".join(lines)), builder.as_markup()
