"""Reminders before deadlines and nudges after silence: each occurrence claimed once, then enqueued."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings
from bot.delivery.outgoing import Outgoing
from bot.telegram.callbacks import ReportOpen
from bot.telegram.text_split import shorten
from bot.telegram.views.delivery import format_day
from bot.texts.i18n import Html, translator
from scheduler.occurrences import reminder_time
from storage.repositories import Repositories
from storage.repositories.schedule import OpenItem

MAX_BUTTONS = 8


@dataclass(frozen=True)
class ReminderBatch:
    organizations: int
    messages: int


def _reminder_rows(
    repo_key: str, items: list[OpenItem], members: list[Any], text_key: str, **params: Any
) -> list[dict[str, Any]]:
    rows = []
    for person in members:
        t = translator(person.language)
        lines = [t(text_key, org=items[0].org_name, resolution=items[0].resolution_title, **params)]
        lines.extend(t("remind.line", number=i.number, text=shorten(i.text, 120)) for i in items[:20])
        if len(items) > 20:
            lines.append(t("remind.more", count=len(items) - 20))
        lines.append(t("remind.hint"))
        buttons = [
            [InlineKeyboardButton(text=f"📝 {i.number}", callback_data=ReportOpen(rec_id=i.rec_id).pack())]
            for i in items[:MAX_BUTTONS]
        ]
        rows.append(
            Outgoing(
                dedup_key=f"{repo_key}:p{person.id}",
                chat_id=person.telegram_id,
                person_id=person.id,
                text=Html("\n".join(lines)),
                reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None,
            ).row()
        )
    return rows


class ReminderService:
    def __init__(self, repo: Repositories, settings: Settings) -> None:
        self.repo = repo
        self.settings = settings

    async def _by_org(self, resolution_id: int | None = None) -> dict[tuple[int, int], list[OpenItem]]:
        grouped: dict[tuple[int, int], list[OpenItem]] = defaultdict(list)
        for item in await self.repo.schedule.open_items(resolution_id):
            grouped[(item.org_id, item.resolution_id)].append(item)
        return grouped

    async def deadline_reminders(self, now: dt.datetime, horizon: dt.datetime) -> ReminderBatch:
        """For each organization and deadline, the latest reminder point already passed is sent once."""
        tz = self.settings.tz
        orgs = messages = 0
        for (org_id, _res_id), items in (await self._by_org()).items():
            by_deadline: dict[dt.date, list[OpenItem]] = defaultdict(list)
            for item in items:
                if item.deadline is not None:
                    by_deadline[item.deadline].append(item)
            for deadline, open_items in by_deadline.items():
                end_of_deadline = dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(), tzinfo=tz)
                if now >= end_of_deadline:
                    continue
                due = [
                    days
                    for days in self.settings.reminder_days
                    if horizon <= reminder_time(deadline, days, tz) <= now
                ]
                if not due:
                    continue
                target = f"org:{org_id}:deadline:{deadline.isoformat()}"
                # Claim every passed point; only the nearest to the deadline is worth a message.
                claimed = [
                    days
                    for days in sorted(due)
                    if await self.repo.schedule.claim(
                        "reminder", target, f"d-{days}", reminder_time(deadline, days, tz)
                    )
                ]
                if not claimed or min(due) not in claimed:
                    continue
                days_left = max((deadline - now.astimezone(tz).date()).days, 0)
                members = await self.repo.people.members_of(org_id)
                rows = _reminder_rows(
                    f"remind:{target}:d-{min(due)}",
                    open_items,
                    members,
                    "remind.deadline",
                    date=format_day(deadline),
                    days=days_left,
                )
                messages += await self.repo.outbox.enqueue(rows) if rows else 0
                orgs += 1
        return ReminderBatch(orgs, messages)

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
            members = await self.repo.people.members_of(org_id)
            rows = _reminder_rows(
                f"nudge:{target}:{period}", items, members, "remind.nudge", days=silent_for.days
            )
            messages += await self.repo.outbox.enqueue(rows) if rows else 0
            orgs += 1
        return ReminderBatch(orgs, messages)

    async def remind_now(self, resolution_id: int, key: str) -> ReminderBatch:
        """An admin's «remind now»: every organization with open items of this resolution, once per click."""
        orgs = messages = 0
        for (org_id, _), items in (await self._by_org(resolution_id)).items():
            members = await self.repo.people.members_of(org_id)
            rows = _reminder_rows(f"manual:{key}:org:{org_id}", items, members, "remind.manual")
            if rows:
                messages += await self.repo.outbox.enqueue(rows)
                orgs += 1
        return ReminderBatch(orgs, messages)
