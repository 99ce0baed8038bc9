"""The review loop: officials accept or return submitted reports, reopen accepted ones, and are told of
new submissions in batches. Every decision is a revision of the report and bumps its version.

Delegated review (bot.domain.delegation): when the department switches it on for a resolution (or
REVIEW_DELEGATION for all that follow the setting), members of a municipal authority decide on their
municipality's institutions' reports through the same queue, scoped; the department still sees
everything and may override them. Every decision records who took it and for which body."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.config import Settings
from bot.domain import OrgKind, ResolutionStatus, ReviewState, RevisionEvent, Role
from bot.domain.delegation import delegation_on, open_from, refusal
from bot.domain.errors import DomainError
from bot.domain.scope import REGION, ViewScope
from bot.services.intents import QueuedReport, Recipient, ReviewDecisionNotice, ReviewQueueNotice
from bot.services.organizations import municipality_code
from bot.services.ports import MessageRenderer
from bot.services.status import ReportCard
from storage.models import Organization, Person, Report, ReportRevision, Resolution
from storage.repositories import Repositories
from storage.repositories.reports import QueueFilter

MAX_NOTE = 2000
NOTICE_ITEMS = 5
REVIEWERS = (Role.OFFICIAL, Role.ADMIN)

# What each decision leaves the report in (what it requires: bot.domain.delegation.open_from).
OUTCOMES: dict[RevisionEvent, ReviewState] = {
    RevisionEvent.ACCEPTED: ReviewState.ACCEPTED,
    RevisionEvent.RETURNED: ReviewState.RETURNED,
    RevisionEvent.REOPENED: ReviewState.PENDING,
}
NOTE_REQUIRED = {RevisionEvent.RETURNED: "review.comment", RevisionEvent.REOPENED: "review.reason"}


class StaleReview(DomainError):
    """The report changed since the official saw it: the decision is refused, the fresh card shown."""

    def __init__(self, card: ReportCard) -> None:
        super().__init__("review.stale")
        self.card = card


def normalize_note(text: str, kind: str) -> str:
    """An official's comment or reason: inner whitespace runs folded, lines kept, never empty."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    note = "\n".join(lines).strip()
    while "\n\n\n" in note:
        note = note.replace("\n\n\n", "\n\n")
    if not note:
        raise DomainError(f"{kind}_empty")
    if len(note) > MAX_NOTE:
        raise DomainError(f"{kind}_too_long", limit=MAX_NOTE, length=len(note))
    return note


def require_reviewer(
    role: Role | None, scope: ViewScope | None = None, kind: OrgKind | None = None
) -> ViewScope:
    """Whose reports the caller may decide on: the region for officials and admins, a municipality for
    a municipal authority's members (what they may decide there is checked per report). Anyone else is
    told who does review: `kind` is the kind of the caller's organization."""
    if role in REVIEWERS:
        return REGION
    if role is Role.MEMBER and scope is not None and not scope.is_region:
        return scope
    raise DomainError(reviewer_refusal(role, kind))


def reviewer_refusal(role: Role | None, kind: OrgKind | None) -> str:
    """What is true for the one refused: an institution's reports may go to its municipal authority
    (if the department delegates them), any other organization's go to the department."""
    if role is not Role.MEMBER:
        return "review.staff_only"
    return "review.institution_refused" if kind is OrgKind.INSTITUTION else "review.member_refused"


def last_by_municipal(revisions: list[ReportRevision]) -> bool:
    """Whether the report's latest decision was a municipal authority's (the department may override)."""
    return bool(revisions) and revisions[-1].acting_org_id is not None


@dataclass(frozen=True)
class QueueView:
    where: QueueFilter
    total: int
    skip: int
    card: ReportCard | None
    resolution: Resolution | None
    municipality: str | None
    scope: ViewScope = REGION
    delegated: bool | None = None  # whether the filtered resolution's review is delegated (None: no filter)


@dataclass(frozen=True)
class MunicipalDecisionsView:
    """One report of a resolution last decided by a municipal authority, for the department to check."""

    resolution: Resolution
    total: int
    skip: int
    card: ReportCard | None


@dataclass(frozen=True)
class Decision:
    card: ReportCard
    event: RevisionEvent
    notified: int


class ReviewService:
    def __init__(self, repo: Repositories, settings: Settings, renderer: MessageRenderer) -> None:
        self.repo = repo
        self.settings = settings
        self.renderer = renderer

    def delegated(self, resolution: Resolution) -> bool:
        return delegation_on(resolution.review_delegation, self.settings.review_delegation)

    # --- the queue ---------------------------------------------------------------------------------

    async def filter_for(
        self, role: Role | None, scope: ViewScope | None, res_id: int, group_id: int, muni_code: str
    ) -> QueueFilter:
        """A filter from button data; a resolution, group or municipality that is not there (or not the
        municipal authority's to review) is refused. A municipal authority with no resolution delegated
        to it is told the department reviews its institutions' reports."""
        scope = require_reviewer(role, scope)
        if not scope.is_region and not res_id and not await self.published(scope):
            raise DomainError("review.department_reviews")
        if res_id:
            await self._check_resolution(scope, res_id, group_id)
        elif group_id:
            raise DomainError("refused.button")
        municipality = await self._municipality(scope, muni_code)
        if not scope.is_region:
            # A municipal authority's queue is its municipality's anyway: no filter by municipality.
            return QueueFilter(
                res_id or None, group_id or None, None, scope.municipality, self.settings.review_delegation
            )
        return QueueFilter(res_id or None, group_id or None, municipality)

    async def _check_resolution(self, scope: ViewScope, res_id: int, group_id: int) -> None:
        resolution = await self.repo.resolutions.get(res_id)
        if resolution is None or resolution.status is not ResolutionStatus.PUBLISHED:
            raise DomainError("refused.button")
        if group_id and all(g.id != group_id for g in resolution.groups):
            raise DomainError("refused.button")
        if not scope.is_region and not self.delegated(resolution):
            raise DomainError("review.not_delegated")

    async def _municipality(self, scope: ViewScope, code: str) -> str | None:
        """The municipality a button's code names ("-": none); one outside the scope is refused."""
        if code == "-":
            return None
        names = await self.municipalities(scope)
        municipality = next((m for m in names if municipality_code(m) == code), None)
        if municipality is None:
            raise DomainError("refused.button")
        return municipality

    async def queue(self, where: QueueFilter, skip: int) -> QueueView:
        """One item of the queue: the oldest after `skip`, wrapping to the start past the end."""
        total = await self.repo.reports.review_count(where)
        skip = skip % total if total else 0
        rows = await self.repo.reports.review_queue(where, skip, 1)
        card = await self._card_of(rows[0][0].id) if rows else None
        scope = REGION if where.supervised is None else ViewScope(where.supervised)
        resolution = await self.resolution(where)
        delegated = self.delegated(resolution) if resolution is not None else None
        return QueueView(where, total, skip, card, resolution, where.municipality, scope, delegated)

    async def resolution(self, where: QueueFilter) -> Resolution | None:
        return await self.repo.resolutions.get(where.resolution_id) if where.resolution_id else None

    async def published(self, scope: ViewScope = REGION) -> list[Resolution]:
        """The resolutions the reviewer's queue covers: a municipal authority's only the delegated ones."""
        resolutions = await self.repo.resolutions.published()
        return resolutions if scope.is_region else [r for r in resolutions if self.delegated(r)]

    async def municipalities(self, scope: ViewScope = REGION) -> list[str]:
        names = await self.repo.orgs.municipalities()
        return [name for name in names if scope.covers(name)]

    def require(self, person: Person | None, role: Role | None, scope: ViewScope | None) -> ViewScope:
        """The reviewer's scope; anyone who does not review is told who does."""
        org = person.organization if person is not None else None
        return require_reviewer(role, scope, OrgKind(org.kind) if org is not None else None)

    async def card(self, role: Role | None, scope: ViewScope | None, report_id: int) -> ReportCard:
        """A report as a reviewer sees it; a municipal authority only its own institutions' (for a
        delegated resolution)."""
        scope = require_reviewer(role, scope)
        card = await self._card_of(report_id)
        assert card.report is not None
        self._require_in_scope(scope, card.org, card.resolution)
        return card

    async def _card_of(self, report_id: int, report: Report | None = None) -> ReportCard:
        report = report or await self.repo.reports.get(report_id)
        if report is None:
            raise DomainError("review.not_found")
        rec = await self.repo.resolutions.recommendation(report.recommendation_id)
        org = await self.repo.orgs.get(report.organization_id)
        if rec is None or org is None:
            raise DomainError("review.not_found")
        revisions = await self.repo.reports.revisions(report.id)
        ids = {r.author_id for r in revisions if r.author_id}
        authors = {pid: p for pid in ids if (p := await self.repo.people.get(pid)) is not None}
        return ReportCard(rec.group.resolution, org, rec, report, revisions, authors)

    def _require_in_scope(self, scope: ViewScope, org: Organization, resolution: Resolution) -> None:
        """Checked before anything of the report is shown or changed: a forged button naming another
        municipality's report learns nothing."""
        key = refusal(scope, org.kind, org.municipality, self.delegated(resolution))
        if key is not None:
            raise DomainError(key)

    # --- decisions ---------------------------------------------------------------------------------

    async def check_current(
        self, role: Role | None, scope: ViewScope | None, report_id: int, version: int, event: RevisionEvent
    ) -> ReportCard:
        """Before asking for a comment: the report is the reviewer's, still as shown and open to `event`."""
        scope = require_reviewer(role, scope)
        report = await self.repo.reports.get(report_id)
        if report is None:
            raise DomainError("review.not_found")
        card = await self._card_of(report_id, report)
        self._require_in_scope(scope, card.org, card.resolution)
        if report.version != version or not self._open(scope, report, card.revisions, event):
            raise StaleReview(card)
        await self._require_published(report)
        return card

    @staticmethod
    def _open(
        scope: ViewScope, report: Report, revisions: list[ReportRevision], event: RevisionEvent
    ) -> bool:
        return report.review_state in open_from(event, scope.is_region, last_by_municipal(revisions))

    async def _require_published(self, report: Report) -> None:
        """A withdrawn resolution's reports are history: nobody decides on them any more."""
        rec = await self.repo.resolutions.recommendation(report.recommendation_id)
        if rec is None or rec.group.resolution.status is not ResolutionStatus.PUBLISHED:
            raise DomainError("review.withdrawn")

    async def decide(
        self,
        reviewer: Person | None,
        role: Role | None,
        scope: ViewScope | None,
        shown: tuple[int, int],
        event: RevisionEvent,
        note: str | None,
        source_key: str,
        now: dt.datetime,
    ) -> Decision:
        """Accept, return or reopen the report `shown` = (id, version) as the reviewer saw it (an official,
        or a municipal authority's member within their `scope`). Idempotent by `source_key`; a decision on
        a changed report raises StaleReview, a repeat of the same reviewer's decision
        DomainError("review.already_done"), a report outside a municipal authority's remit a DomainError
        saying so — none changes anything."""
        scope = require_reviewer(role, scope)
        report_id, version = shown
        if (done := await self.repo.reports.revision_by_source(source_key)) is not None:
            return Decision(await self.card(role, scope, done.report_id), done.event, 0)
        if event in NOTE_REQUIRED:
            note = normalize_note(note or "", NOTE_REQUIRED[event])
        report = await self.repo.reports.lock(report_id)
        if report is None:
            raise DomainError("review.not_found")
        before = await self._card_of(report_id, report)
        self._require_in_scope(scope, before.org, before.resolution)
        if report.version != version or not self._open(scope, report, list(report.revisions), event):
            if self._repeated(report, version, event, reviewer):
                raise DomainError("review.already_done")
            raise StaleReview(before)
        await self._require_published(report)
        # Under delegation the decision is the reviewer's municipal authority's (the scope came from it).
        body = None if scope.is_region or reviewer is None else reviewer.organization
        await self._apply(report, event, note, (reviewer, body), source_key, now)
        card = await self._card_of(report_id, report)
        return Decision(card, event, await self._notify(card, event, note, body.name if body else None))

    @staticmethod
    def _repeated(report: Report, version: int, event: RevisionEvent, reviewer: Person | None) -> bool:
        """The next version is this official's same decision: a second tap, not a conflict."""
        following = next((r for r in report.revisions if r.version == version + 1), None)
        return (
            following is not None
            and following.event is event
            and reviewer is not None
            and following.author_id == reviewer.id
        )

    async def _apply(
        self,
        report: Report,
        event: RevisionEvent,
        note: str | None,
        by: tuple[Person | None, Organization | None],
        source_key: str,
        now: dt.datetime,
    ) -> None:
        """Record the decision; `by` is the reviewer and the body they decided for (None: the department)."""
        reviewer, body = by
        before, after = report.review_state, OUTCOMES[event]
        report.version += 1
        report.review_state = after
        report.reviewed_by = reviewer.id if reviewer else None
        report.reviewed_at = now
        report.review_comment = note if event is RevisionEvent.RETURNED else None
        await self.repo.reports.add_revision(
            ReportRevision(
                report_id=report.id,
                version=report.version,
                status=report.status,
                comment=report.comment,
                reason=report.reason,
                changes={"review_state": [before.value, after.value]},
                event=event,
                review_state=after,
                note=note,
                author_id=reviewer.id if reviewer else None,
                acting_org_id=body.id if body else None,
                # Set, not left to a lazy load: histories name the body right after the decision.
                acting_org=body,
                source_key=source_key,
                created_at=now,
            )
        )

    async def _notify(
        self, card: ReportCard, event: RevisionEvent, note: str | None, body: str | None
    ) -> int:
        """Every member of the organization, once per decision version (the outbox's dedup key); `body`
        names the municipal authority that decided (None: the department)."""
        report = card.report
        assert report is not None
        members = await self.repo.people.members_of(card.org.id)
        intents = [
            ReviewDecisionNotice(
                Recipient.of(person),
                f"review:{report.id}:v{report.version}:p{person.id}",
                event,
                card.rec,
                note,
                body,
            )
            for person in members
        ]
        return await self.repo.outbox.enqueue(self.renderer.rows(intents)) if intents else 0

    async def municipal_decisions(
        self, role: Role | None, scope: ViewScope | None, res_id: int, skip: int
    ) -> MunicipalDecisionsView:
        """The resolution's reports accepted or returned by municipal authorities, newest decision first,
        one at a time (`skip` wraps past the end): only the department checks and overrides them."""
        if not require_reviewer(role, scope).is_region:
            raise DomainError("review.decisions_department_only")
        resolution = await self.repo.resolutions.get(res_id)
        if resolution is None or resolution.status is not ResolutionStatus.PUBLISHED:
            raise DomainError("refused.button")
        total, _ = await self.repo.reports.municipal_decisions(res_id, 0)
        skip = skip % total if total else 0
        _, report_id = await self.repo.reports.municipal_decisions(res_id, skip)
        card = await self._card_of(report_id) if report_id is not None else None
        return MunicipalDecisionsView(resolution, total, skip, card)

    # --- the department's switch ---------------------------------------------------------------------

    async def set_delegation(self, role: Role | None, res_id: int, mode: bool | None) -> Resolution:
        """Delegate a resolution's review to municipal authorities (True), keep it (False) or follow
        REVIEW_DELEGATION (None). Only the department switches it; decisions already taken stay."""
        if role not in REVIEWERS:
            raise DomainError("delegation.staff_only")
        resolution = await self.repo.resolutions.get(res_id)
        if resolution is None or resolution.status is ResolutionStatus.WITHDRAWN:
            raise DomainError("res.not_found")
        resolution.review_delegation = mode
        return resolution

    # --- notices to officials ----------------------------------------------------------------------

    async def set_muted(
        self, person: Person | None, role: Role | None, scope: ViewScope | None, muted: bool
    ) -> bool:
        require_reviewer(role, scope)
        if person is None:
            raise DomainError("review.staff_only")
        person.review_notices_muted = muted
        return muted

    async def announce(self, now: dt.datetime, horizon: dt.datetime) -> int:
        """Each reviewer who is not muted hears of submissions since their last notice, at most once per
        REVIEW_NOTICE_MINUTES; the notice is claimed per interval bucket, so two processes send it once.
        Officials and admins hear of every submission; a municipal authority's members of those in their
        own queue (their institutions', for delegated resolutions), so none when nothing is delegated."""
        interval = dt.timedelta(minutes=self.settings.review_notice_minutes)
        bucket = f"b{int(now.timestamp() // interval.total_seconds())}"
        reviewers = [(p, QueueFilter()) for role in REVIEWERS for p in await self.repo.people.with_role(role)]
        for person, org in await self.repo.people.members_of_kinds([OrgKind.MUNICIPAL]):
            if org.municipality:
                where = QueueFilter(
                    supervised=org.municipality, delegation_default=self.settings.review_delegation
                )
                reviewers.append((person, where))
        sent = 0
        for person, where in reviewers:
            if person.review_notices_muted or person.unreachable_since is not None:
                continue
            sent += await self._announce_to(person, where, bucket, (interval, now, horizon))
        return sent

    async def _announce_to(
        self,
        person: Person,
        where: QueueFilter,
        bucket: str,
        when: tuple[dt.timedelta, dt.datetime, dt.datetime],
    ) -> int:
        """`when` is (the notice interval, now, the horizon before which nothing is announced)."""
        interval, now, horizon = when
        target = f"person:{person.id}"
        last = await self.repo.schedule.latest("review_notice", target)
        if last is not None and last.done_at is not None and now - last.done_at < interval:
            return 0
        total, newest, rows = await self.repo.reports.submitted_after(
            last.due_at if last else horizon, NOTICE_ITEMS, where
        )
        # due_at is the newest submission told of: the next notice counts from there.
        if (
            not total
            or newest is None
            or not await self.repo.schedule.claim("review_notice", target, bucket, newest)
        ):
            return 0
        await self.repo.schedule.mark_done("review_notice", target, bucket, now)
        first = tuple(
            QueuedReport(org.name, f"{rec.group.position}.{rec.position}", rec.text) for _, rec, org in rows
        )
        notice = ReviewQueueNotice(Recipient.of(person), f"review_notice:{person.id}:{bucket}", total, first)
        return await self.repo.outbox.enqueue(self.renderer.rows([notice]))
