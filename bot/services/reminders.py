"""Reminders before deadlines and nudges after silence: each occurrence claimed once, then enqueued."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from bot.config import Settings
from bot.domain import ResolutionStatus
from bot.domain.errors import DomainError
from bot.domain.schedule import reminder_time
from bot.domain.scope import REGION, ViewScope
from bot.services.intents import Recipient, Reminder, ReminderKind
from bot.services.ports import MessageRenderer
from storage.models import Person, Resolution
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
        for (org_id, _res_id), items in (await self._by_org()).items():
            by_deadline: dict[dt.date, list[OpenItem]] = defaultdict(list)
            for item in items:
                if item.deadline is not None:
                    by_deadline[item.deadline].append(item)
            for deadline, open_items in by_deadline.items():
                target = f"org:{org_id}:deadline:{deadline.isoformat()}"
                days = await self._claim_deadline_point(target, deadline, now, horizon)
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
        self, target: str, deadline: dt.date, now: dt.datetime, horizon: dt.datetime
    ) -> int | None:
        """The reminder point (days before) to send now, or None: claims every point passed since the
        horizon, and only the one nearest the deadline is worth a message."""
        tz = self.settings.tz
        if now >= dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(), tzinfo=tz):
            return None
        due = sorted(
            days
            for days in self.settings.reminder_days
            if horizon <= reminder_time(deadline, days, tz) <= now
        )
        claimed = [
            days
            for days in due
            if await self.repo.schedule.claim(
                "reminder", target, f"d-{days}", reminder_time(deadline, days, tz)
            )
        ]
        return due[0] if due and due[0] in claimed else None

    async def silence_nudges(self, now: dt.datetime, horizon: dt.datetime) -> ReminderBatch:
        """Every NUDGE_AFTER_DAYS of silence an organization with open items is nudged once."""
        step = dt.timedelta(days=self.settings.nudge_after_days)
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
            due_at = anchor + step * round_number
            if due_at < horizon:
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
