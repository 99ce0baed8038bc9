"""The dashboard's overview figures, counted by the database.

For 10,000 organizations × 60 recommendations the digest engine (bot/documents/figures.py) reads every
report into a matrix: about a second. The overview needs only sums, so it asks for them: per kind of
addressee, answers by municipality, status and review state (a few hundred rows), organizations that
have something overdue (one row each), and the few approved extensions that move a cell's deadline.
The result is what the digest would count: the same Tally, the same overdue rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.documents.figures import Tally
from bot.domain import ReportStatus, ReviewState
from bot.domain.scope import SUPERVISED_KINDS, ViewScope
from storage.repositories.dashboard import CLOSED, CellCount, DashboardRepo, LateOrg
from storage.repositories.digest import GroupInfo, RecInfo


@dataclass
class OverviewFigures:
    overall: Tally = field(default_factory=Tally)
    groups: list[tuple[GroupInfo, Tally]] = field(default_factory=list)
    municipalities: dict[str, Tally] = field(default_factory=dict)
    late: list[LateOrg] = field(default_factory=list)
    # The ranking's population, as the digest's (bot/documents/ranking.py): per named municipality, only
    # the bodies its municipal authority answers for (SUPERVISED_KINDS), never an institute located there.
    ranked: dict[str, Tally] = field(default_factory=dict)
    late_kinds: dict[int, str] = field(default_factory=dict)

    def overdue_by_municipality(self) -> dict[str, int]:
        """Overdue items of the ranking's population, by municipality."""
        cells: dict[str, int] = {}
        for org in self.late:
            if ranked_kind(self.late_kinds.get(org.org_id, "")):
                cells[org.municipality] = cells.get(org.municipality, 0) + org.overdue
        return cells

    def tallies_of(self, place: str, kind: str) -> list[Tally]:
        """The municipality's tallies an answer of `kind` counts in: always the overview's, the ranking's
        only for the bodies a municipal authority answers for in a named municipality."""
        tallies = [self.municipalities.setdefault(place, Tally())]
        if place and ranked_kind(kind):
            tallies.append(self.ranked.setdefault(place, Tally()))
        return tallies


RANKED_KINDS = frozenset(kind.value for kind in SUPERVISED_KINDS)


def ranked_kind(kind: str) -> bool:
    return kind in RANKED_KINDS


def add(tally: Tally, row: CellCount) -> None:
    """Adds `row.count` answers in one status and review state to the tally."""
    status = ReportStatus(row.status)
    setattr(tally, status.value, getattr(tally, status.value) + row.count)
    if row.review == ReviewState.ACCEPTED:
        tally.accepted += row.count
        tally.accepted_done += row.count if status is ReportStatus.DONE else 0
    elif row.review == ReviewState.RETURNED:
        tally.returned += row.count
        tally.returned_done += row.count if status is ReportStatus.DONE else 0


async def count_overview(
    repo: DashboardRepo, groups: list[GroupInfo], recs: list[RecInfo], scope: ViewScope, today: dt.date
) -> OverviewFigures:
    """Figures of these groups and recommendations (all in scope) for the organizations `scope` covers."""
    kind_of = {g.group_id: g.kind for g in groups}
    by_kind: dict[str, list[RecInfo]] = {g.kind: [] for g in groups}
    for rec in recs:
        by_kind[kind_of[rec.group_id]].append(rec)
    counts = await repo.organization_counts(sorted(by_kind), scope)
    figures = OverviewFigures()
    for (place, kind), orgs in sorted(counts.items()):
        for tally in figures.tallies_of(place, kind):
            tally.total += orgs * len(by_kind[kind])
    tallies = {g.group_id: Tally() for g in groups}
    for kind, kind_recs in by_kind.items():
        orgs = sum(n for (_, k), n in counts.items() if k == kind)
        kind_tally = await _count_kind(repo, kind, kind_recs, orgs, figures, scope)
        kind_groups = [g for g in groups if g.kind == kind]
        if len(kind_groups) == 1:
            tallies[kind_groups[0].group_id] += kind_tally
        else:
            await _count_groups(repo, kind, kind_recs, orgs, tallies, scope)
        figures.overall += kind_tally
    figures.groups = [(g, tallies[g.group_id]) for g in groups]
    figures.late = await _late(repo, by_kind, scope, today, figures.late_kinds)
    return figures


async def _count_kind(
    repo: DashboardRepo, kind: str, recs: list[RecInfo], orgs: int, figures: OverviewFigures, scope: ViewScope
) -> Tally:
    """Answers of one kind of body, into its municipalities' tallies; returns the kind's own tally."""
    kind_tally = Tally(total=orgs * len(recs))
    for row in await repo.answers_by_municipality(kind, [r.rec_id for r in recs], scope):
        for tally in figures.tallies_of(row.key, kind):
            add(tally, row)
        add(kind_tally, row)
    return kind_tally


async def _count_groups(
    repo: DashboardRepo,
    kind: str,
    recs: list[RecInfo],
    orgs: int,
    tallies: dict[int, Tally],
    scope: ViewScope,
) -> None:
    """Several groups address this kind (several resolutions): their tallies come by recommendation."""
    group_of = {r.rec_id: r.group_id for r in recs}
    for rec in recs:
        tallies[rec.group_id].total += orgs
    for row in await repo.answers_by_recommendation(kind, list(group_of), scope):
        add(tallies[group_of[row.key]], row)


def _is_late(deadline: dt.date | None, today: dt.date) -> bool:
    return deadline is not None and deadline < today


async def _late(
    repo: DashboardRepo,
    by_kind: dict[str, list[RecInfo]],
    scope: ViewScope,
    today: dt.date,
    kinds: dict[int, str],
) -> list[LateOrg]:
    """Organizations with open cells past the deadline: the common one, or their own where an extension
    was approved (as the digest counts, bot/documents/figures.py). `kinds` gets each one's kind."""
    late: dict[int, LateOrg] = {}
    for kind, recs in by_kind.items():
        late_ids = [r.rec_id for r in recs if _is_late(r.deadline, today)]
        for org in await repo.late_organizations(kind, late_ids, scope):
            late[org.org_id], kinds[org.org_id] = org, kind
    rec_of = {r.rec_id: (kind, r) for kind, recs in by_kind.items() for r in recs}
    # Ordered by decision: the latest approved extension of a cell is its deadline.
    own = {(o.org_id, o.rec_id): o for o in await repo.own_deadlines(list(rec_of), scope)}
    for item in own.values():
        kind, rec = rec_of[item.rec_id]
        if item.kind != kind or item.status in CLOSED:
            continue  # not addressed to this organization, or nothing left to do
        shift = int(_is_late(item.deadline, today)) - int(_is_late(rec.deadline, today))
        if shift:
            found = late.get(item.org_id, LateOrg(item.org_id, item.name, item.municipality, 0))
            late[item.org_id], kinds[item.org_id] = found._replace(overdue=found.overdue + shift), kind
    return [o for o in late.values() if o.overdue > 0]
