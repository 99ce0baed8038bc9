"""Admins send files: organization tables (CSV/XLSX) and resolution documents are told apart here."""

from __future__ import annotations

import io
from pathlib import PurePath

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.types import Message

from bot.domain.errors import DomainError
from bot.services import Services
from bot.services.org_import import MAX_FILE_BYTES
from bot.services.resolutions import MAX_DOCUMENT_BYTES, RESOLUTION_SUFFIXES
from bot.telegram.filters import ADMIN
from bot.telegram.views.org_import import import_report
from bot.telegram.views.resolutions import preview_view
from bot.texts.i18n import Translator

TABLE_SUFFIXES = {".csv", ".xlsx"}
MB = 1024 * 1024


async def download(bot: Bot, message: Message) -> bytes:
    assert message.document is not None
    buffer = io.BytesIO()
    await bot.download(message.document, destination=buffer)
    return buffer.getvalue()


async def import_resolution(message: Message, bot: Bot, services: Services, t: Translator) -> None:
    assert message.document is not None and message.from_user is not None
    if (message.document.file_size or 0) > MAX_DOCUMENT_BYTES:
        await message.answer(t("res.too_big", limit_mb=MAX_DOCUMENT_BYTES // MB))
        return
    data = await download(bot, message)
    try:
        # Imported and matched against earlier resolutions (year over year) in one unit of work.
        preview = await services.repeats.import_document(
            data, message.document.file_name or "resolution.txt", message.from_user.id
        )
    except DomainError as err:
        await message.answer(t(err.key, **err.params))
        return
    text, markup = preview_view(t, preview.resolution, preview.repeats, services.settings.review_delegation)
    await message.answer(text, reply_markup=markup)


async def import_table(message: Message, bot: Bot, services: Services, t: Translator) -> None:
    assert message.document is not None
    if (message.document.file_size or 0) > MAX_FILE_BYTES:
        await message.answer(t("import.file_too_big", limit_mb=MAX_FILE_BYTES // MB))
        return
    data = await download(bot, message)
    try:
        result = await services.organizations.import_table(data, message.document.file_name or "")
    except DomainError as err:
        await message.answer(t(err.key, **err.params))
        return
    for part in import_report(t, result):
        await message.answer(part)


async def document(message: Message, bot: Bot, services: Services, t: Translator) -> None:
    assert message.document is not None
    name = message.document.file_name or ""
    suffix = PurePath(name).suffix.lower()
    if suffix in RESOLUTION_SUFFIXES:
        await import_resolution(message, bot, services, t)
    elif suffix in TABLE_SUFFIXES:
        await import_table(message, bot, services, t)
    else:
        await message.answer(t("files.unsupported", name=name or "—"))


def router() -> Router:
    admin = Router(name="admin_files")
    admin.message.filter(ADMIN)
    admin.message.register(document, StateFilter(None), F.document)
    return admin
