"""Officials and admins: /digest on demand, for every resolution or one, for the region or a municipality."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.domain.clock import Clock
from bot.services import Services
from bot.telegram.answers import edit_or_answer
from bot.telegram.callbacks import DigestPick
from bot.telegram.filters import STAFF
from bot.telegram.views.status import digest_menu_markup, digest_municipality_markup
from bot.texts.i18n import Translator
from storage.models import Person

CHOOSE = "?"


async def digest_menu(message: Message, services: Services, t: Translator) -> None:
    published = await services.resolutions.published()
    if not published:
        await message.answer(t("digest.nothing_published"))
        return
    await message.answer(t("digest.menu"), reply_markup=digest_menu_markup(t, published))


async def choose_municipality(
    query: CallbackQuery, callback_data: DigestPick, services: Services, t: Translator
) -> None:
    names = await services.organizations.municipalities()
    markup = digest_municipality_markup(callback_data.res, names)
    await edit_or_answer(query, t("digest.choose_municipality"), markup)


async def digest(
    query: CallbackQuery,
    callback_data: DigestPick,
    services: Services,
    person: Person | None,
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
        services.digests, person, callback_data.res, callback_data.muni, key, clock.now()
    )
    await edit_or_answer(query, t("digest.preparing"), None)


def router() -> Router:
    staff = Router(name="official_digest")
    staff.message.filter(STAFF)
    staff.callback_query.filter(STAFF)
    staff.message.register(digest_menu, Command("digest"))
    staff.callback_query.register(choose_municipality, DigestPick.filter(F.muni == CHOOSE))
    staff.callback_query.register(digest, DigestPick.filter())
    return staff
