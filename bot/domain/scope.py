"""Who sees which organizations: the region, one municipality, or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import OrgKind, Role

# What a municipal authority supervises in its municipality: itself (and any other municipal body there)
# and the institutions. The department, the institute and «other» bodies answer to the region only.
SUPERVISED_KINDS = frozenset({OrgKind.MUNICIPAL, OrgKind.INSTITUTION})


@dataclass(frozen=True)
class ViewScope:
    """What a person may look at. `municipality` None means the whole region."""

    municipality: str | None = None

    @property
    def is_region(self) -> bool:
        return self.municipality is None

    def covers(self, municipality: str) -> bool:
        return self.municipality is None or municipality == self.municipality

    def covers_kind(self, kind: OrgKind | str) -> bool:
        """Whether organizations of this kind can be in the scope at all (in some municipality)."""
        return self.municipality is None or OrgKind(kind) in SUPERVISED_KINDS

    def covers_org(self, kind: OrgKind | str, municipality: str) -> bool:
        """The region covers every organization; a municipality its municipal bodies and institutions,
        never the department, the institute, «other» bodies, nor another municipality's organizations.
        storage/repositories/scope.py says the same in SQL."""
        return self.covers_kind(kind) and self.covers(municipality)

    def reminds(self) -> frozenset[OrgKind] | None:
        """The kinds /remind reaches: every kind (None) for the region; a municipal authority reminds its
        institutions only (its own authority answers to the department)."""
        return None if self.municipality is None else frozenset({OrgKind.INSTITUTION})

    def oversees(self, kind: OrgKind, municipality: str) -> bool:
        """An organization this scope reminds and invites people for: any one for the region, a
        municipality's own institutions for its authority."""
        kinds = self.reminds()
        return self.covers(municipality) and (kinds is None or kind in kinds)


REGION = ViewScope()


def view_scope(role: Role | None, org_kind: OrgKind | None, org_municipality: str | None) -> ViewScope | None:
    """Department officials and admins see the region; a member of a municipal authority sees its own
    municipality (its authority and the institutions there); everyone else sees nothing (None)."""
    if role in (Role.ADMIN, Role.OFFICIAL):
        return REGION
    if role is Role.MEMBER and org_kind is OrgKind.MUNICIPAL and org_municipality:
        return ViewScope(org_municipality)
    return None
