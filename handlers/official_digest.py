"""Officials and admins: /digest on demand, for every resolution or one, for the region or a municipality."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.domain.clock import Clock
from bot.services import Services
from bot.services.digests import DigestRequest
from bot.services.organizations import municipality_code
from bot.services.roles import RoleService
from bot.telegram.answers import edit_or_answer, refuse
from bot.telegram.callbacks import DigestPick
from bot.telegram.filters import STAFF
from bot.telegram.text_split import shorten
from bot.texts.i18n import Translator
from storage.models import Person
from storage.repositories import Repositories


def _button(text: str, data: DigestPick) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=text, callback_data=data.pack())]


def create_router() -> Router:
    router = Router(name="official_digest")
    router.message.filter(STAFF)
    router.callback_query.filter(STAFF)

    @router.message(Command("digest"))
    async def digest_menu(message: Message, repo: Repositories, t: Translator) -> None:
        published = await repo.resolutions.published()
        if not published:
            await message.answer(t("digest.nothing_published"))
            return
        rows = [_button(t.plain("btn.digest_all"), DigestPick())]
        if len(published) > 1:
            rows += [_button(f"📜 {shorten(r.title, 55)}", DigestPick(res=r.id)) for r in published]
        rows.append(_button(t.plain("btn.digest_municipality"), DigestPick(muni="?")))
        await message.answer(t("digest.menu"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))

    @router.callback_query(DigestPick.filter())
    async def digest(
        query: CallbackQuery,
        callback_data: DigestPick,
        repo: Repositories,
        person: Person | None,
        settings: Settings,
        clock: Clock,
        t: Translator,
        services: Services,
    ) -> None:
        if callback_data.muni == "?":
            rows = [
                _button(shorten(name, 50), DigestPick(res=callback_data.res, muni=municipality_code(name)))
                for name in await repo.orgs.municipalities()
            ]
            await edit_or_answer(
                query, t("digest.choose_municipality"), InlineKeyboardMarkup(inline_keyboard=rows)
            )
            return
        municipality = None
        if callback_data.muni != "-":
            municipality = next(
                (m for m in await repo.orgs.municipalities() if municipality_code(m) == callback_data.muni),
                None,
            )
            if municipality is None:
                await refuse(query, t)
                return
        resolution_id = callback_data.res or None
        if resolution_id is not None and await repo.resolutions.get(resolution_id) is None:
            await refuse(query, t)
            return
        if person is None:
            user = query.from_user
            person = await RoleService(repo, settings.admin_ids).remember(
                user.id, user.full_name, user.username, t.locale
            )
        # One digest per button of one menu message: a second click does not build and send it again.
        message_id = query.message.message_id if query.message else 0
        key = f"{query.from_user.id}-{message_id}-r{callback_data.res}-m{callback_data.muni}"
        await services.digests.on_demand(
            repo, person, DigestRequest(resolution_id, municipality), key, clock.now()
        )
        await edit_or_answer(query, t("digest.preparing"), None)

    return router
