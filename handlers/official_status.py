"""Officials and admins: /status drill-down, down to a report's history and its evidence files."""

from __future__ import annotations

from pathlib import Path

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, FSInputFile, Message

from bot.config import Settings
from bot.domain import EvidenceKind
from bot.domain.errors import DomainError
from bot.services.status import StatusService
from bot.telegram.answers import edit_or_answer
from bot.telegram.callbacks import EvidenceSend, StatusNav
from bot.telegram.filters import STAFF
from bot.telegram.views import status as views
from bot.texts.i18n import Html, Translator
from storage.repositories import Repositories


async def screen(nav: StatusNav, service: StatusService, t: Translator, settings: Settings) -> views.Screen:
    if nav.level == "list":
        return views.resolutions_screen(t, await service.resolutions())
    resolution = await service.resolution(nav.res)
    if nav.level == "res":
        return views.resolution_screen(t, resolution, await service.progress(resolution))
    if nav.level == "grp":
        group = next((g for g in resolution.groups if g.id == nav.grp), None)
        if group is None:
            raise DomainError("res.not_found")
        progress = await service.progress(resolution, group_id=group.id)
        title = t("status.group_title", number=group.position, heading=group.heading)
        return views.org_list_screen(
            t,
            title,
            progress,
            nav.page,
            {"level": "res", "res": resolution.id},
            {"level": "grp", "res": resolution.id, "grp": group.id},
        )
    if nav.level == "munis":
        return views.municipalities_screen(t, resolution, await service.progress(resolution))
    if nav.level == "muni":
        name = await service.municipality(nav.muni)
        progress = await service.progress(resolution, municipality=name)
        return views.org_list_screen(
            t,
            t("status.muni_title", name=name),
            progress,
            nav.page,
            {"level": "munis", "res": resolution.id},
            {"level": "muni", "res": resolution.id, "muni": nav.muni},
        )
    if nav.level == "org":
        org, items = await service.org_items(resolution, nav.org)
        return views.org_screen(t, resolution, org, items)
    if nav.level in ("rep", "hist"):
        card = await service.report_card(resolution.id, nav.org, nav.rec)
        render = views.report_screen if nav.level == "rep" else views.history_screen
        return render(t, card, settings.tz)
    raise DomainError("res.not_found")


def create_router() -> Router:
    router = Router(name="official_status")
    router.message.filter(STAFF)
    router.callback_query.filter(STAFF)

    @router.message(Command("status"))
    async def status(message: Message, repo: Repositories, settings: Settings, t: Translator) -> None:
        text, markup = await screen(StatusNav(level="list"), StatusService(repo), t, settings)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(StatusNav.filter())
    async def navigate(
        query: CallbackQuery, callback_data: StatusNav, repo: Repositories, settings: Settings, t: Translator
    ) -> None:
        text, markup = await screen(callback_data, StatusService(repo), t, settings)
        await edit_or_answer(query, text, markup)

    @router.callback_query(EvidenceSend.filter())
    async def send_evidence(
        query: CallbackQuery, callback_data: EvidenceSend, bot: Bot, repo: Repositories, t: Translator
    ) -> None:
        report = await StatusService(repo).report(callback_data.report_id)
        await query.answer()
        chat_id = query.from_user.id
        texts: list[str] = []
        for item in report.evidence:
            caption = (item.text or "")[:1000] or None
            if item.kind in (EvidenceKind.DOCUMENT, EvidenceKind.PHOTO):
                stored = Path(item.stored_path) if item.stored_path else None
                # Our own copy first: Telegram may have forgotten the file_id long ago.
                media = (
                    FSInputFile(stored, filename=item.file_name or stored.name)
                    if stored is not None and stored.exists()
                    else item.file_id
                )
                if media is None:
                    texts.append(t("status.file_lost", name=item.file_name or "—"))
                elif item.kind is EvidenceKind.DOCUMENT:
                    await bot.send_document(chat_id, media, caption=caption)
                else:
                    await bot.send_photo(chat_id, media, caption=caption)
            elif item.kind is EvidenceKind.LINK:
                texts.append(t("evidence.link", url=item.url or ""))
            else:
                texts.append(t("evidence.text", text=item.text or ""))
        if texts:
            await bot.send_message(chat_id, Html("\n".join(texts)))

    return router
