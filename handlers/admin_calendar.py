"""Admins: /calendar shows the year's production calendar and takes a file of the year's transfers."""

from __future__ import annotations

import io

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.domain.clock import Clock
from bot.domain.errors import DomainError
from bot.services import Services
from bot.services.org_table import MAX_FILE_BYTES
from bot.services.workcalendar import CalendarFileError
from bot.telegram.filters import ADMIN
from bot.telegram.views.workcalendar import bad_rows_view, calendar_view, uploaded_view
from bot.texts.i18n import Translator

MB = 1024 * 1024
NOT_COMMAND = ~F.text.startswith("/")


class CalendarUpload(StatesGroup):
    # After /calendar the next document is the year's transfers (a CSV here is no organization table).
    file = State()


async def show(message: Message, services: Services, state: FSMContext, t: Translator) -> None:
    settings = services.settings
    overview = await services.calendar.overview(services.today().year, t.locale)
    start, end = settings.work_day_start, settings.work_day_end
    for part in calendar_view(t, overview, settings.timezone, start, end):
        await message.answer(part)
    await state.set_state(CalendarUpload.file)


async def upload(
    message: Message, bot: Bot, services: Services, state: FSMContext, clock: Clock, t: Translator
) -> None:
    assert message.document is not None and message.from_user is not None
    if (message.document.file_size or 0) > MAX_FILE_BYTES:
        await message.answer(t("import.file_too_big", limit_mb=MAX_FILE_BYTES // MB))
        return
    buffer = io.BytesIO()
    await bot.download(message.document, destination=buffer)
    try:
        uploaded = await services.calendar.upload(buffer.getvalue(), message.from_user.id, clock.now())
    except CalendarFileError as err:
        # Nothing saved; the admin stays here to send the corrected file.
        for part in bad_rows_view(t, err.rows):
            await message.answer(part)
        return
    except DomainError as err:
        await message.answer(t(err.key, **err.params))
        return
    await state.clear()
    await message.answer(uploaded_view(t, uploaded))


async def file_expected(message: Message, t: Translator) -> None:
    await message.answer(t("calendar.file_expected"))


def router() -> Router:
    admin = Router(name="admin_calendar")
    admin.message.filter(ADMIN)
    admin.message.register(show, Command("calendar"))
    admin.message.register(upload, CalendarUpload.file, F.document)
    admin.message.register(file_expected, CalendarUpload.file, NOT_COMMAND)
    return admin
