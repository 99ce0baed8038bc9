"""A person's scope (bot.domain.scope.ViewScope) as a condition on Organization, for any query that
lists or counts organizations: the SQL twin of ViewScope.covers_org."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, true

from bot.domain.scope import SUPERVISED_KINDS, ViewScope
from storage.models import Organization


def org_in_scope(scope: ViewScope) -> ColumnElement[bool]:
    """True for the organizations the scope covers: every one for the region; for a municipality its
    municipal bodies and institutions there."""
    if scope.municipality is None:
        return true()
    return and_(
        Organization.kind.in_(sorted(SUPERVISED_KINDS)),
        Organization.municipality == scope.municipality,
    )
