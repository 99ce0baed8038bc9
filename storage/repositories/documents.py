"""Rows for the department's documents: the report on execution, invitation letters, year-over-year links.

Like the digest, nothing here loads one ORM object per report: counts are grouped in SQL, and the lists a
document prints (comments, reasons) are cut per recommendation in SQL with a window function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, String, and_, case, exists, func, select, type_coerce, update

from bot.domain import ExtensionState, OrgKind, ReportStatus, ReviewState
from bot.domain.repeats import SHOWN, LinkState
from storage.models import (
    AddresseeGroup,
    DeadlineExtension,
    Evidence,
    Invitation,
    Organization,
    Person,
    Recommendation,
    RecommendationLink,
    Report,
    Resolution,
)
from storage.repositories.base import Repository


class OrgNote(NamedTuple):
    """One organization's words on one recommendation: an accepted report's comment or a «n/a» reason."""

    rec_id: int
    org_name: str
    municipality: str
    text: str
    # How many such notes the recommendation has in all (only the first few are fetched).
    total: int


class Extension(NamedTuple):
    org_id: int
    rec_id: int
    deadline: dt.date


class Candidate(NamedTuple):
    """An earlier resolution's recommendation a new one may repeat."""

    rec_id: int
    kind: str
    text: str
    resolution_id: int


class LinkRow(NamedTuple):
    link_id: int
    rec_id: int
    earlier_rec_id: int
    state: str
    score: int
    earlier_number: str
    earlier_year: int | None
    earlier_title: str


class EarlierProgress(NamedTuple):
    rec_id: int
    done: int
    not_applicable: int
    addressees: int


class DocumentsRepo(Repository):
    async def review_counts(self, rec_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Reports of active organizations per recommendation and review state."""
        if not rec_ids:
            return {}
        rows = await self.session.execute(
            select(Report.recommendation_id, type_coerce(Report.review_state, String), func.count())
            .join(Organization, Report.organization_id == Organization.id)
            .where(Report.recommendation_id.in_(rec_ids), Organization.is_active.is_(True))
            .group_by(Report.recommendation_id, Report.review_state)
        )
        counts: dict[int, dict[str, int]] = {}
        for rec_id, state, count in rows:
            counts.setdefault(rec_id, {})[state] = count
        return counts

    async def _notes(
        self,
        rec_ids: Sequence[int],
        text_column: ColumnElement[str | None],
        condition: ColumnElement[bool],
        limit: int,
    ) -> list[OrgNote]:
        if not rec_ids:
            return []
        rank = (
            func.row_number()
            .over(
                partition_by=Report.recommendation_id,
                order_by=(Organization.municipality, Organization.name, Organization.id),
            )
            .label("rank")
        )
        total = func.count().over(partition_by=Report.recommendation_id).label("total")
        inner = (
            select(
                Report.recommendation_id,
                Organization.name,
                Organization.municipality,
                text_column.label("note"),
                rank,
                total,
            )
            .join(Organization, Report.organization_id == Organization.id)
            .where(Report.recommendation_id.in_(rec_ids), Organization.is_active.is_(True), condition)
            .subquery()
        )
        rows = await self.session.execute(
            select(inner.c.recommendation_id, inner.c.name, inner.c.municipality, inner.c.note, inner.c.total)
            .where(inner.c.rank <= limit)
            .order_by(inner.c.recommendation_id, inner.c.rank)
        )
        return [OrgNote(*row) for row in rows]

    async def accepted_comments(self, rec_ids: Sequence[int], limit: int) -> list[OrgNote]:
        """What was done: comments of accepted reports, at most `limit` per recommendation."""
        condition = and_(Report.review_state == ReviewState.ACCEPTED, func.trim(Report.comment) != "")
        return await self._notes(rec_ids, Report.comment.expression, condition, limit)

    async def not_applicable_reasons(self, rec_ids: Sequence[int], limit: int) -> list[OrgNote]:
        condition = and_(Report.status == ReportStatus.NOT_APPLICABLE, func.coalesce(Report.reason, "") != "")
        return await self._notes(rec_ids, Report.reason.expression, condition, limit)

    async def approved_extensions(self, rec_ids: Sequence[int]) -> list[Extension]:
        """Each organization's own deadline per recommendation: the latest approved extension."""
        if not rec_ids:
            return []
        latest = (
            select(
                DeadlineExtension.organization_id,
                DeadlineExtension.recommendation_id,
                func.max(DeadlineExtension.id).label("last_id"),
            )
            .where(
                DeadlineExtension.recommendation_id.in_(rec_ids),
                DeadlineExtension.state == ExtensionState.APPROVED,
            )
            .group_by(DeadlineExtension.organization_id, DeadlineExtension.recommendation_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(
                DeadlineExtension.organization_id,
                DeadlineExtension.recommendation_id,
                DeadlineExtension.new_deadline,
            ).join(latest, DeadlineExtension.id == latest.c.last_id)
        )
        return [Extension(*row) for row in rows]

    async def evidence_count(self, rec_ids: Sequence[int]) -> int:
        if not rec_ids:
            return 0
        count = await self.session.scalar(
            select(func.count(Evidence.id))
            .join(Report, Evidence.report_id == Report.id)
            .join(Organization, Report.organization_id == Organization.id)
            .where(Report.recommendation_id.in_(rec_ids), Organization.is_active.is_(True))
        )
        return int(count or 0)

    # --- year over year -----------------------------------------------------------------------------

    async def recommendations_of(self, resolution_id: int) -> list[Candidate]:
        rows = await self.session.execute(
            select(
                Recommendation.id,
                type_coerce(AddresseeGroup.kind, String),
                Recommendation.text,
                AddresseeGroup.resolution_id,
            )
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .where(AddresseeGroup.resolution_id == resolution_id)
            .order_by(AddresseeGroup.position, Recommendation.position)
        )
        return [Candidate(*row) for row in rows]

    async def earlier_candidates(self, resolution_id: int, kinds: Sequence[str]) -> list[Candidate]:
        """Recommendations of the other resolutions adopted before this one, to bodies of these kinds."""
        this = await self.session.get(Resolution, resolution_id)
        stmt = (
            select(
                Recommendation.id,
                type_coerce(AddresseeGroup.kind, String),
                Recommendation.text,
                AddresseeGroup.resolution_id,
            )
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .join(Resolution, AddresseeGroup.resolution_id == Resolution.id)
            .where(Resolution.id != resolution_id, type_coerce(AddresseeGroup.kind, String).in_(kinds))
        )
        if this is not None and this.adopted_on is not None:
            stmt = stmt.where(Resolution.adopted_on < this.adopted_on)
        else:
            stmt = stmt.where(Resolution.id < resolution_id)
        return [Candidate(*row) for row in await self.session.execute(stmt)]

    async def known_links(self, rec_ids: Sequence[int]) -> set[tuple[int, int]]:
        if not rec_ids:
            return set()
        rows = await self.session.execute(
            select(RecommendationLink.rec_id, RecommendationLink.earlier_rec_id).where(
                RecommendationLink.rec_id.in_(rec_ids)
            )
        )
        return {(a, b) for a, b in rows}

    async def add_links(self, links: Sequence[tuple[int, int, int]]) -> None:
        self.session.add_all(
            RecommendationLink(rec_id=rec_id, earlier_rec_id=earlier, score=score, state=LinkState.FOUND)
            for rec_id, earlier, score in links
        )
        await self.session.flush()

    async def links(self, rec_ids: Sequence[int], shown_only: bool = True) -> list[LinkRow]:
        """Links of these recommendations with the earlier one's number, year and resolution title."""
        if not rec_ids:
            return []
        stmt = (
            select(
                RecommendationLink.id,
                RecommendationLink.rec_id,
                RecommendationLink.earlier_rec_id,
                type_coerce(RecommendationLink.state, String),
                RecommendationLink.score,
                AddresseeGroup.position,
                Recommendation.position,
                Resolution.adopted_on,
                Resolution.title,
            )
            .join(Recommendation, RecommendationLink.earlier_rec_id == Recommendation.id)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .join(Resolution, AddresseeGroup.resolution_id == Resolution.id)
            .where(RecommendationLink.rec_id.in_(rec_ids))
            .order_by(RecommendationLink.rec_id, RecommendationLink.score.desc(), RecommendationLink.id)
        )
        if shown_only:
            stmt = stmt.where(RecommendationLink.state.in_(SHOWN))
        rows = await self.session.execute(stmt)
        return [
            LinkRow(link_id, rec, earlier, state, score, f"{g}.{r}", adopted.year if adopted else None, title)
            for link_id, rec, earlier, state, score, g, r, adopted, title in rows
        ]

    async def link(self, link_id: int) -> RecommendationLink | None:
        return await self.session.get(RecommendationLink, link_id)

    async def set_link_state(self, link_id: int, state: LinkState, decided_by: int) -> bool:
        result = await self.session.execute(
            update(RecommendationLink)
            .where(RecommendationLink.id == link_id)
            .values(state=state, decided_by=decided_by)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def earlier_progress(self, rec_ids: Sequence[int]) -> dict[int, EarlierProgress]:
        """How far earlier recommendations got: done and «n/a» reports, and the active addressees."""
        if not rec_ids:
            return {}
        status = type_coerce(Report.status, String)
        reports = await self.session.execute(
            select(
                Report.recommendation_id,
                func.sum(case((status == ReportStatus.DONE.value, 1), else_=0)),
                func.sum(case((status == ReportStatus.NOT_APPLICABLE.value, 1), else_=0)),
            )
            .join(Organization, Report.organization_id == Organization.id)
            .where(Report.recommendation_id.in_(rec_ids), Organization.is_active.is_(True))
            .group_by(Report.recommendation_id)
        )
        tallies = {rec: (int(done or 0), int(na or 0)) for rec, done, na in reports}
        kinds = await self.session.execute(
            select(Recommendation.id, AddresseeGroup.kind)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .where(Recommendation.id.in_(rec_ids))
        )
        per_kind = await self._active_per_kind()
        return {
            rec: EarlierProgress(rec, *tallies.get(rec, (0, 0)), per_kind.get(kind, 0)) for rec, kind in kinds
        }

    async def _active_per_kind(self) -> dict[OrgKind, int]:
        rows = await self.session.execute(
            select(Organization.kind, func.count())
            .where(Organization.is_active.is_(True))
            .group_by(Organization.kind)
        )
        return {kind: count for kind, count in rows}

    # --- invitation letters -------------------------------------------------------------------------

    async def letter_recipients(
        self, kind: OrgKind | None, municipality: str | None, unstaffed_only: bool
    ) -> list[Organization]:
        """Active organizations of the choice, in the order of every listing (municipality, name)."""
        stmt = select(Organization).where(Organization.is_active.is_(True))
        if kind is not None:
            stmt = stmt.where(Organization.kind == kind)
        if municipality is not None:
            stmt = stmt.where(Organization.municipality == municipality)
        if unstaffed_only:
            stmt = stmt.where(~exists().where(Person.organization_id == Organization.id))
        rows = await self.session.scalars(stmt.order_by(Organization.municipality, Organization.name))
        return list(rows)

    async def revoke_unused(self, org_ids: Sequence[int], now: dt.datetime) -> int:
        """Revokes these organizations' invitations nobody has used yet; how many there were."""
        if not org_ids:
            return 0
        result = await self.session.execute(
            update(Invitation)
            .where(
                Invitation.organization_id.in_(org_ids),
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
