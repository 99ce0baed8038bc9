"""Admins: /add_org dialog, /orgs list with filters, organization cards and their invitations."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.domain import InviteKind, OrgKind
from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.services import Services
from bot.services.invitations import deep_link
from bot.services.organizations import validate_municipality, validate_name
from bot.telegram.answers import edit_or_answer, refuse, reply
from bot.telegram.callbacks import (
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
from bot.telegram.filters import ADMIN
from bot.telegram.views.organizations import (
    cancel_keyboard,
    format_date,
    kind_filter_keyboard,
    kind_keyboard,
    municipality_filter_keyboard,
    municipality_keyboard,
    new_org_confirm_view,
    org_card_view,
    org_list_view,
)
from bot.texts.i18n import Html, Translator

TYPE_NEW = "+"
NO_MUNICIPALITY = "-"


class AddOrg(StatesGroup):
    name = State()
    kind = State()
    municipality = State()
    municipality_text = State()
    confirm = State()


# --- /add_org ---------------------------------------------------------------------------------------


async def add_org(message: Message, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await state.set_state(AddOrg.name)
    await message.answer(t("add_org.ask_name"), reply_markup=cancel_keyboard(t))


async def got_name(message: Message, state: FSMContext, t: Translator) -> None:
    try:
        name = validate_name(message.text or "")
    except DomainError as err:
        await message.answer(t(err.key, **err.params), reply_markup=cancel_keyboard(t))
        return
    await state.update_data(name=name)
    await state.set_state(AddOrg.kind)
    await message.answer(t("add_org.ask_kind", name=name), reply_markup=kind_keyboard(t))


async def got_kind(
    query: CallbackQuery, callback_data: NewOrgKind, state: FSMContext, services: Services, t: Translator
) -> None:
    await state.update_data(kind=callback_data.kind.value)
    await state.set_state(AddOrg.municipality)
    municipalities = await services.organizations.municipalities()
    await edit_or_answer(query, t("add_org.ask_municipality"), municipality_keyboard(t, municipalities))


async def type_municipality(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.set_state(AddOrg.municipality_text)
    await edit_or_answer(query, t("add_org.type_municipality"), cancel_keyboard(t))


async def no_municipality(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await edit_or_answer(query, *await to_confirmation(state, t, ""))


async def got_municipality(
    query: CallbackQuery,
    callback_data: NewOrgMunicipality,
    state: FSMContext,
    services: Services,
    t: Translator,
) -> None:
    municipality = await services.organizations.municipality_by_code(callback_data.code)
    if municipality is None:
        await refuse(query, t)
        return
    await edit_or_answer(query, *await to_confirmation(state, t, municipality))


async def got_municipality_text(message: Message, state: FSMContext, t: Translator) -> None:
    try:
        municipality = validate_municipality(message.text or "")
    except DomainError as err:
        await message.answer(t(err.key, **err.params), reply_markup=cancel_keyboard(t))
        return
    text, markup = await to_confirmation(state, t, municipality)
    await message.answer(text, reply_markup=markup)


async def to_confirmation(
    state: FSMContext, t: Translator, municipality: str
) -> tuple[Html, InlineKeyboardMarkup]:
    data = await state.update_data(municipality=municipality)
    await state.set_state(AddOrg.confirm)
    return new_org_confirm_view(t, data["name"], OrgKind(data["kind"]), municipality)


async def confirmed(
    query: CallbackQuery,
    state: FSMContext,
    services: Services,
    settings: Settings,
    clock: Clock,
    t: Translator,
) -> None:
    data = await state.get_data()
    await state.clear()
    try:
        card = await services.organizations.create_with_card(
            data["name"], OrgKind(data["kind"]), data["municipality"], clock.now()
        )
    except DomainError as err:
        await edit_or_answer(query, t(err.key, **err.params), None)
        return
    text, markup = org_card_view(t, card, settings.tz)
    await edit_or_answer(query, Html(t("add_org.created") + "\n\n" + text), markup)


async def not_confirmed(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await edit_or_answer(query, t("cancelled"), None)


async def wrong_input(message: Message, t: Translator) -> None:
    await message.answer(t("add_org.use_buttons"), reply_markup=cancel_keyboard(t))


# --- /orgs ------------------------------------------------------------------------------------------


async def orgs(message: Message, services: Services, t: Translator) -> None:
    page = await services.organizations.page(None, None, 0)
    text, markup = org_list_view(t, page, None, None)
    await message.answer(text, reply_markup=markup)


async def orgs_page(query: CallbackQuery, callback_data: OrgList, services: Services, t: Translator) -> None:
    page, municipality = await services.organizations.filtered_page(
        callback_data.kind, callback_data.muni, callback_data.page
    )
    await edit_or_answer(query, *org_list_view(t, page, callback_data.kind, municipality))


async def filter_kind(query: CallbackQuery, callback_data: OrgFilter, t: Translator) -> None:
    await edit_or_answer(query, t("orgs.choose_kind"), kind_filter_keyboard(t, callback_data.muni))


async def filter_muni(
    query: CallbackQuery, callback_data: OrgFilter, services: Services, t: Translator
) -> None:
    municipalities = await services.organizations.municipalities()
    markup = municipality_filter_keyboard(t, callback_data.kind, municipalities)
    await edit_or_answer(query, t("orgs.choose_muni"), markup)


# --- cards and invitations --------------------------------------------------------------------------


async def card(
    query: CallbackQuery,
    callback_data: OrgAction,
    services: Services,
    settings: Settings,
    clock: Clock,
    t: Translator,
) -> None:
    org_card = await services.organizations.card(callback_data.org_id, clock.now())
    await edit_or_answer(query, *org_card_view(t, org_card, settings.tz))


async def switch(
    query: CallbackQuery,
    callback_data: OrgAction,
    services: Services,
    settings: Settings,
    clock: Clock,
    t: Translator,
) -> None:
    active = callback_data.action is OrgAct.ON
    org_card = await services.organizations.switch(callback_data.org_id, active, clock.now())
    await edit_or_answer(query, *org_card_view(t, org_card, settings.tz))


async def new_invite(
    query: CallbackQuery,
    callback_data: OrgAction,
    bot: Bot,
    services: Services,
    settings: Settings,
    clock: Clock,
    t: Translator,
) -> None:
    invite = await services.invitations.create(
        InviteKind.MEMBER, query.from_user.id, clock.now(), callback_data.org_id
    )
    me = await bot.me()
    text = t(
        "invite.created",
        org=invite.organization.name if invite.organization else "",
        link=deep_link(me.username or "", invite.code),
        expires=format_date(invite.invitation.expires_at, settings.tz),
    )
    await query.answer()
    await reply(query, text)


async def revoke_invite(
    query: CallbackQuery,
    callback_data: InviteRevoke,
    services: Services,
    settings: Settings,
    clock: Clock,
    t: Translator,
) -> None:
    org_card = await services.organizations.revoke_invitation(
        callback_data.invite_id, callback_data.org_id, clock.now()
    )
    await edit_or_answer(query, *org_card_view(t, org_card, settings.tz))


def router() -> Router:
    admin = Router(name="admin_orgs")
    admin.message.filter(ADMIN)
    admin.callback_query.filter(ADMIN)
    text = (F.text, ~F.text.startswith("/"))
    admin.message.register(add_org, Command("add_org"))
    admin.message.register(got_name, AddOrg.name, *text)
    admin.callback_query.register(got_kind, AddOrg.kind, NewOrgKind.filter())
    admin.callback_query.register(
        type_municipality, AddOrg.municipality, NewOrgMunicipality.filter(F.code == TYPE_NEW)
    )
    admin.callback_query.register(
        no_municipality, AddOrg.municipality, NewOrgMunicipality.filter(F.code == NO_MUNICIPALITY)
    )
    admin.callback_query.register(got_municipality, AddOrg.municipality, NewOrgMunicipality.filter())
    admin.message.register(got_municipality_text, AddOrg.municipality_text, *text)
    admin.callback_query.register(confirmed, AddOrg.confirm, NewOrgConfirm.filter(F.ok))
    admin.callback_query.register(not_confirmed, AddOrg.confirm, NewOrgConfirm.filter(~F.ok))
    admin.message.register(wrong_input, StateFilter(AddOrg), ~F.text.startswith("/"))
    admin.message.register(orgs, Command("orgs"))
    admin.callback_query.register(orgs_page, OrgList.filter())
    admin.callback_query.register(filter_kind, OrgFilter.filter(F.what == OrgFilterWhat.KIND))
    admin.callback_query.register(filter_muni, OrgFilter.filter(F.what == OrgFilterWhat.MUNI))
    admin.callback_query.register(card, OrgAction.filter(F.action == OrgAct.CARD))
    admin.callback_query.register(switch, OrgAction.filter(F.action.in_({OrgAct.ON, OrgAct.OFF})))
    admin.callback_query.register(new_invite, OrgAction.filter(F.action == OrgAct.INVITE))
    admin.callback_query.register(revoke_invite, InviteRevoke.filter())
    return admin
