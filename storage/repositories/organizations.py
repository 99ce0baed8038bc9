from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, exists, func, select, update

from bot.domain import OrgKind
from bot.domain.scope import ViewScope
from storage.models import Organization, Person
from storage.repositories.base import Repository
from storage.repositories.scope import org_in_scope


class OrganizationRepo(Repository):
    async def get(self, org_id: int) -> Organization | None:
        return await self.session.get(Organization, org_id)

    async def by_dedup_key(self, key: str) -> Organization | None:
        return await self.session.scalar(select(Organization).where(Organization.dedup_key == key))

    async def existing_keys(self, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        rows = await self.session.scalars(
            select(Organization.dedup_key).where(Organization.dedup_key.in_(keys))
        )
        return set(rows)

    async def add(self, name: str, kind: OrgKind, municipality: str, dedup_key: str) -> Organization:
        org = Organization(name=name, kind=kind, municipality=municipality, dedup_key=dedup_key)
        self.session.add(org)
        await self.session.flush()
        return org

    async def add_many(self, rows: Sequence[tuple[str, OrgKind, str, str]]) -> int:
        self.session.add_all(
            Organization(name=n, kind=k, municipality=m, dedup_key=key) for n, k, m, key in rows
        )
        await self.session.flush()
        return len(rows)

    def _filtered(
        self, kind: OrgKind | None, municipality: str | None, active_only: bool = False
    ) -> Select[tuple[Organization]]:
        stmt = select(Organization)
        if kind is not None:
            stmt = stmt.where(Organization.kind == kind)
        if municipality is not None:
            stmt = stmt.where(Organization.municipality == municipality)
        if active_only:
            stmt = stmt.where(Organization.is_active.is_(True))
        return stmt

    async def page(
        self, kind: OrgKind | None, municipality: str | None, offset: int, limit: int
    ) -> tuple[list[Organization], int]:
        stmt = self._filtered(kind, municipality)
        total = await self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = await self.session.scalars(
            stmt.order_by(Organization.municipality, Organization.name).offset(offset).limit(limit)
        )
        return list(rows), int(total)

    async def active_of_kinds(self, kinds: Sequence[OrgKind]) -> list[Organization]:
        rows = await self.session.scalars(
            select(Organization).where(Organization.kind.in_(kinds), Organization.is_active.is_(True))
        )
        return list(rows)

    async def all_active(self) -> list[Organization]:
        rows = await self.session.scalars(
            select(Organization).where(Organization.is_active.is_(True)).order_by(Organization.id)
        )
        return list(rows)

    async def municipalities(self) -> list[str]:
        rows = await self.session.scalars(
            select(Organization.municipality).where(Organization.municipality != "").distinct()
        )
        return sorted(rows)

    async def set_active(self, org_id: int, active: bool) -> bool:
        result = await self.session.execute(
            update(Organization).where(Organization.id == org_id).values(is_active=active)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def member_count(self, org_id: int) -> int:
        return int(
            await self.session.scalar(select(func.count()).where(Person.organization_id == org_id)) or 0
        )

    async def reach(self, scope: ViewScope, kind: OrgKind) -> tuple[int, list[Organization]]:
        """Active organizations of this kind in the scope: how many, and those nobody has registered in,
        by name."""
        where = (Organization.is_active.is_(True), Organization.kind == kind, org_in_scope(scope))
        total = await self.session.scalar(select(func.count()).select_from(Organization).where(*where))
        nobody = ~exists().where(Person.organization_id == Organization.id)
        rows = await self.session.scalars(
            select(Organization).where(*where, nobody).order_by(Organization.name, Organization.id)
        )
        return int(total or 0), list(rows)
