"""Publishing a resolution: every member of every organization of a group's kind gets its recommendations."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain import OrgKind, ResolutionStatus
from bot.domain.errors import DomainError
from bot.services.intents import MessageIntent, PublicationIntro, Recipient, RecommendationIntent
from bot.services.ports import MessageRenderer
from storage.models import AddresseeGroup, Organization, Person, Resolution
from storage.repositories import Repositories

if TYPE_CHECKING:
    from bot.services.repeats import Repeat


def batch_name(resolution_id: int) -> str:
    return f"pub:{resolution_id}"


@dataclass(frozen=True)
class PublishResult:
    resolution: Resolution
    recipients: int
    messages: int
    organizations_without_people: int


def publication_intents(
    resolution: Resolution,
    groups: list[AddresseeGroup],
    to: Recipient,
    org: Organization,
    batch: str | None,
    repeats: Mapping[int, Repeat] | None = None,
) -> list[MessageIntent]:
    """One introduction, then one message per recommendation, each with its report button."""
    if not groups or not any(g.recommendations for g in groups):
        return []
    person = to.person_id
    intents: list[MessageIntent] = [
        PublicationIntro(
            to, f"res:{resolution.id}:intro:p{person}", batch, resolution, tuple(groups), org.name
        )
    ]
    intents.extend(
        RecommendationIntent(
            to, f"rec:{rec.id}:p{person}", batch, resolution, group, rec, (repeats or {}).get(rec.id)
        )
        for group in groups
        for rec in group.recommendations
    )
    return intents


class PublicationService:
    def __init__(self, repo: Repositories, renderer: MessageRenderer) -> None:
        self.repo = repo
        self.renderer = renderer

    async def plan(self, resolution: Resolution) -> tuple[list[MessageIntent], PublishResult]:
        """Every message the publication would send, and the figures the admin confirms."""
        batch = batch_name(resolution.id)
        by_kind: dict[OrgKind, list[AddresseeGroup]] = defaultdict(list)
        for group in resolution.groups:
            by_kind[group.kind].append(group)
        intents: list[MessageIntent] = []
        staffed: set[int] = set()
        members = await self.repo.people.members_of_kinds(list(by_kind))
        repeats = await self._repeats([resolution])
        for person, org in members:
            staffed.add(org.id)
            to = Recipient.of(person)
            intents.extend(publication_intents(resolution, by_kind[org.kind], to, org, batch, repeats))
        orgs = await self.repo.orgs.active_of_kinds(list(by_kind))
        unstaffed = sum(1 for o in orgs if o.id not in staffed)
        return intents, PublishResult(resolution, len(members), len(intents), unstaffed)

    async def estimate(self, resolution_id: int) -> PublishResult:
        resolution = await self._publishable(resolution_id)
        return (await self.plan(resolution))[1]

    async def publish(self, resolution_id: int, admin_chat_id: int, now: dt.datetime) -> PublishResult:
        resolution = await self._publishable(resolution_id)
        intents, result = await self.plan(resolution)
        resolution.status = ResolutionStatus.PUBLISHED
        resolution.published_at = now
        if intents:
            await self.repo.outbox.add_batch(batch_name(resolution.id), resolution.id, admin_chat_id)
            await self.repo.outbox.enqueue(self.renderer.rows(intents))
        return result

    async def _repeats(self, resolutions: list[Resolution]) -> dict[int, Repeat]:
        """The best shown repeat of each recommendation, for the member's message to mention."""
        # Imported here: the repeats service builds on the resolutions service, which needs this module.
        from bot.services.repeats import repeats_of

        rec_ids = [
            rec.id
            for resolution in resolutions
            for group in resolution.groups
            for rec in group.recommendations
        ]
        found: dict[int, Repeat] = {}
        for repeat in await repeats_of(self.repo, rec_ids):
            found.setdefault(repeat.rec_id, repeat)
        return found

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
        to = Recipient.of(person)
        intents: list[MessageIntent] = []
        published = await self.repo.resolutions.published()
        repeats = await self._repeats(published)
        for resolution in published:
            groups = [g for g in resolution.groups if g.kind == org.kind]
            intents.extend(publication_intents(resolution, groups, to, org, None, repeats))
        return await self.repo.outbox.enqueue(self.renderer.rows(intents)) if intents else 0
