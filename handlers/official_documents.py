"""Officials and admins: /documents — the report on a resolution's execution (DOCX), and for admins the
way into invitation letters."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.domain import Role
from bot.domain.clock import Clock
from bot.services import Services
from bot.telegram.callbacks import DocumentReport
from bot.telegram.filters import STAFF
from bot.telegram.views.documents import documents_menu_view
from bot.texts.i18n import Translator


async def documents_menu(message: Message, services: Services, role: Role | None, t: Translator) -> None:
    published = await services.resolutions.published()
    text, markup = documents_menu_view(t, published, role is Role.ADMIN)
    await message.answer(text, reply_markup=markup)


async def execution_report(
    query: CallbackQuery,
    callback_data: DocumentReport,
    services: Services,
    bot: Bot,
    clock: Clock,
    t: Translator,
) -> None:
    # Built before the query is answered: a resolution withdrawn meanwhile is refused with an alert.
    document = await services.execution_report.build(callback_data.res_id, clock.now(), t.locale)
    await query.answer(t.plain("documents.report.ready"))
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await bot.send_document(
        chat_id,
        BufferedInputFile(document.content, document.file_name),
        caption=t("documents.report.caption"),
    )


def router() -> Router:
    staff = Router(name="official_documents")
    staff.message.filter(STAFF)
    staff.callback_query.filter(STAFF)
    staff.message.register(documents_menu, Command("documents"))
    staff.callback_query.register(execution_report, DocumentReport.filter())
    return staff
