"""Organizations: what a valid one is, what counts as a duplicate, and their cards."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain import OrgKind
from bot.domain.errors import DomainError
from storage.models import Invitation, Organization, Person
from storage.repositories import Repositories

if TYPE_CHECKING:
    from bot.services.org_import import ImportResult

MAX_NAME = 300
MAX_MUNICIPALITY = 200
PAGE_SIZE = 8
_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "«»\"'“”„")


def clean_text(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def dedup_key(name: str, municipality: str) -> str:
    """Case, quotes, «ё» and spacing do not make a different organization."""

    def norm(value: str) -> str:
        return clean_text(value.translate(_QUOTES)).casefold().replace("ё", "е")

    return f"{norm(name)}|{norm(municipality)}"


def municipality_code(municipality: str) -> str:
    """A short stable handle for callback data, which cannot carry long Cyrillic names."""
    return hashlib.sha1(municipality.encode()).hexdigest()[:8]


def validate_name(name: str) -> str:
    name = clean_text(name)
    if not name:
        raise DomainError("org.name_empty")
    if len(name) > MAX_NAME:
        raise DomainError("org.name_too_long", limit=MAX_NAME)
    return name


def validate_municipality(municipality: str) -> str:
    municipality = clean_text(municipality)
    if len(municipality) > MAX_MUNICIPALITY:
        raise DomainError("org.municipality_too_long", limit=MAX_MUNICIPALITY)
    return municipality


@dataclass(frozen=True)
class OrgPage:
    items: list[Organization]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class OrgCard:
    org: Organization
    members: list[Person]
    pending_invites: list[Invitation]


class OrganizationService:
    def __init__(self, repo: Repositories) -> None:
        self.repo = repo

    async def create(self, name: str, kind: OrgKind, municipality: str) -> Organization:
        name = validate_name(name)
        municipality = validate_municipality(municipality)
        key = dedup_key(name, municipality)
        existing = await self.repo.orgs.by_dedup_key(key)
        if existing is not None:
            raise DomainError("org.duplicate", name=existing.name)
        return await self.repo.orgs.add(name, kind, municipality, key)

    async def page(self, kind: OrgKind | None, municipality: str | None, page: int) -> OrgPage:
        page = max(page, 0)
        items, total = await self.repo.orgs.page(kind, municipality, page * PAGE_SIZE, PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        if page >= pages and total:
            return await self.page(kind, municipality, pages - 1)
        return OrgPage(items, total, page, pages)

    async def filtered_page(
        self, kind: OrgKind | None, muni_code: str, page: int
    ) -> tuple[OrgPage, str | None]:
        """A page of the list filtered by kind and by a municipality's code ("-" for any)."""
        municipality = None
        if muni_code != "-":
            municipality = await self.municipality_by_code(muni_code)
            if municipality is None:
                raise DomainError("refused.button")
        return await self.page(kind, municipality, page), municipality

    async def municipalities(self) -> list[str]:
        return await self.repo.orgs.municipalities()

    async def import_table(self, data: bytes, filename: str) -> ImportResult:
        """Organizations from a CSV/XLSX table, in this unit of work: all good rows or none."""
        from bot.services.org_import import import_organizations

        return await import_organizations(self.repo, data, filename)

    async def municipality_by_code(self, code: str) -> str | None:
        for name in await self.repo.orgs.municipalities():
            if municipality_code(name) == code:
                return name
        return None

    async def card(self, org_id: int, now: dt.datetime) -> OrgCard:
        org = await self.repo.orgs.get(org_id)
        if org is None:
            raise DomainError("org.not_found")
        members = await self.repo.people.members_of(org_id)
        pending = await self.repo.invitations.pending_for(org_id, now)
        return OrgCard(org, members, pending)

    async def create_with_card(
        self, name: str, kind: OrgKind, municipality: str, now: dt.datetime
    ) -> OrgCard:
        org = await self.create(name, kind, municipality)
        return await self.card(org.id, now)

    async def switch(self, org_id: int, active: bool, now: dt.datetime) -> OrgCard:
        """Deactivate or reactivate, and the card as it is now."""
        await self.set_active(org_id, active)
        return await self.card(org_id, now)

    async def revoke_invitation(self, invite_id: int, org_id: int, now: dt.datetime) -> OrgCard:
        from bot.services.invitations import revoke_pending

        await revoke_pending(self.repo, invite_id, org_id, now)
        return await self.card(org_id, now)

    async def set_active(self, org_id: int, active: bool) -> Organization:
        org = await self.repo.orgs.get(org_id)
        if org is None:
            raise DomainError("org.not_found")
        org.is_active = active
        await self.repo.session.flush()
        return org
