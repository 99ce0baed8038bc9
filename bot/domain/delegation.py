"""Delegated review: when a municipal authority may decide on a report, and which decisions are open.

The department (the region's scope) decides on everything and may override a municipal authority's
decision; a municipal authority decides only on its own municipality's institutions, and only for a
resolution whose review the department delegated."""

from __future__ import annotations

from bot.domain import OrgKind, ReviewState, RevisionEvent
from bot.domain.scope import ViewScope


def delegation_on(override: bool | None, default: bool) -> bool:
    """A resolution's own switch wins; None follows the global setting."""
    return default if override is None else override


def refusal(scope: ViewScope, kind: OrgKind, municipality: str, delegated: bool) -> str | None:
    """None when `scope` may decide on a report of an organization of `kind` in `municipality` for a
    resolution with delegation `delegated`; otherwise the catalog key saying why not."""
    if scope.is_region:
        return None
    # What a municipal authority oversees (its own institutions) is what it may review.
    if not scope.oversees(kind, municipality):
        return "review.not_yours"
    if not delegated:
        return "review.not_delegated"
    return None


def open_from(event: RevisionEvent, by_region: bool, last_by_municipal: bool) -> frozenset[ReviewState]:
    """The review states a report may be in for `event`. Everyone accepts or returns a pending report
    and reopens an accepted one — except that a municipal authority never reopens the department's
    acceptance. The department may also override a municipal authority's last decision: accept what it
    returned, return what it accepted."""
    states = {
        RevisionEvent.ACCEPTED: {ReviewState.PENDING},
        RevisionEvent.RETURNED: {ReviewState.PENDING},
        RevisionEvent.REOPENED: {ReviewState.ACCEPTED} if by_region or last_by_municipal else set(),
    }.get(event, set())
    if by_region and last_by_municipal:
        override = {
            RevisionEvent.ACCEPTED: ReviewState.RETURNED,
            RevisionEvent.RETURNED: ReviewState.ACCEPTED,
        }
        if event in override:
            states.add(override[event])
    return frozenset(states)


DECISIONS = (RevisionEvent.ACCEPTED, RevisionEvent.RETURNED, RevisionEvent.REOPENED)


def open_decisions(state: ReviewState, by_region: bool, last_by_municipal: bool) -> tuple[RevisionEvent, ...]:
    """The decisions a reviewer may take on a report in `state`, in the order the buttons show them."""
    return tuple(e for e in DECISIONS if state in open_from(e, by_region, last_by_municipal))


STANDING = (RevisionEvent.ACCEPTED, RevisionEvent.RETURNED)


def stands_by(state: ReviewState, latest: RevisionEvent | None) -> bool:
    """Whether a report in review `state` stands by its latest revision's decision (accepted or returned:
    «Принято: <кто>, <орган>»); a pending report, or one changed since, waits for one."""
    return state is not ReviewState.PENDING and latest in STANDING
