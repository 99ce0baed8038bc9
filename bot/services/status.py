"""What officials browse: progress per group, municipality and organization, down to one report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain import ResolutionStatus
from bot.domain.errors import DomainError
from bot.domain.scope import ViewScope
from bot.services.digests import DigestDelivery, DigestRequest
from bot.services.organizations import municipality_code
from storage.models import (
    AddresseeGroup,
    Evidence,
    Organization,
    Person,
    Recommendation,
    Report,
    ReportRevision,
    Resolution,
)
from storage.repositories import Repositories


@dataclass(frozen=True)
class OrgProgress:
    org_id: int
    name: str
    municipality: str
    total: int
    answered: int
    done: int
    accepted: int = 0  # reports the department accepted, any status
    returned: int = 0
    accepted_done: int = 0  # «Выполнено» and accepted: the headline

    @property
    def awaiting_review(self) -> int:
        return self.answered - self.accepted - self.returned


@dataclass(frozen=True)
class ReportCard:
    resolution: Resolution
    org: Organization
    rec: Recommendation
    report: Report | None
    revisions: list[ReportRevision]
    authors: dict[int, Person]


@dataclass(frozen=True)
class EvidenceBundle:
    """What an official gets from «Получить подтверждения»: the files and what to caption them with."""

    org: Organization
    rec: Recommendation
    items: list[Evidence]
    authors: dict[int, Person]


@dataclass(frozen=True)
class ResolutionProgress:
    resolution: Resolution
    progress: list[OrgProgress]


@dataclass(frozen=True)
class GroupProgress:
    resolution: Resolution
    group: AddresseeGroup
    progress: list[OrgProgress]


@dataclass(frozen=True)
class MunicipalityProgress:
    resolution: Resolution
    name: str
    progress: list[OrgProgress]


class StatusService:
    """Every method takes the caller's scope: what lies outside it is refused («scope.outside»), never
    shown, so a forged button naming another municipality's organization or report changes nothing."""

    def __init__(self, repo: Repositories) -> None:
        self.repo = repo

    async def resolutions(self, scope: ViewScope) -> list[Resolution]:
        listing = await self.repo.resolutions.listing(50)
        return [r for r in listing if r.status is not ResolutionStatus.DRAFT and _addresses(r, scope)]

    async def resolution(self, resolution_id: int, scope: ViewScope) -> Resolution:
        resolution = await self.repo.resolutions.get(resolution_id)
        if resolution is None or resolution.status is ResolutionStatus.DRAFT:
            raise DomainError("res.not_found")
        if not _addresses(resolution, scope):
            raise DomainError("scope.outside")
        return resolution

    async def overview(self, resolution_id: int, scope: ViewScope) -> ResolutionProgress:
        resolution = await self.resolution(resolution_id, scope)
        return ResolutionProgress(resolution, await self.progress(resolution, scope))

    async def group_progress(self, resolution_id: int, group_id: int, scope: ViewScope) -> GroupProgress:
        resolution = await self.resolution(resolution_id, scope)
        group = next((g for g in resolution.groups if g.id == group_id), None)
        if group is None:
            raise DomainError("res.not_found")
        if not scope.covers_kind(group.kind):
            raise DomainError("scope.outside")
        return GroupProgress(resolution, group, await self.progress(resolution, scope, group_id=group.id))

    async def municipality_progress(
        self, resolution_id: int, code: str, scope: ViewScope
    ) -> MunicipalityProgress:
        resolution = await self.resolution(resolution_id, scope)
        name = await self.municipality(code)
        if not scope.covers(name):
            raise DomainError("scope.outside")
        progress = await self.progress(resolution, scope, municipality=name)
        return MunicipalityProgress(resolution, name, progress)

    async def own_municipality(self, resolution_id: int, scope: ViewScope) -> MunicipalityProgress:
        """A municipal authority's view of a resolution: its own municipality, no list of the others."""
        if scope.municipality is None:
            raise DomainError("refused.button")
        resolution = await self.resolution(resolution_id, scope)
        progress = await self.progress(resolution, scope)
        return MunicipalityProgress(resolution, scope.municipality, progress)

    async def org_overview(
        self, resolution_id: int, org_id: int, scope: ViewScope
    ) -> tuple[Resolution, Organization, list[tuple[Recommendation, Report | None]]]:
        resolution = await self.resolution(resolution_id, scope)
        org, items = await self.org_items(resolution, org_id, scope)
        return resolution, org, items

    async def progress(
        self,
        resolution: Resolution,
        scope: ViewScope,
        group_id: int | None = None,
        municipality: str | None = None,
    ) -> list[OrgProgress]:
        groups = [g for g in resolution.groups if group_id is None or g.id == group_id]
        if group_id is not None and not groups:
            raise DomainError("res.not_found")
        kinds = sorted({g.kind.value for g in groups})
        rows = await self.repo.progress.org_progress(resolution.id, kinds, municipality, scope)
        return [OrgProgress(*row) for row in rows]

    async def digest_request(self, resolution_id: int, muni_code: str, scope: ViewScope) -> DigestRequest:
        """What a digest button asks for: 0 is every resolution, "-" the whole region (for a municipal
        authority: its own municipality, and no other may be named)."""
        if not scope.is_region:
            own = municipality_code(scope.municipality or "")
            if muni_code not in ("-", own):
                raise DomainError("refused.button")
            await self._published_or_refuse(resolution_id)
            return DigestRequest.within(scope, resolution_id or None)
        municipality = None
        if muni_code != "-":
            try:
                municipality = await self.municipality(muni_code)
            except DomainError:
                raise DomainError("refused.button") from None
        await self._published_or_refuse(resolution_id)
        return DigestRequest(resolution_id or None, municipality)

    async def digest_municipalities(self, scope: ViewScope) -> list[str]:
        """The municipalities a digest can be made for: the region's choice; a municipal authority has
        its own only and is never shown the list."""
        if not scope.is_region:
            raise DomainError("refused.button")
        return await self.repo.orgs.municipalities()

    async def _published_or_refuse(self, resolution_id: int) -> None:
        if resolution_id:
            resolution = await self.repo.resolutions.get(resolution_id)
            if resolution is None or resolution.status is not ResolutionStatus.PUBLISHED:
                raise DomainError("refused.button")

    async def order_digest(
        self,
        delivery: DigestDelivery,
        person: Person,
        resolution_id: int,
        muni_code: str,
        key: str,
        now: dt.datetime,
        scope: ViewScope,
    ) -> int:
        """An on-demand digest for this person, queued in this unit of work under `key` (once per key);
        a municipal authority's member gets their municipality's digest and nothing wider."""
        request = await self.digest_request(resolution_id, muni_code, scope)
        return await delivery.on_demand(self.repo, person, request, key, now)

    async def municipality(self, code: str) -> str:
        for name in await self.repo.orgs.municipalities():
            if municipality_code(name) == code:
                return name
        raise DomainError("org.not_found")

    async def org_in_scope(self, org_id: int, scope: ViewScope) -> Organization:
        org = await self.repo.orgs.get(org_id)
        if org is None:
            raise DomainError("org.not_found")
        if not scope.covers_org(org.kind, org.municipality):
            raise DomainError("scope.outside")
        return org

    async def org_items(
        self, resolution: Resolution, org_id: int, scope: ViewScope
    ) -> tuple[Organization, list[tuple[Recommendation, Report | None]]]:
        org = await self.org_in_scope(org_id, scope)
        items = [
            (rec, report)
            for rec, report in await self.repo.reports.addressed_to(org.kind, org.id)
            if rec.group.resolution_id == resolution.id
        ]
        if not items:
            raise DomainError("org.not_found")
        return org, items

    async def report_card(self, resolution_id: int, org_id: int, rec_id: int, scope: ViewScope) -> ReportCard:
        resolution = await self.resolution(resolution_id, scope)
        org = await self.org_in_scope(org_id, scope)
        rec = await self.repo.resolutions.recommendation(rec_id)
        if rec is None or rec.group.resolution_id != resolution.id or rec.group.kind != org.kind:
            raise DomainError("org.not_found")
        report = await self.repo.reports.for_org_and_rec(org.id, rec.id)
        revisions = await self.repo.reports.revisions(report.id) if report else []
        author_ids = {r.author_id for r in revisions if r.author_id}
        authors = {pid: p for pid in author_ids if (p := await self.repo.people.get(pid)) is not None}
        return ReportCard(resolution, org, rec, report, revisions, authors)

    async def evidence_bundle(self, report_id: int, scope: ViewScope) -> EvidenceBundle:
        """A report's attached evidence with what a caption names: organization, recommendation, authors."""
        report = await self.report(report_id)
        org = await self.org_in_scope(report.organization_id, scope)
        rec = await self.repo.resolutions.recommendation(report.recommendation_id)
        if rec is None:
            raise DomainError("org.not_found")
        items = [item for item in report.evidence if item.attached]
        author_ids = {item.added_by for item in items if item.added_by}
        authors = {pid: p for pid in author_ids if (p := await self.repo.people.get(pid)) is not None}
        return EvidenceBundle(org, rec, items, authors)

    async def report(self, report_id: int) -> Report:
        report = await self.repo.reports.get(report_id)
        if report is None:
            raise DomainError("org.not_found")
        return report


def _addresses(resolution: Resolution, scope: ViewScope) -> bool:
    """Whether the resolution speaks to any kind of organization the scope covers."""
    if scope.is_region:
        return True
    return any(scope.covers_kind(group.kind) for group in resolution.groups)
