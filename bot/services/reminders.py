"""Reminders before deadlines and nudges after silence: each occurrence claimed once, then enqueued.

Working time (bot/domain/workcalendar.py): an occurrence falling on a day off or outside working hours
is sent at the start of the next working period. Nothing remembers that it is held: its sending moment
is a function of the schedule and the calendar, computed afresh at every tick, and its unique key in
`scheduled_runs` is claimed only once that moment has come — in the transaction that enqueues its
messages. So two ticks during the hold send nothing, a restart loses nothing, and of two processes
ticking together only one sends it. «Напомнить позже» (snoozes) is a stored moment held the same way.

An admin's «remind now» (/remind) is a person's explicit action: it goes at once, whatever the hour.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from bot.config import Settings
from bot.domain import ResolutionStatus, Role
from bot.domain.errors import DomainError
from bot.domain.schedule import reminder_time
from bot.domain.scope import REGION, ViewScope
from bot.domain.workcalendar import SnoozeDelay, WorkCalendar, snooze_moment
from bot.services.intents import Recipient, Reminder, ReminderKind
from bot.services.ports import MessageRenderer
from bot.services.workcalendar import load_calendar
from storage.models import Person, ReminderSnooze, Resolution
from storage.repositories import Repositories
from storage.repositories.schedule import OpenItem


@dataclass(frozen=True)
class ReminderBatch:
    organizations: int
    messages: int


@dataclass(frozen=True)
class ManualAccount:
    """/remind's one account, the same on the confirmation and in the result: organizations with open
    items, and how many of them have nobody registered (they get no message)."""

    open_orgs: int
    unstaffed: int
    messages: int = 0
    local: bool = False  # a municipal authority's account: its own invitations are made with /invite

    @property
    def organizations(self) -> int:
        """The organizations a reminder reaches."""
        return self.open_orgs - self.unstaffed


@dataclass(frozen=True)
class SnoozeOffer:
    """What «Напомнить позже» offers for one reminder: each choice with the moment it would come."""

    resolution_id: int
    deadline: dt.date
    choices: tuple[tuple[SnoozeDelay, dt.datetime], ...]


class ReminderService:
    def __init__(self, repo: Repositories, settings: Settings, renderer: MessageRenderer) -> None:
        self.repo = repo
        self.settings = settings
        self.renderer = renderer

    async def _by_org(
        self, resolution_id: int | None = None, scope: ViewScope = REGION
    ) -> dict[tuple[int, int], list[OpenItem]]:
        """Open items per (organization, resolution), each with the deadline that binds the organization:
        an approved extension replaces the recommendation's or the resolution's. Only the organizations
        the scope may remind (bot.domain.scope.ViewScope.reminds)."""
        grouped: dict[tuple[int, int], list[OpenItem]] = defaultdict(list)
        own = await self.repo.extensions.own_deadlines()
        for item in await self.repo.schedule.open_items(resolution_id, scope, scope.reminds()):
            moved = own.get((item.org_id, item.rec_id))
            item = replace(item, deadline=moved) if moved else item
            grouped[(item.org_id, item.resolution_id)].append(item)
        return grouped

    async def _send(
        self,
        org_id: int,
        key: str,
        kind: ReminderKind,
        items: list[OpenItem],
        deadline: dt.date | None = None,
        days: int | None = None,
        sender: str | None = None,
    ) -> tuple[int, int]:
        """One reminder to every member of the organization: (members, messages newly enqueued)."""
        members = await self.repo.people.members_of(org_id)
        intents = [
            Reminder(Recipient.of(person), f"{key}:p{person.id}", kind, tuple(items), deadline, days, sender)
            for person in members
        ]
        if not intents:
            return 0, 0
        return len(intents), await self.repo.outbox.enqueue(self.renderer.rows(intents))

    async def deadline_reminders(self, now: dt.datetime, horizon: dt.datetime) -> ReminderBatch:
        """For each organization and deadline, the latest reminder point already passed is sent once."""
        orgs = messages = 0
        calendar = await load_calendar(self.repo, self.settings)
        for (org_id, _res_id), items in (await self._by_org()).items():
            by_deadline: dict[dt.date, list[OpenItem]] = defaultdict(list)
            for item in items:
                if item.deadline is not None:
                    by_deadline[item.deadline].append(item)
            for deadline, open_items in by_deadline.items():
                target = f"org:{org_id}:deadline:{deadline.isoformat()}"
                days = await self._claim_deadline_point(target, deadline, now, horizon, calendar)
                if days is None:
                    continue
                days_left = max((deadline - now.astimezone(self.settings.tz).date()).days, 0)
                key = f"remind:{target}:d-{days}"
                kind = ReminderKind.DEADLINE
                _, sent = await self._send(org_id, key, kind, open_items, deadline, days_left)
                messages += sent
                orgs += 1
        return ReminderBatch(orgs, messages)

    async def _claim_deadline_point(
        self, target: str, deadline: dt.date, now: dt.datetime, horizon: dt.datetime, calendar: WorkCalendar
    ) -> int | None:
        """The reminder point (days before) to send now, or None: claims every point whose (working)
        sending moment passed since the horizon, and only the one nearest the deadline is worth a
        message. A point due in quiet time is not due before the next working period starts."""
        tz = self.settings.tz
        if now >= dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(), tzinfo=tz):
            return None
        send_at = {
            days: calendar.next_working_moment(reminder_time(deadline, days, tz))
            for days in self.settings.reminder_days
        }
        due = sorted(days for days, moment in send_at.items() if horizon <= moment <= now)
        claimed = [
            days
            for days in due
            if await self.repo.schedule.claim("reminder", target, f"d-{days}", send_at[days])
        ]
        return due[0] if due and due[0] in claimed else None

    async def silence_nudges(self, now: dt.datetime, horizon: dt.datetime) -> ReminderBatch:
        """Every NUDGE_AFTER_DAYS of silence an organization with open items is nudged once."""
        step = dt.timedelta(days=self.settings.nudge_after_days)
        calendar = await load_calendar(self.repo, self.settings)
        orgs = messages = 0
        for (org_id, res_id), items in (await self._by_org()).items():
            published = items[0].published_at
            if published is None:
                continue
            anchor = max(published, await self.repo.schedule.last_activity(org_id, res_id) or published)
            silent_for = now - anchor
            if silent_for < step:
                continue
            round_number = silent_for // step
            # Held to working time; the key below stays the round's, so a held nudge is claimed once.
            due_at = calendar.next_working_moment(anchor + step * round_number)
            if not horizon <= due_at <= now:
                continue
            target = f"org:{org_id}:res:{res_id}"
            period = f"silence:{anchor.isoformat()}:{round_number}"
            if not await self.repo.schedule.claim("nudge", target, period, due_at):
                continue
            key = f"nudge:{target}:{period}"
            _, sent = await self._send(org_id, key, ReminderKind.NUDGE, items, days=silent_for.days)
            messages += sent
            orgs += 1
        return ReminderBatch(orgs, messages)

    async def choices(self, scope: ViewScope) -> list[Resolution]:
        """The published resolutions /remind offers: for a municipal authority, those that speak to its
        institutions."""
        kinds = scope.reminds()
        published = await self.repo.resolutions.published()
        return [r for r in published if kinds is None or any(g.kind in kinds for g in r.groups)]

    async def _published(self, resolution_id: int) -> Resolution:
        resolution = await self.repo.resolutions.get(resolution_id)
        if resolution is None or resolution.status is not ResolutionStatus.PUBLISHED:
            raise DomainError("refused.button")
        return resolution

    async def manual_account(
        self, resolution_id: int, scope: ViewScope = REGION
    ) -> tuple[Resolution, ManualAccount]:
        """What «remind now» would do for a published resolution, before anything is sent."""
        resolution = await self._published(resolution_id)
        open_orgs = unstaffed = 0
        for org_id, _ in await self._by_org(resolution_id, scope):
            open_orgs += 1
            unstaffed += not await self.repo.people.members_of(org_id)
        return resolution, ManualAccount(open_orgs, unstaffed, local=not scope.is_region)

    async def remind_now(
        self, resolution_id: int, key: str, scope: ViewScope = REGION, sender: Person | None = None
    ) -> ManualAccount:
        """«Remind now»: every organization in the scope with open items of this resolution, once per
        click. A municipal authority's reminder names the authority (`sender`'s organization)."""
        resolution = await self._published(resolution_id)
        by_org = await self._by_org(resolution.id, scope)
        signed = sender.organization.name if sender and sender.organization and not scope.is_region else None
        open_orgs = unstaffed = messages = 0
        for (org_id, _), items in by_org.items():
            manual_key = f"manual:{key}:org:{org_id}"
            members, sent = await self._send(org_id, manual_key, ReminderKind.MANUAL, items, sender=signed)
            open_orgs += 1
            unstaffed += not members
            messages += sent
        return ManualAccount(open_orgs, unstaffed, messages, local=not scope.is_region)

    # --- «Напомнить позже» ---------------------------------------------------------------------------

    async def _snoozable(self, person: Person | None, resolution_id: int, deadline: dt.date) -> int:
        """The member's organization, if it still has open items of this resolution due on this date."""
        if person is None or person.role is not Role.MEMBER or person.organization_id is None:
            raise DomainError("refused.button")
        items = (await self._by_org(resolution_id)).get((person.organization_id, resolution_id), [])
        if not any(item.deadline == deadline for item in items):
            raise DomainError("snooze.nothing_open")
        return person.organization_id

    async def snooze_offer(
        self, person: Person | None, resolution_id: int, deadline: dt.date, now: dt.datetime
    ) -> SnoozeOffer:
        await self._snoozable(person, resolution_id, deadline)
        calendar = await load_calendar(self.repo, self.settings)
        choices = tuple(
            (delay, moment)
            for delay in SnoozeDelay
            if (moment := snooze_moment(delay, now, deadline, calendar)) is not None
        )
        if not choices:
            raise DomainError("snooze.too_late")
        return SnoozeOffer(resolution_id, deadline, choices)

    async def snooze(
        self, person: Person, resolution_id: int, deadline: dt.date, delay: SnoozeDelay, now: dt.datetime
    ) -> dt.datetime:
        """Stores the organization's «later» (the latest choice wins) and returns when it will come."""
        org_id = await self._snoozable(person, resolution_id, deadline)
        moment = snooze_moment(delay, now, deadline, await load_calendar(self.repo, self.settings))
        if moment is None:
            raise DomainError("snooze.too_late")
        await self.repo.snoozes.set(org_id, resolution_id, deadline, moment, person.id, now)
        return moment

    async def snoozed_reminders(self, now: dt.datetime) -> ReminderBatch:
        """Each snooze whose (working) moment has come is claimed once and sent once, with the items
        still open then; none when everything is reported or the regular reminder went out meanwhile."""
        calendar = await load_calendar(self.repo, self.settings)
        orgs = messages = 0
        for snooze in await self.repo.snoozes.due(now):
            send_at = calendar.next_working_moment(snooze.due_at)
            if send_at > now:
                continue
            if not await self.repo.schedule.claim("snooze", f"snooze:{snooze.id}", "once", send_at):
                continue
            await self.repo.snoozes.mark_done(snooze.id, now)
            sent = await self._send_snoozed(snooze, send_at, now)
            orgs += bool(sent)
            messages += sent
        return ReminderBatch(orgs, messages)

    async def _send_snoozed(self, snooze: ReminderSnooze, send_at: dt.datetime, now: dt.datetime) -> int:
        org_id, deadline = snooze.organization_id, snooze.deadline
        grouped = await self._by_org(snooze.resolution_id)
        items = [i for i in grouped.get((org_id, snooze.resolution_id), []) if i.deadline == deadline]
        target = f"org:{org_id}:deadline:{deadline.isoformat()}"
        if not items or await self.repo.schedule.claimed_between("reminder", target, send_at, now):
            return 0
        days_left = max((deadline - now.astimezone(self.settings.tz).date()).days, 0)
        key = f"snooze:{snooze.id}"
        _, sent = await self._send(org_id, key, ReminderKind.DEADLINE, items, deadline, days_left)
        return sent
