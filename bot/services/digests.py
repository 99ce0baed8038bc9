"""Digests to officials: on schedule and on demand, always through the outbox, files kept on disk.

The figures are read once per digest run; the text, workbook and chart are then written once per locale
the recipients read, so an English-speaking official gets an English workbook and chart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from bot.config import Settings
from bot.documents import Digest, DigestData, collect_digest, render_digest
from bot.domain import OrgKind, Role
from bot.domain.schedule import latest_cron_occurrence
from bot.domain.scope import ViewScope
from bot.services.intents import DigestFiles, DigestParts, Recipient
from bot.services.ports import MessageRenderer
from bot.texts.i18n import translator
from storage.models import DigestSnapshot, Organization, Person
from storage.repositories import Repositories

SCHEDULED_SCOPE = "scheduled"


@dataclass(frozen=True)
class DigestRequest:
    resolution_id: int | None = None
    municipality: str | None = None
    # Only organizations of these kinds (a municipal authority's digest); None: every kind.
    kinds: tuple[str, ...] | None = None

    @classmethod
    def within(cls, scope: ViewScope, resolution_id: int | None = None) -> DigestRequest:
        """The digest someone with this scope may have: the region's, or their municipality's own."""
        if scope.is_region:
            return cls(resolution_id)
        municipality = scope.municipality or ""
        kinds = tuple(kind.value for kind in OrgKind if scope.covers_org(kind, municipality))
        return cls(resolution_id, municipality, kinds)

    def scope(self, person_id: int | None) -> str:
        who = f"p{person_id}" if person_id is not None else SCHEDULED_SCOPE
        muni = (
            hashlib.sha1((self.municipality or "").encode()).hexdigest()[:8] if self.municipality else "all"
        )
        # A municipal authority's digest counts fewer organizations: its own snapshots, its own changes.
        kinds = ":k" + "".join(sorted(kind[0] for kind in self.kinds)) if self.kinds is not None else ""
        return f"{who}:r{self.resolution_id or 'all'}:m{muni}{kinds}"


class DigestDelivery:
    def __init__(self, settings: Settings, renderer: MessageRenderer) -> None:
        self.settings = settings
        self.renderer = renderer

    async def _collect(
        self, repo: Repositories, request: DigestRequest, scope: str, now: dt.datetime
    ) -> DigestData:
        previous = await repo.session.scalar(
            select(DigestSnapshot.figures)
            .where(DigestSnapshot.scope == scope)
            .order_by(DigestSnapshot.created_at.desc(), DigestSnapshot.id.desc())
            .limit(1)
        )
        today = now.astimezone(self.settings.tz).date()
        data = await collect_digest(
            repo.session,
            request.resolution_id,
            request.municipality,
            today,
            previous,
            request.kinds,
            self.settings.ranking,
            tz=self.settings.tz,
        )
        repo.session.add(DigestSnapshot(scope=scope, figures=data.snapshot, created_at=now))
        return data

    def _locale(self, person: Person) -> str:
        """The locale a person reads, as the catalogs know it (an unknown one falls back to Russian)."""
        return translator(person.language or self.settings.locale).locale

    def _files(self, folder_key: str, locale: str, digest: Digest, day: dt.date) -> DigestFiles:
        """Written before the rows that send them commit; a crash leaves at worst an orphan file."""
        folder = self.settings.digest_dir / folder_key
        folder.mkdir(parents=True, exist_ok=True)
        xlsx, png = folder / f"digest-{locale}.xlsx", folder / f"progress-{locale}.png"
        xlsx.write_bytes(digest.xlsx)
        png.write_bytes(digest.png)
        return DigestFiles(xlsx, png, day)

    async def _intents(
        self,
        data: DigestData,
        people: Iterable[Person],
        folder_key: str,
        key: str,
        day: dt.date,
        resolution_id: int | None = None,
    ) -> list[DigestParts]:
        """Each locale's documents are made once, however many people read them."""
        by_locale: dict[str, list[Person]] = defaultdict(list)
        for person in people:
            by_locale[self._locale(person)].append(person)
        intents: list[DigestParts] = []
        for locale, readers in by_locale.items():
            digest = await render_digest(data, translator(locale))
            files = self._files(folder_key, locale, digest, day)
            parts = tuple(digest.text_parts)
            intents += [
                DigestParts(Recipient.of(p, locale), f"{key}:p{p.id}", parts, files, resolution_id)
                for p in readers
            ]
        return intents

    async def on_demand(
        self, repo: Repositories, person: Person, request: DigestRequest, key: str, now: dt.datetime
    ) -> int:
        data = await self._collect(repo, request, request.scope(person.id), now)
        day = now.astimezone(self.settings.tz).date()
        intents = await self._intents(
            data, [person], f"ondemand-{key}", f"digest:{key}", day, request.resolution_id
        )
        return await repo.outbox.enqueue(self.renderer.rows(intents))

    async def scheduled(self, repo: Repositories, now: dt.datetime, horizon: dt.datetime) -> int:
        """The latest cron occurrence since the horizon, once: the region's digest to every official, and
        each municipal authority's own digest to its members."""
        occurrence = latest_cron_occurrence(self.settings.digest_cron, self.settings.tz, horizon, now)
        if occurrence is None:
            return 0
        sent = await self._officials(repo, occurrence, now)
        return sent + await self._municipal(repo, occurrence, now)

    async def _officials(self, repo: Repositories, occurrence: dt.datetime, now: dt.datetime) -> int:
        if not await repo.schedule.claim("digest", "officials", occurrence.isoformat(), occurrence):
            return 0
        officials = await repo.people.with_role(Role.OFFICIAL)
        if not officials or not await repo.resolutions.published():
            return 0
        data = await self._collect(repo, DigestRequest(), SCHEDULED_SCOPE, now)
        key = occurrence.strftime("%Y%m%dT%H%M")
        day = occurrence.astimezone(self.settings.tz).date()
        intents = await self._intents(data, officials, f"scheduled-{key}", f"digest:{key}", day)
        return await repo.outbox.enqueue(self.renderer.rows(intents))

    async def _municipal(self, repo: Repositories, occurrence: dt.datetime, now: dt.datetime) -> int:
        """Each municipal authority's members, the digest of their municipality; claimed per authority in
        this transaction, so a second process (or tick) finds the occurrence taken and sends nothing."""
        members: dict[int, tuple[Organization, list[Person]]] = {}
        for person, org in await repo.people.members_of_kinds([OrgKind.MUNICIPAL]):
            if org.municipality:
                members.setdefault(org.id, (org, []))[1].append(person)
        if not members or not await repo.resolutions.published():
            return 0
        key = occurrence.strftime("%Y%m%dT%H%M")
        day = occurrence.astimezone(self.settings.tz).date()
        sent = 0
        for org, people in members.values():
            if not await repo.schedule.claim(
                "digest", f"municipal:{org.id}", occurrence.isoformat(), occurrence
            ):
                continue
            request = DigestRequest.within(ViewScope(org.municipality))
            # Snapshots per authority: two in one municipality each see what changed since their last one.
            data = await self._collect(repo, request, f"{SCHEDULED_SCOPE}:o{org.id}", now)
            if not _has_institution_items(data):
                continue  # nothing of its institutions to tell
            folder = f"scheduled-{key}-m{org.id}"
            intents = await self._intents(data, people, folder, f"digest:{key}:m{org.id}", day)
            sent += await repo.outbox.enqueue(self.renderer.rows(intents))
        return sent


def _has_institution_items(data: DigestData) -> bool:
    """Whether any institution of the digest has a recommendation addressed to it."""
    return any(o.kind == OrgKind.INSTITUTION and o.tally.total for o in data.figures.organizations)
