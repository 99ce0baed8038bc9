"""/digest on demand, for every resolution or one: officials and admins for the region or a municipality,
members of a municipal authority for their own municipality (its authority and institutions) only."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.domain.clock import Clock
from bot.domain.scope import ViewScope
from bot.services import Services
from bot.telegram.answers import edit_or_answer
from bot.telegram.callbacks import DigestPick
from bot.telegram.filters import SUPERVISOR
from bot.telegram.views.status import digest_menu_markup, digest_municipality_markup
from bot.texts.i18n import Translator
from storage.models import Person

CHOOSE = "?"


async def digest_menu(message: Message, services: Services, scope: ViewScope, t: Translator) -> None:
    published = await services.resolutions.published()
    if not published:
        await message.answer(t("digest.nothing_published"))
        return
    if scope.is_region:
        await message.answer(t("digest.menu"), reply_markup=digest_menu_markup(t, published))
        return
    text = t("digest.menu_municipal", name=scope.municipality or "")
    await message.answer(text, reply_markup=digest_menu_markup(t, published, by_municipality=False))


async def choose_municipality(
    query: CallbackQuery, callback_data: DigestPick, services: Services, scope: ViewScope, t: Translator
) -> None:
    names = await services.status.digest_municipalities(scope)
    markup = digest_municipality_markup(callback_data.res, names)
    await edit_or_answer(query, t("digest.choose_municipality"), markup)


async def digest(
    query: CallbackQuery,
    callback_data: DigestPick,
    services: Services,
    person: Person | None,
    scope: ViewScope,
    clock: Clock,
    t: Translator,
) -> None:
    if person is None:  # an admin named in the settings who never pressed /start
        user = query.from_user
        person = await services.roles.remember(user.id, user.full_name, user.username, t.locale)
    # One digest per button of one menu message: a second click does not build and send it again.
    message_id = query.message.message_id if query.message else 0
    key = f"{query.from_user.id}-{message_id}-r{callback_data.res}-m{callback_data.muni}"
    await services.status.order_digest(
        services.digests, person, callback_data.res, callback_data.muni, key, clock.now(), scope
    )
    await edit_or_answer(query, t("digest.preparing"), None)


def router() -> Router:
    # Officials, admins and municipal authorities' members: the service keeps each to their scope.
    supervisors = Router(name="official_digest")
    supervisors.message.filter(SUPERVISOR)
    supervisors.callback_query.filter(SUPERVISOR)
    supervisors.message.register(digest_menu, Command("digest"))
    supervisors.callback_query.register(choose_municipality, DigestPick.filter(F.muni == CHOOSE))
    supervisors.callback_query.register(digest, DigestPick.filter())
    return supervisors
