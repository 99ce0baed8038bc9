"""The production calendar as /calendar shows it, the file upload's verdicts, and «Напомнить позже»."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.workcalendar import DayKind, SnoozeDelay
from bot.services.reminders import SnoozeOffer
from bot.services.workcalendar import BadRow, CalendarOverview, Uploaded
from bot.telegram.callbacks import SnoozePick, day_code
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import split_lines

SNOOZE_LABELS = {
    SnoozeDelay.DAY: "snooze.btn_day",
    SnoozeDelay.THREE_DAYS: "snooze.btn_three_days",
    SnoozeDelay.WEEK_BEFORE: "snooze.btn_week_before",
}
OWN_LINES = {DayKind.OFF: "calendar.own_off", DayKind.WORK: "calendar.own_work"}


def _day(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def calendar_view(
    t: Translator, overview: CalendarOverview, tz: str, start: dt.time, end: dt.time
) -> list[str]:
    """The year's holidays, the weekends worked, the admin's own transfers, and how to upload a file."""
    lines: list[str] = [
        t(
            "calendar.title",
            year=overview.year,
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
            tz=tz,
        ),
        "",
        t("calendar.holidays_header"),
    ]
    lines += [t("calendar.holiday_line", date=_day(day), name=name) for day, name in overview.holidays]
    if overview.worked_weekends:
        lines += ["", t("calendar.worked_header")]
        lines += [t("calendar.worked_line", date=_day(day)) for day in overview.worked_weekends]
    lines += ["", t("calendar.own_header")]
    lines += [t(OWN_LINES[kind], date=_day(day)) for day, kind in overview.own] or [t("calendar.own_none")]
    lines += ["", t("calendar.ask_file")]
    return split_lines(lines)


def bad_rows_view(t: Translator, rows: tuple[BadRow, ...]) -> list[str]:
    lines: list[str] = [t("calendar.bad_rows")]
    lines += [t("calendar.row", row=r.row, value=r.value, reason=t(r.reason)) for r in rows]
    return split_lines(lines)


def uploaded_view(t: Translator, uploaded: Uploaded) -> Html:
    years = ", ".join(str(year) for year in uploaded.years)
    key = "calendar.saved" if len(uploaded.years) == 1 else "calendar.saved_years"
    return t(key, years=years, off=uploaded.days_off, work=uploaded.working_days)


def _moment(moment: dt.datetime, tz: ZoneInfo) -> dict[str, str]:
    local = moment.astimezone(tz)
    return {"date": _day(local.date()), "time": local.strftime("%H:%M")}


def snooze_offer_view(t: Translator, offer: SnoozeOffer, tz: ZoneInfo) -> tuple[Html, InlineKeyboardMarkup]:
    """«Когда напомнить снова?» with one button a choice, each saying when it would come."""
    buttons = [
        [
            InlineKeyboardButton(
                text=t.plain(SNOOZE_LABELS[delay], **_moment(moment, tz)),
                callback_data=SnoozePick(
                    res=offer.resolution_id, day=day_code(offer.deadline), delay=delay
                ).pack(),
            )
        ]
        for delay, moment in offer.choices
    ]
    text = t("snooze.ask", date=_day(offer.deadline))
    return text, InlineKeyboardMarkup(inline_keyboard=buttons)


def snoozed_text(t: Translator, moment: dt.datetime, tz: ZoneInfo) -> Html:
    return t("snooze.done", **_moment(moment, tz))
