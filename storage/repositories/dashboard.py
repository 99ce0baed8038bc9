"""Queries behind the officials' dashboard: the overview's counts, one page of the matrix, one organization,
one recommendation.

Everything is limited by the caller's scope (bot.domain.scope): a municipal authority's member reads only
the municipal authority and the institutions of their municipality, never other kinds of bodies there.
The overview is counted by the database (GROUP BY), never by reading reports into Python: 10,000
organizations × 60 recommendations must answer in well under 300 ms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, String, and_, exists, func, or_, select, type_coerce
from sqlalchemy.orm import aliased

from bot.domain import ExtensionState, ReportStatus
from bot.domain.scope import REGION, ViewScope
from storage.models import (
    DeadlineExtension,
    Evidence,
    Organization,
    Person,
    Report,
    ReportRevision,
)
from storage.repositories.base import Repository
from storage.repositories.scope import org_in_scope


@dataclass(frozen=True)
class Viewer:
    """A person as the dashboard needs them: their role and their organization's kind and place."""

    person_id: int
    role: str
    org_kind: str | None
    municipality: str | None
    language: str | None


# What a municipal authority supervises in its municipality (bot.domain.scope.ViewScope.covers_org).
# A cell that needs no more work: late or not, it is not overdue.
CLOSED = (ReportStatus.DONE.value, ReportStatus.NOT_APPLICABLE.value)


@dataclass(frozen=True)
class MatrixQuery:
    rec_ids: tuple[int, ...]
    kinds: tuple[str, ...]
    scope: ViewScope = REGION
    municipality: str | None = None
    status: str | None = None
    review: str | None = None
    search: str = ""
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class OrgRow:
    org_id: int
    name: str
    municipality: str
    kind: str


@dataclass(frozen=True)
class Cell:
    org_id: int
    rec_id: int
    status: str
    review: str


@dataclass(frozen=True)
class ReportRow:
    report_id: int
    org_id: int
    rec_id: int
    status: str
    review: str
    comment: str
    reason: str | None
    review_comment: str | None
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class EvidenceFile:
    evidence_id: int
    report_id: int
    org_id: int
    municipality: str
    kind: str
    org_kind: str
    file_name: str | None
    mime_type: str | None
    stored_path: str | None
    url: str | None
    text: str | None


@dataclass(frozen=True)
class CellCount:
    """Answers of one municipality (or to one recommendation) in one status and review state."""

    key: Any
    status: str
    review: str
    count: int


class LateOrg(NamedTuple):
    """An organization with `overdue` open cells past their deadline. A tuple: there can be thousands."""

    org_id: int
    name: str
    municipality: str
    overdue: int


@dataclass(frozen=True)
class OwnDeadline:
    """An approved extension: the organization's own deadline for one recommendation, and its answer."""

    org_id: int
    rec_id: int
    deadline: dt.date
    name: str
    municipality: str
    kind: str
    status: str | None


def _kind(column: Any) -> Any:
    return type_coerce(column, String)


def in_scope(scope: ViewScope) -> list[ColumnElement[bool]]:
    """Conditions on Organization for what `scope` covers (the SQL twin of ViewScope.covers_org)."""
    return [] if scope.is_region else [org_in_scope(scope)]


class DashboardRepo(Repository):
    async def viewer(self, telegram_id: int) -> Viewer | None:
        row = (
            await self.session.execute(
                select(
                    Person.id,
                    _kind(Person.role),
                    _kind(Organization.kind),
                    Organization.municipality,
                    Person.language,
                )
                .outerjoin(Organization, Person.organization_id == Organization.id)
                .where(Person.telegram_id == telegram_id)
            )
        ).first()
        return Viewer(*row) if row is not None else None

    async def data_version(self) -> tuple[Any, ...]:
        """Changes whenever a report, a revision or an organization is added or (de)activated: a few
        index lookups, for telling whether figures computed earlier still hold."""
        row = (
            await self.session.execute(
                select(
                    select(func.max(Report.id)).scalar_subquery(),
                    select(func.max(ReportRevision.id)).scalar_subquery(),
                    select(func.max(Organization.id)).scalar_subquery(),
                    select(func.count()).where(Organization.is_active.is_(True)).scalar_subquery(),
                )
            )
        ).one()
        return tuple(row)

    def _no_index(self, column: ColumnElement[int]) -> ColumnElement[int]:
        """On SQLite, a column no index can serve, so the planner walks organizations and reads each
        one's reports from ix_reports_org_status (PostgreSQL's planner weighs this itself)."""
        return column + 0 if self.session.get_bind().dialect.name == "sqlite" else column

    async def organization_counts(self, kinds: Sequence[str], scope: ViewScope) -> dict[tuple[str, str], int]:
        """(municipality, kind) → active organizations in scope: with the recommendations per kind, the
        number of cells, answered or not."""
        stmt = (
            select(Organization.municipality, _kind(Organization.kind), func.count())
            .where(Organization.is_active.is_(True), _kind(Organization.kind).in_(kinds), *in_scope(scope))
            .group_by(Organization.municipality, _kind(Organization.kind))
        )
        return {(place, kind): count for place, kind, count in await self.session.execute(stmt)}

    async def answers_by_municipality(
        self, kind: str, rec_ids: Sequence[int], scope: ViewScope
    ) -> list[CellCount]:
        """Answers of organizations of `kind` to `rec_ids` (addressed to that kind), by municipality,
        status and review state.

        On SQLite counted per organization first: organizations are walked in id order and each one's
        reports read from ix_reports_org_status (organization, status, review state, recommendation) in
        that order, so the inner GROUP BY streams with no sort (a sort of every report would take twice
        as long); only its few rows per organization are grouped again. PostgreSQL hashes the few groups
        at once: there the extra level would double the work.
        """
        if not rec_ids:
            return []
        place = Organization.municipality.label("place")
        status = _kind(Report.status).label("status")
        review = _kind(Report.review_state).label("review")
        stmt = (
            select(place, status, review, func.count().label("cells"))
            .join(Report, Report.organization_id == Organization.id)
            .where(
                Organization.is_active.is_(True),
                _kind(Organization.kind) == kind,
                self._no_index(Report.recommendation_id).in_(rec_ids),
                *in_scope(scope),
            )
        )
        if self.session.get_bind().dialect.name != "sqlite":
            stmt = stmt.group_by(Organization.municipality, Report.status, Report.review_state)
            return [CellCount(*row) for row in await self.session.execute(stmt)]
        org = stmt.group_by(Organization.id, Report.status, Report.review_state).subquery()
        outer = select(org.c.place, org.c.status, org.c.review, func.sum(org.c.cells)).group_by(
            org.c.place, org.c.status, org.c.review
        )
        return [CellCount(*row) for row in await self.session.execute(outer)]

    async def answers_by_recommendation(
        self, kind: str, rec_ids: Sequence[int], scope: ViewScope
    ) -> list[CellCount]:
        """Answers of active organizations of `kind` in scope to `rec_ids`, by recommendation, status and
        review state.

        On SQLite, for the region: every answer to these recommendations, read from ix_reports_rec_status
        alone (no organization looked up), less those of the few organizations that do not count
        (inactive, or of another kind since a group was re-addressed). Looking up the organization of
        each of 480,000 reports would triple the cost.
        """
        if not rec_ids:
            return []
        columns = (Report.recommendation_id, _kind(Report.status), _kind(Report.review_state), func.count())
        keys = (Report.recommendation_id, Report.status, Report.review_state)
        counts = select(*columns).group_by(*keys)
        if self.session.get_bind().dialect.name != "sqlite" or not scope.is_region:
            counted = (
                counts.join(Organization, Report.organization_id == Organization.id)
                .where(Report.recommendation_id.in_(rec_ids))
                .where(Organization.is_active.is_(True), _kind(Organization.kind) == kind, *in_scope(scope))
            )
            return [CellCount(*row) for row in await self.session.execute(counted)]
        found = {
            row[:3]: row[3]
            for row in await self.session.execute(counts.where(Report.recommendation_id.in_(rec_ids)))
        }
        # Reached from the organizations (the +0 keeps SQLite off the recommendation index): few of them.
        others = (
            counts.join(Organization, Report.organization_id == Organization.id)
            .where(self._no_index(Report.recommendation_id).in_(rec_ids))
            .where(or_(Organization.is_active.is_(False), _kind(Organization.kind) != kind))
        )
        for rec_id, status, review, count in await self.session.execute(others):
            found[(rec_id, status, review)] -= count
        return [CellCount(*key, count) for key, count in found.items() if count]

    async def late_organizations(self, kind: str, late_ids: Sequence[int], scope: ViewScope) -> list[LateOrg]:
        """Active organizations of `kind` in scope that have not closed (done or not applicable) every one of
        `late_ids`, the recommendations past their common deadline, with how many are open."""
        if not late_ids:
            return []
        overdue = len(late_ids) - func.count(Report.recommendation_id)
        stmt = (
            select(Organization.id, Organization.name, Organization.municipality, overdue)
            .outerjoin(
                Report,
                and_(
                    Report.organization_id == Organization.id,
                    _kind(Report.status).in_(CLOSED),
                    self._no_index(Report.recommendation_id).in_(late_ids),
                ),
            )
            .where(Organization.is_active.is_(True), _kind(Organization.kind) == kind, *in_scope(scope))
            .group_by(Organization.id, Organization.name, Organization.municipality)
            .having(overdue > 0)
        )
        # Core execution: thousands of plain rows need none of the ORM's per-row bookkeeping.
        connection = await self.session.connection()
        return [LateOrg._make(row) for row in await connection.execute(stmt)]

    async def own_deadlines(self, rec_ids: Sequence[int], scope: ViewScope) -> list[OwnDeadline]:
        """Approved extensions on these recommendations of active organizations in scope, oldest decision
        first (the latest one is the deadline), with the organization's current answer."""
        if not rec_ids:
            return []
        stmt = (
            select(
                DeadlineExtension.organization_id,
                DeadlineExtension.recommendation_id,
                DeadlineExtension.new_deadline,
                Organization.name,
                Organization.municipality,
                _kind(Organization.kind),
                _kind(Report.status),
            )
            .join(Organization, DeadlineExtension.organization_id == Organization.id)
            .outerjoin(
                Report,
                and_(
                    Report.organization_id == DeadlineExtension.organization_id,
                    Report.recommendation_id == DeadlineExtension.recommendation_id,
                ),
            )
            .where(
                DeadlineExtension.state == ExtensionState.APPROVED,
                DeadlineExtension.recommendation_id.in_(rec_ids),
                Organization.is_active.is_(True),
                *in_scope(scope),
            )
            .order_by(DeadlineExtension.decided_at, DeadlineExtension.id)
        )
        return [OwnDeadline(*row) for row in await self.session.execute(stmt)]

    def _matrix_where(self, q: MatrixQuery) -> list[Any]:
        where: list[Any] = [
            Organization.is_active.is_(True),
            _kind(Organization.kind).in_(q.kinds),
            *in_scope(q.scope),
        ]
        if q.municipality is not None:
            where.append(Organization.municipality == q.municipality)
        if q.search:
            where.append(self._name_matches(q.search))
        report_filters: list[Any] = []
        if q.status == "no_answer":
            where.append(
                ~exists().where(
                    Report.organization_id == Organization.id, Report.recommendation_id.in_(q.rec_ids)
                )
            )
        elif q.status is not None:
            report_filters.append(_kind(Report.status) == q.status)
        if q.review is not None:
            report_filters.append(_kind(Report.review_state) == q.review)
        if report_filters:
            where.append(
                exists().where(
                    Report.organization_id == Organization.id,
                    Report.recommendation_id.in_(q.rec_ids),
                    and_(*report_filters),
                )
            )
        return where

    def _name_matches(self, search: str) -> Any:
        if self.session.get_bind().dialect.name != "sqlite":
            return Organization.name.ilike(f"%{like_escape(search)}%", escape="\\")
        # SQLite folds case for ASCII only: Cyrillic is tried as typed, in lower case and capitalised.
        forms = {search, search.lower(), search.capitalize(), search.upper()}
        return or_(*(Organization.name.like(f"%{like_escape(f)}%", escape="\\") for f in forms))

    async def matrix_page(self, q: MatrixQuery) -> tuple[int, list[OrgRow]]:
        """Organizations matching the filters: how many in all, and one page of them."""
        if not q.kinds:
            return 0, []
        where = self._matrix_where(q)
        total = await self.session.scalar(select(func.count()).select_from(Organization).where(*where))
        rows = await self.session.execute(
            select(Organization.id, Organization.name, Organization.municipality, _kind(Organization.kind))
            .where(*where)
            .order_by(Organization.municipality, Organization.name, Organization.id)
            .offset(q.offset)
            .limit(q.limit)
        )
        return int(total or 0), [OrgRow(*row) for row in rows]

    async def cells(self, org_ids: Sequence[int], rec_ids: Sequence[int]) -> list[Cell]:
        if not org_ids or not rec_ids:
            return []
        rows = await self.session.execute(
            select(
                Report.organization_id,
                Report.recommendation_id,
                _kind(Report.status),
                _kind(Report.review_state),
            ).where(Report.organization_id.in_(org_ids), Report.recommendation_id.in_(rec_ids))
        )
        return [Cell(*row) for row in rows]

    async def organization(self, org_id: int) -> OrgRow | None:
        row = (
            await self.session.execute(
                select(
                    Organization.id, Organization.name, Organization.municipality, _kind(Organization.kind)
                ).where(Organization.id == org_id)
            )
        ).first()
        return OrgRow(*row) if row is not None else None

    def _report_columns(self) -> tuple[Any, ...]:
        return (
            Report.id,
            Report.organization_id,
            Report.recommendation_id,
            _kind(Report.status),
            _kind(Report.review_state),
            Report.comment,
            Report.reason,
            Report.review_comment,
            Report.updated_at,
        )

    async def reports_of(self, org_id: int, rec_ids: Sequence[int]) -> list[ReportRow]:
        if not rec_ids:
            return []
        rows = await self.session.execute(
            select(*self._report_columns()).where(
                Report.organization_id == org_id, Report.recommendation_id.in_(rec_ids)
            )
        )
        return [ReportRow(*row) for row in rows]

    async def answers_to(self, rec_id: int, kind: str, scope: ViewScope) -> list[tuple[OrgRow, ReportRow]]:
        stmt = (
            select(
                Organization.id,
                Organization.name,
                Organization.municipality,
                _kind(Organization.kind),
                *self._report_columns(),
            )
            .join(Organization, Report.organization_id == Organization.id)
            .where(
                Report.recommendation_id == rec_id,
                Organization.is_active.is_(True),
                _kind(Organization.kind) == kind,
                *in_scope(scope),
            )
            .order_by(Organization.municipality, Organization.name, Organization.id)
        )
        return [(OrgRow(*row[:4]), ReportRow(*row[4:])) for row in await self.session.execute(stmt)]

    async def organizations_of(self, kind: str, scope: ViewScope) -> list[OrgRow]:
        stmt = (
            select(Organization.id, Organization.name, Organization.municipality, _kind(Organization.kind))
            .where(Organization.is_active.is_(True), _kind(Organization.kind) == kind, *in_scope(scope))
            .order_by(Organization.municipality, Organization.name, Organization.id)
        )
        return [OrgRow(*row) for row in await self.session.execute(stmt)]

    async def evidence_of(self, report_ids: Sequence[int]) -> list[EvidenceFile]:
        if not report_ids:
            return []
        rows = await self.session.execute(
            self._evidence_select().where(Evidence.report_id.in_(report_ids)).order_by(Evidence.id)
        )
        return [EvidenceFile(*row) for row in rows]

    async def evidence(self, evidence_id: int) -> EvidenceFile | None:
        row = (await self.session.execute(self._evidence_select().where(Evidence.id == evidence_id))).first()
        return EvidenceFile(*row) if row is not None else None

    def _evidence_select(self) -> Any:
        return (
            select(
                Evidence.id,
                Evidence.report_id,
                Report.organization_id,
                Organization.municipality,
                _kind(Evidence.kind),
                _kind(Organization.kind).label("org_kind"),
                Evidence.file_name,
                Evidence.mime_type,
                Evidence.stored_path,
                Evidence.url,
                Evidence.text,
            )
            .join(Report, Evidence.report_id == Report.id)
            .join(Organization, Report.organization_id == Organization.id)
        )

    async def history_of(self, report_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Every revision of these reports, oldest first, with the author's name and, for a municipal
        authority's decision, the authority's (`body`; None: the department's or no decision)."""
        if not report_ids:
            return []
        body = aliased(Organization)
        rows = await self.session.execute(
            select(
                ReportRevision.report_id,
                ReportRevision.version,
                _kind(ReportRevision.event),
                _kind(ReportRevision.status),
                ReportRevision.comment,
                ReportRevision.note,
                ReportRevision.created_at,
                Person.full_name,
                body.name,
            )
            .outerjoin(Person, ReportRevision.author_id == Person.id)
            .outerjoin(body, ReportRevision.acting_org_id == body.id)
            .where(ReportRevision.report_id.in_(report_ids))
            .order_by(ReportRevision.created_at, ReportRevision.id)
        )
        keys = ("report_id", "version", "event", "status", "comment", "note", "created_at", "author", "body")
        return [dict(zip(keys, row, strict=True)) for row in rows]


def like_escape(text: str) -> str:
    """User text inside a LIKE pattern matches itself only."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
