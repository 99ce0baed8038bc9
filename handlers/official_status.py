"""Officials, admins and municipal authorities: /status drill-down, one handler per level, down to a
report's history and its evidence files. Every level passes the caller's scope to the service, which
refuses what lies outside it."""

from __future__ import annotations

from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, FSInputFile, Message

from bot.config import Settings
from bot.domain import EvidenceKind
from bot.domain.errors import DomainError
from bot.domain.scope import ViewScope
from bot.services import Services
from bot.telegram.answers import edit_or_answer, refuse
from bot.telegram.callbacks import EvidenceSend, StatusLevel, StatusNav
from bot.telegram.filters import SUPERVISOR
from bot.telegram.views import status as views
from bot.telegram.views.people import evidence_caption, evidence_links_text
from bot.texts.i18n import Translator
from storage.models import Evidence


async def status(message: Message, services: Services, scope: ViewScope, t: Translator) -> None:
    text, markup = views.resolutions_screen(t, await services.status.resolutions(scope))
    await message.answer(text, reply_markup=markup)


async def resolution_list(query: CallbackQuery, services: Services, scope: ViewScope, t: Translator) -> None:
    await edit_or_answer(query, *views.resolutions_screen(t, await services.status.resolutions(scope)))


async def resolution(
    query: CallbackQuery, callback_data: StatusNav, services: Services, scope: ViewScope, t: Translator
) -> None:
    found = await services.status.overview(callback_data.res, scope)
    await edit_or_answer(query, *views.resolution_screen(t, found.resolution, found.progress, scope))


async def municipalities(
    query: CallbackQuery, callback_data: StatusNav, services: Services, scope: ViewScope, t: Translator
) -> None:
    if not scope.is_region:
        # A municipal authority has one municipality: its own, with no list of the others.
        found = await services.status.own_municipality(callback_data.res, scope)
        await edit_or_answer(query, *views.municipality_screen(t, found, 0, scope))
        return
    overview = await services.status.overview(callback_data.res, scope)
    await edit_or_answer(query, *views.municipalities_screen(t, overview.resolution, overview.progress))


async def group(
    query: CallbackQuery, callback_data: StatusNav, services: Services, scope: ViewScope, t: Translator
) -> None:
    found = await services.status.group_progress(callback_data.res, callback_data.grp, scope)
    await edit_or_answer(query, *views.group_screen(t, found, callback_data.page))


async def municipality(
    query: CallbackQuery, callback_data: StatusNav, services: Services, scope: ViewScope, t: Translator
) -> None:
    found = await services.status.municipality_progress(callback_data.res, callback_data.muni, scope)
    await edit_or_answer(query, *views.municipality_screen(t, found, callback_data.page, scope))


async def organization(
    query: CallbackQuery, callback_data: StatusNav, services: Services, scope: ViewScope, t: Translator
) -> None:
    found, org, items = await services.status.org_overview(callback_data.res, callback_data.org, scope)
    await edit_or_answer(query, *views.org_screen(t, found, org, items))


async def report(
    query: CallbackQuery,
    callback_data: StatusNav,
    services: Services,
    settings: Settings,
    scope: ViewScope,
    t: Translator,
) -> None:
    nav = callback_data
    card = await services.status.report_card(nav.res, nav.org, nav.rec, scope)
    await edit_or_answer(query, *views.report_screen(t, card, settings.tz, scope))


async def history(
    query: CallbackQuery,
    callback_data: StatusNav,
    services: Services,
    settings: Settings,
    scope: ViewScope,
    t: Translator,
) -> None:
    nav = callback_data
    card = await services.status.report_card(nav.res, nav.org, nav.rec, scope)
    await edit_or_answer(query, *views.history_screen(t, card, settings.tz))


def stored_media(item: Evidence) -> FSInputFile | str | None:
    """Our own copy first: Telegram may have forgotten the file_id long ago."""
    stored = Path(item.stored_path) if item.stored_path else None
    if stored is not None and stored.exists():
        return FSInputFile(stored, filename=item.file_name or stored.name)
    return item.file_id


async def send_file(bot: Bot, chat_id: int, item: Evidence, caption: str, t: Translator) -> str | None:
    """Send one file or photo with its caption; the line to say instead when it is lost."""
    media = stored_media(item)
    if media is None:
        return t("status.file_lost", name=item.file_name or "—")
    if item.kind is EvidenceKind.DOCUMENT:
        await bot.send_document(chat_id, media, caption=caption)
    else:
        await bot.send_photo(chat_id, media, caption=caption)
    return None


async def send_evidence(
    query: CallbackQuery,
    callback_data: EvidenceSend,
    bot: Bot,
    services: Services,
    settings: Settings,
    scope: ViewScope,
    t: Translator,
) -> None:
    try:
        bundle = await services.status.evidence_bundle(callback_data.report_id, scope)
    except DomainError as err:
        await refuse(query, t, err)
        return
    await query.answer()
    chat_id = query.from_user.id
    texts: list[str] = []
    for item in bundle.items:
        if item.kind in (EvidenceKind.DOCUMENT, EvidenceKind.PHOTO):
            caption = evidence_caption(t, bundle, item, settings.tz)
            lost = await send_file(bot, chat_id, item, caption, t)
            texts.extend([lost] if lost else [])
        elif item.kind is EvidenceKind.LINK:
            texts.append(t("evidence.link", url=item.url or ""))
        else:
            texts.append(t("evidence.text", text=item.text or ""))
    if texts:
        await bot.send_message(chat_id, evidence_links_text(t, bundle, texts))


LEVELS = {
    StatusLevel.LIST: resolution_list,
    StatusLevel.RES: resolution,
    StatusLevel.MUNIS: municipalities,
    StatusLevel.GRP: group,
    StatusLevel.MUNI: municipality,
    StatusLevel.ORG: organization,
    StatusLevel.REP: report,
    StatusLevel.HIST: history,
}


def router() -> Router:
    supervisors = Router(name="official_status")
    supervisors.message.filter(SUPERVISOR)
    supervisors.callback_query.filter(SUPERVISOR)
    supervisors.message.register(status, Command("status"))
    for level, handler in LEVELS.items():
        supervisors.callback_query.register(handler, StatusNav.filter(F.level == level))
    supervisors.callback_query.register(send_evidence, EvidenceSend.filter())
    return supervisors
