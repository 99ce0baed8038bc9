"""The admin's transfers in the production calendar, and the reminders people asked to have later."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, select, update

from bot.domain.workcalendar import DayKind
from storage.models import CalendarDay, ReminderSnooze
from storage.repositories.base import Repository


class CalendarRepo(Repository):
    async def transfers(self) -> list[tuple[dt.date, DayKind]]:
        """Every uploaded transfer: a few dozen rows a year, read whole for each tick."""
        rows = await self.session.execute(select(CalendarDay.day, CalendarDay.kind).order_by(CalendarDay.day))
        return [(day, kind) for day, kind in rows]

    async def replace_years(
        self, years: Iterable[int], days: Iterable[tuple[dt.date, DayKind]], by: int | None, now: dt.datetime
    ) -> None:
        """A year's file replaces that year's earlier upload entirely: what is not in it is no transfer."""
        for year in sorted(set(years)):
            await self.session.execute(
                delete(CalendarDay).where(
                    CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31)
                )
            )
        self.session.add_all(
            CalendarDay(day=day, kind=kind, uploaded_by=by, uploaded_at=now) for day, kind in days
        )
        await self.session.flush()


class SnoozeRepo(Repository):
    async def set(
        self,
        org_id: int,
        resolution_id: int,
        deadline: dt.date,
        due_at: dt.datetime,
        person_id: int | None,
        now: dt.datetime,
    ) -> ReminderSnooze:
        """The organization's pending «later» for this resolution and deadline moves to `due_at` (the
        latest choice wins, whoever of its members made it); else a new one."""
        pending = await self.session.scalar(
            select(ReminderSnooze).where(
                ReminderSnooze.organization_id == org_id,
                ReminderSnooze.resolution_id == resolution_id,
                ReminderSnooze.deadline == deadline,
                ReminderSnooze.done_at.is_(None),
            )
        )
        if pending is None:
            pending = ReminderSnooze(
                organization_id=org_id, resolution_id=resolution_id, deadline=deadline, created_at=now
            )
            self.session.add(pending)
        pending.due_at = due_at
        pending.requested_by = person_id
        await self.session.flush()
        return pending

    async def due(self, now: dt.datetime) -> list[ReminderSnooze]:
        """Not sent yet, and asked for no later than now (working time may hold them a little longer)."""
        return list(
            await self.session.scalars(
                select(ReminderSnooze)
                .where(ReminderSnooze.done_at.is_(None), ReminderSnooze.due_at <= now)
                .order_by(ReminderSnooze.due_at, ReminderSnooze.id)
            )
        )

    async def mark_done(self, snooze_id: int, now: dt.datetime) -> None:
        await self.session.execute(
            update(ReminderSnooze).where(ReminderSnooze.id == snooze_id).values(done_at=now)
        )
