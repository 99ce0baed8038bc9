"""Admins: /add_org dialog, /orgs list with filters, organization cards and their invitations."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.domain import InviteKind, OrgKind
from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.services.invitations import InvitationService, deep_link
from bot.services.organizations import OrganizationService, validate_municipality, validate_name
from bot.telegram.answers import edit_or_answer
from bot.telegram.callbacks import (
    InviteRevoke,
    NewOrgConfirm,
    NewOrgKind,
    NewOrgMunicipality,
    OrgAction,
    OrgFilter,
    OrgList,
)
from bot.telegram.filters import ADMIN
from bot.telegram.views.organizations import (
    cancel_keyboard,
    format_date,
    kind_filter_keyboard,
    kind_keyboard,
    kind_label,
    municipality_filter_keyboard,
    municipality_keyboard,
    org_card_view,
    org_list_view,
)
from bot.texts.i18n import Html, Translator
from storage.repositories import Repositories


class AddOrg(StatesGroup):
    name = State()
    kind = State()
    municipality = State()
    municipality_text = State()
    confirm = State()


def create_router() -> Router:
    router = Router(name="admin_orgs")
    router.message.filter(ADMIN)
    router.callback_query.filter(ADMIN)

    # --- /add_org -------------------------------------------------------------------------------

    @router.message(Command("add_org"))
    async def add_org(message: Message, state: FSMContext, t: Translator) -> None:
        await state.clear()
        await state.set_state(AddOrg.name)
        await message.answer(t("add_org.ask_name"), reply_markup=cancel_keyboard(t))

    @router.message(AddOrg.name, F.text, ~F.text.startswith("/"))
    async def got_name(message: Message, state: FSMContext, t: Translator) -> None:
        try:
            name = validate_name(message.text or "")
        except DomainError as err:
            await message.answer(t(err.key, **err.params), reply_markup=cancel_keyboard(t))
            return
        await state.update_data(name=name)
        await state.set_state(AddOrg.kind)
        await message.answer(t("add_org.ask_kind", name=name), reply_markup=kind_keyboard(t))

    @router.callback_query(AddOrg.kind, NewOrgKind.filter())
    async def got_kind(
        query: CallbackQuery, callback_data: NewOrgKind, state: FSMContext, repo: Repositories, t: Translator
    ) -> None:
        if callback_data.kind not in OrgKind.__members__.values():
            await query.answer(t.plain("refused.button"), show_alert=True)
            return
        await state.update_data(kind=callback_data.kind)
        await state.set_state(AddOrg.municipality)
        municipalities = await repo.orgs.municipalities()
        await edit_or_answer(query, t("add_org.ask_municipality"), municipality_keyboard(t, municipalities))

    @router.callback_query(AddOrg.municipality, NewOrgMunicipality.filter())
    async def got_municipality(
        query: CallbackQuery,
        callback_data: NewOrgMunicipality,
        state: FSMContext,
        repo: Repositories,
        t: Translator,
    ) -> None:
        if callback_data.code == "+":
            await state.set_state(AddOrg.municipality_text)
            await edit_or_answer(query, t("add_org.type_municipality"), cancel_keyboard(t))
            return
        municipality = ""
        if callback_data.code != "-":
            found = await OrganizationService(repo).municipality_by_code(callback_data.code)
            if found is None:
                await query.answer(t.plain("refused.button"), show_alert=True)
                return
            municipality = found
        await state.update_data(municipality=municipality)
        await state.set_state(AddOrg.confirm)
        text, markup = await confirm_view(state, t)
        await edit_or_answer(query, text, markup)

    @router.message(AddOrg.municipality_text, F.text, ~F.text.startswith("/"))
    async def got_municipality_text(message: Message, state: FSMContext, t: Translator) -> None:
        try:
            municipality = validate_municipality(message.text or "")
        except DomainError as err:
            await message.answer(t(err.key, **err.params), reply_markup=cancel_keyboard(t))
            return
        await state.update_data(municipality=municipality)
        await state.set_state(AddOrg.confirm)
        text, markup = await confirm_view(state, t)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(AddOrg.confirm, NewOrgConfirm.filter(F.ok))
    async def confirmed(
        query: CallbackQuery,
        state: FSMContext,
        repo: Repositories,
        settings: Settings,
        clock: Clock,
        t: Translator,
    ) -> None:
        data = await state.get_data()
        try:
            org = await OrganizationService(repo).create(
                data["name"], OrgKind(data["kind"]), data["municipality"]
            )
        except DomainError as err:
            await state.clear()
            await edit_or_answer(query, t(err.key, **err.params), None)
            return
        await state.clear()
        card = await OrganizationService(repo).card(org.id, clock.now())
        text, markup = org_card_view(t, card, settings.tz)
        await edit_or_answer(query, Html(t("add_org.created") + "\n\n" + text), markup)

    @router.message(StateFilter(AddOrg), ~F.text.startswith("/"))
    async def wrong_input(message: Message, t: Translator) -> None:
        await message.answer(t("add_org.use_buttons"), reply_markup=cancel_keyboard(t))

    async def confirm_view(state: FSMContext, t: Translator) -> tuple[Html, InlineKeyboardMarkup]:
        data = await state.get_data()
        text = t(
            "add_org.confirm",
            name=data["name"],
            kind=kind_label(t, data["kind"]),
            municipality=data["municipality"] or t.plain("card.no_municipality"),
        )
        builder = InlineKeyboardBuilder()
        builder.button(text=t.plain("btn.save"), callback_data=NewOrgConfirm(ok=True))
        builder.button(text=t.plain("btn.cancel"), callback_data=NewOrgConfirm(ok=False))
        return text, builder.as_markup()

    @router.callback_query(AddOrg.confirm, NewOrgConfirm.filter(~F.ok))
    async def not_confirmed(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
        await state.clear()
        await edit_or_answer(query, t("cancelled"), None)

    # --- /orgs ----------------------------------------------------------------------------------

    async def list_view(
        repo: Repositories, t: Translator, kind_code: str, muni_code: str, page: int
    ) -> tuple[Html, InlineKeyboardMarkup] | None:
        service = OrganizationService(repo)
        kind = OrgKind(kind_code) if kind_code in OrgKind.__members__.values() else None
        if kind is None and kind_code != "-":
            return None
        municipality = None
        if muni_code != "-":
            municipality = await service.municipality_by_code(muni_code)
            if municipality is None:
                return None
        return org_list_view(t, await service.page(kind, municipality, page), kind, municipality)

    @router.message(Command("orgs"))
    async def orgs(message: Message, repo: Repositories, t: Translator) -> None:
        view = await list_view(repo, t, "-", "-", 0)
        assert view is not None
        await message.answer(view[0], reply_markup=view[1])

    @router.callback_query(OrgList.filter())
    async def orgs_page(
        query: CallbackQuery, callback_data: OrgList, repo: Repositories, t: Translator
    ) -> None:
        view = await list_view(repo, t, callback_data.kind, callback_data.muni, callback_data.page)
        if view is None:
            await query.answer(t.plain("refused.button"), show_alert=True)
            return
        await edit_or_answer(query, *view)

    @router.callback_query(OrgFilter.filter(F.what == "kind"))
    async def filter_kind(query: CallbackQuery, callback_data: OrgFilter, t: Translator) -> None:
        await edit_or_answer(query, t("orgs.choose_kind"), kind_filter_keyboard(t, callback_data.muni))

    @router.callback_query(OrgFilter.filter(F.what == "muni"))
    async def filter_muni(
        query: CallbackQuery, callback_data: OrgFilter, repo: Repositories, t: Translator
    ) -> None:
        municipalities = await repo.orgs.municipalities()
        await edit_or_answer(
            query, t("orgs.choose_muni"), municipality_filter_keyboard(t, callback_data.kind, municipalities)
        )

    # --- cards and invitations ------------------------------------------------------------------

    @router.callback_query(OrgAction.filter(F.action.in_({"card", "off", "on"})))
    async def card(
        query: CallbackQuery,
        callback_data: OrgAction,
        repo: Repositories,
        settings: Settings,
        clock: Clock,
        t: Translator,
    ) -> None:
        service = OrganizationService(repo)
        if callback_data.action != "card":
            await service.set_active(callback_data.org_id, callback_data.action == "on")
        org_card = await service.card(callback_data.org_id, clock.now())
        await edit_or_answer(query, *org_card_view(t, org_card, settings.tz))

    @router.callback_query(OrgAction.filter(F.action == "invite"))
    async def new_invite(
        query: CallbackQuery,
        callback_data: OrgAction,
        bot: Bot,
        repo: Repositories,
        settings: Settings,
        clock: Clock,
        t: Translator,
    ) -> None:
        service = InvitationService(repo, settings.invite_ttl_days)
        invite = await service.create(
            InviteKind.MEMBER, query.from_user.id, clock.now(), callback_data.org_id
        )
        org = await repo.orgs.get(callback_data.org_id)
        me = await bot.me()
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(
                t(
                    "invite.created",
                    org=org.name if org else "",
                    link=deep_link(me.username or "", invite.code),
                    expires=format_date(invite.invitation.expires_at, settings.tz),
                )
            )

    @router.callback_query(InviteRevoke.filter())
    async def revoke_invite(
        query: CallbackQuery,
        callback_data: InviteRevoke,
        repo: Repositories,
        settings: Settings,
        clock: Clock,
        t: Translator,
    ) -> None:
        await InvitationService(repo, settings.invite_ttl_days).revoke(
            callback_data.invite_id, callback_data.org_id, clock.now()
        )
        org_card = await OrganizationService(repo).card(callback_data.org_id, clock.now())
        await edit_or_answer(query, *org_card_view(t, org_card, settings.tz))

    return router
