"""Working time: which days are working days in Russia and which hours of them are working hours.

A day is a working day unless it is a weekend or a public holiday — the production calendar of the
maintained `holidays` library (country RU), which also knows the government's transfers: a holiday moved
to a weekday (2 May 2025) and the Saturday worked in exchange (1 November 2025). On top of it, the
admin's own transfers for a year (bot/services/workcalendar.py reads them from a file): extra days off
and extra working days; the admin's word wins over the library's.

Pure: no I/O, the library computes its calendar in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.schedule import reminder_time

if TYPE_CHECKING:
    import holidays

# Past this many days of days off in a row the calendar is broken, not festive: the search stops.
MAX_DAYS_OFF_IN_A_ROW = 366


class SnoozeDelay(StrEnum):
    """«Напомнить позже»: in a day, in three days, or a week before the deadline."""

    DAY = "d1"
    THREE_DAYS = "d3"
    WEEK_BEFORE = "w"


class DayKind(StrEnum):
    """An admin's transfer: the date is a day off, or a working day (a Saturday worked in exchange)."""

    OFF = "off"
    WORK = "work"


@lru_cache(maxsize=4)
def _production_calendar(language: str) -> holidays.HolidayBase:
    # Imported when first needed: the library loads every country's calendar (a third of a second),
    # and the models (which name DayKind) are imported by every command of the CLI.
    import holidays

    # One object per language: it fills in years as they are asked for and keeps them.
    return holidays.country_holidays("RU", language=language)


@lru_cache(maxsize=4096)
def official_working_day(day: dt.date) -> bool:
    """The library's production calendar alone: weekends, holidays and the government's transfers."""
    return bool(_production_calendar("ru").is_working_day(day))


def official_days(year: int, language: str = "ru") -> tuple[list[tuple[dt.date, str]], list[dt.date]]:
    """The library's holidays of a year with their names, and the weekend days made working."""
    calendar = _production_calendar(language)
    calendar.get(dt.date(year, 1, 1))  # fills in the year
    days_off = sorted((day, str(name)) for day, name in calendar.items() if day.year == year)
    worked = sorted(day for day in calendar.weekend_workdays if day.year == year)
    return days_off, worked


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and hours in one time zone; `transfers` are the admin's, by date."""

    tz: ZoneInfo
    start: dt.time = dt.time(9)
    end: dt.time = dt.time(18)
    transfers: Mapping[dt.date, DayKind] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("the working day must start before it ends")

    @classmethod
    def of(
        cls, tz: ZoneInfo, start: dt.time, end: dt.time, transfers: Iterable[tuple[dt.date, DayKind]] = ()
    ) -> WorkCalendar:
        return cls(tz, start, end, dict(transfers))

    def is_working_day(self, day: dt.date) -> bool:
        own = self.transfers.get(day)
        if own is not None:
            return own is DayKind.WORK
        return official_working_day(day)

    def is_working_moment(self, moment: dt.datetime) -> bool:
        """Within [start, end) of a working day, local time."""
        local = moment.astimezone(self.tz)
        return self.is_working_day(local.date()) and self.start <= local.time() < self.end

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """The moment itself if it is working time, else the start of the next working period (in UTC)."""
        if moment.tzinfo is None:
            raise ValueError("a moment needs its time zone")
        if self.is_working_moment(moment):
            return moment
        local = moment.astimezone(self.tz)
        day = local.date()
        if local.time() >= self.start:
            # Past today's start: today's working period (if any) is over or this is not a working day.
            day += dt.timedelta(days=1)
        for _ in range(MAX_DAYS_OFF_IN_A_ROW):
            if self.is_working_day(day):
                return self.day_start(day)
            day += dt.timedelta(days=1)
        raise ValueError("no working day within a year: check the uploaded transfers")

    def day_start(self, day: dt.date) -> dt.datetime:
        """The start of the working day `day`, in UTC (the zone's rules decide the offset that day)."""
        return dt.datetime.combine(day, self.start, tzinfo=self.tz).astimezone(dt.UTC)


def snooze_moment(
    delay: SnoozeDelay, now: dt.datetime, deadline: dt.date, calendar: WorkCalendar
) -> dt.datetime | None:
    """When a snoozed deadline reminder comes again, held to working time; None when that would be after
    the deadline, or «a week before» is not ahead any more (the deadline is a week away or nearer)."""
    tz = calendar.tz
    if delay is SnoozeDelay.WEEK_BEFORE:
        if (deadline - now.astimezone(tz).date()).days <= 7:
            return None
        # The same morning moment as the regular reminder a week before (REMINDER_DAYS=7).
        wanted = reminder_time(deadline, 7, tz)
    else:
        wanted = now + dt.timedelta(days=1 if delay is SnoozeDelay.DAY else 3)
    moment = calendar.next_working_moment(wanted)
    deadline_over = dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return moment if moment < deadline_over else None
