"""When periodic things fall due: pure functions of a schedule, a time window and the time zone.

Services (reminders, digests) and the scheduler's tick share them; they do no I/O. APScheduler's cron
trigger is used as a library here, for its crontab arithmetic only.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

REMINDER_HOUR = 9


def latest_cron_occurrence(
    expression: str, tz: ZoneInfo, after: dt.datetime, now: dt.datetime
) -> dt.datetime | None:
    """The last fire time in (after, now]; earlier ones it skips are coalesced into it on purpose."""
    trigger = CronTrigger.from_crontab(expression, timezone=tz)
    latest = None
    fire = trigger.get_next_fire_time(None, after + dt.timedelta(microseconds=1))
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(seconds=1))
    return latest.astimezone(dt.UTC) if latest else None


def validate_cron(expression: str) -> None:
    CronTrigger.from_crontab(expression)


def reminder_time(deadline: dt.date, days_before: int, tz: ZoneInfo) -> dt.datetime:
    """Reminders go out in the morning, local time, `days_before` days before the deadline."""
    day = deadline - dt.timedelta(days=days_before)
    return dt.datetime.combine(day, dt.time(REMINDER_HOUR), tzinfo=tz).astimezone(dt.UTC)
