"""Publishing a resolution: every member of every organization of a group's kind gets its recommendations."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from bot.delivery.outgoing import Outgoing
from bot.domain import OrgKind, ResolutionStatus
from bot.domain.errors import DomainError
from bot.telegram.views.delivery import intro_text, recommendation_text, report_button
from bot.texts.i18n import translator
from storage.models import AddresseeGroup, Organization, Person, Resolution
from storage.repositories import Repositories


def batch_name(resolution_id: int) -> str:
    return f"pub:{resolution_id}"


@dataclass(frozen=True)
class PublishResult:
    resolution: Resolution
    recipients: int
    messages: int
    organizations_without_people: int


def delivery_messages(
    resolution: Resolution, groups: list[AddresseeGroup], person: Person, org: Organization, batch: str | None
) -> list[dict[str, Any]]:
    """One introduction, then one message per recommendation, each with its report button."""
    if not groups or not any(g.recommendations for g in groups):
        return []
    t = translator(person.language)
    common = {"chat_id": person.telegram_id, "person_id": person.id, "batch": batch}
    rows = [
        Outgoing(
            dedup_key=f"res:{resolution.id}:intro:p{person.id}",
            text=intro_text(t, resolution, groups, org.name),
            **common,
        ).row()
    ]
    for group in groups:
        for rec in group.recommendations:
            rows.append(
                Outgoing(
                    dedup_key=f"rec:{rec.id}:p{person.id}",
                    text=recommendation_text(t, resolution, group, rec),
                    reply_markup=report_button(t, rec.id),
                    **common,
                ).row()
            )
    return rows


class PublicationService:
    def __init__(self, repo: Repositories) -> None:
        self.repo = repo

    async def plan(self, resolution: Resolution) -> tuple[list[dict[str, Any]], PublishResult]:
        """Every message the publication would send, and the figures the admin confirms."""
        batch = batch_name(resolution.id)
        by_kind: dict[OrgKind, list[AddresseeGroup]] = defaultdict(list)
        for group in resolution.groups:
            by_kind[group.kind].append(group)
        rows: list[dict[str, Any]] = []
        staffed: set[int] = set()
        members = await self.repo.people.members_of_kinds(list(by_kind))
        for person, org in members:
            staffed.add(org.id)
            rows.extend(delivery_messages(resolution, by_kind[org.kind], person, org, batch))
        orgs = await self.repo.orgs.active_of_kinds(list(by_kind))
        unstaffed = sum(1 for o in orgs if o.id not in staffed)
        return rows, PublishResult(resolution, len(members), len(rows), unstaffed)

    async def estimate(self, resolution_id: int) -> PublishResult:
        resolution = await self._publishable(resolution_id)
        return (await self.plan(resolution))[1]

    async def publish(self, resolution_id: int, admin_chat_id: int, now: dt.datetime) -> PublishResult:
        resolution = await self._publishable(resolution_id)
        rows, result = await self.plan(resolution)
        resolution.status = ResolutionStatus.PUBLISHED
        resolution.published_at = now
        if rows:
            await self.repo.outbox.add_batch(batch_name(resolution.id), resolution.id, admin_chat_id)
            await self.repo.outbox.enqueue(rows)
        return result

    async def _publishable(self, resolution_id: int) -> Resolution:
        resolution = await self.repo.resolutions.get(resolution_id)
        if resolution is None:
            raise DomainError("res.not_found")
        if resolution.status is not ResolutionStatus.DRAFT:
            raise DomainError("res.not_draft")
        if not any(g.recommendations for g in resolution.groups):
            raise DomainError("res.empty")
        return resolution

    async def catch_up(self, person: Person) -> int:
        """Someone who joins after publication gets everything already published for their organization."""
        if person.organization_id is None:
            return 0
        org = await self.repo.orgs.get(person.organization_id)
        if org is None or not org.is_active:
            return 0
        rows: list[dict[str, Any]] = []
        for resolution in await self.repo.resolutions.published():
            groups = [g for g in resolution.groups if g.kind == org.kind]
            rows.extend(delivery_messages(resolution, groups, person, org, None))
        return await self.repo.outbox.enqueue(rows)
