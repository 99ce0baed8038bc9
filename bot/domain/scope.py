"""Who sees which organizations: the region, one municipality, or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import OrgKind, Role


@dataclass(frozen=True)
class ViewScope:
    """What a person may look at. `municipality` None means the whole region."""

    municipality: str | None = None

    @property
    def is_region(self) -> bool:
        return self.municipality is None

    def covers(self, municipality: str) -> bool:
        return self.municipality is None or municipality == self.municipality

    def covers_org(self, kind: OrgKind | str, municipality: str) -> bool:
        """The region covers every organization; a municipality only its municipal authority and its
        institutions, never a department, an institute or another body that happens to be there."""
        if self.municipality is None:
            return True
        return OrgKind(kind) in (OrgKind.MUNICIPAL, OrgKind.INSTITUTION) and municipality == self.municipality


REGION = ViewScope()


def view_scope(role: Role | None, org_kind: OrgKind | None, org_municipality: str | None) -> ViewScope | None:
    """Department officials and admins see the region; a member of a municipal authority sees its own
    municipality (its authority and the institutions there); everyone else sees nothing (None)."""
    if role in (Role.ADMIN, Role.OFFICIAL):
        return REGION
    if role is Role.MEMBER and org_kind is OrgKind.MUNICIPAL and org_municipality:
        return ViewScope(org_municipality)
    return None
