"""The review loop: officials accept or return submitted reports, reopen accepted ones, and are told of
new submissions in batches. Every decision is a revision of the report and bumps its version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.config import Settings
from bot.domain import ResolutionStatus, ReviewState, RevisionEvent, Role
from bot.domain.errors import DomainError
from bot.services.intents import QueuedReport, Recipient, ReviewDecisionNotice, ReviewQueueNotice
from bot.services.organizations import municipality_code
from bot.services.ports import MessageRenderer
from bot.services.status import ReportCard
from storage.models import Person, Report, ReportRevision, Resolution
from storage.repositories import Repositories
from storage.repositories.reports import QueueFilter

MAX_NOTE = 2000
NOTICE_ITEMS = 5
REVIEWERS = (Role.OFFICIAL, Role.ADMIN)

# What each decision requires of the report and leaves it in.
TRANSITIONS: dict[RevisionEvent, tuple[ReviewState, ReviewState]] = {
    RevisionEvent.ACCEPTED: (ReviewState.PENDING, ReviewState.ACCEPTED),
    RevisionEvent.RETURNED: (ReviewState.PENDING, ReviewState.RETURNED),
    RevisionEvent.REOPENED: (ReviewState.ACCEPTED, ReviewState.PENDING),
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


def require_reviewer(role: Role | None) -> None:
    if role not in REVIEWERS:
        raise DomainError("review.staff_only")


@dataclass(frozen=True)
class QueueView:
    where: QueueFilter
    total: int
    skip: int
    card: ReportCard | None
    resolution: Resolution | None
    municipality: str | None


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

    # --- the queue ---------------------------------------------------------------------------------

    async def filter_for(self, res_id: int, group_id: int, muni_code: str) -> QueueFilter:
        """A filter from button data; a resolution, group or municipality that is not there is refused."""
        if res_id:
            resolution = await self.repo.resolutions.get(res_id)
            if resolution is None or resolution.status is not ResolutionStatus.PUBLISHED:
                raise DomainError("refused.button")
            if group_id and all(g.id != group_id for g in resolution.groups):
                raise DomainError("refused.button")
        elif group_id:
            raise DomainError("refused.button")
        municipality = None
        if muni_code != "-":
            municipality = next(
                (m for m in await self.repo.orgs.municipalities() if municipality_code(m) == muni_code), None
            )
            if municipality is None:
                raise DomainError("refused.button")
        return QueueFilter(res_id or None, group_id or None, municipality)

    async def queue(self, where: QueueFilter, skip: int) -> QueueView:
        """One item of the queue: the oldest after `skip`, wrapping to the start past the end."""
        total = await self.repo.reports.review_count(where)
        skip = skip % total if total else 0
        rows = await self.repo.reports.review_queue(where, skip, 1)
        card = await self._card_of(rows[0][0].id) if rows else None
        return QueueView(where, total, skip, card, await self.resolution(where), where.municipality)

    async def resolution(self, where: QueueFilter) -> Resolution | None:
        return await self.repo.resolutions.get(where.resolution_id) if where.resolution_id else None

    async def published(self) -> list[Resolution]:
        return await self.repo.resolutions.published()

    async def municipalities(self) -> list[str]:
        return await self.repo.orgs.municipalities()

    async def card(self, report_id: int) -> ReportCard:
        return await self._card_of(report_id)

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

    # --- decisions ---------------------------------------------------------------------------------

    async def check_current(
        self, role: Role | None, report_id: int, version: int, event: RevisionEvent
    ) -> ReportCard:
        """Before asking an official for a comment: the report is still as shown and open to `event`."""
        require_reviewer(role)
        report = await self.repo.reports.get(report_id)
        if report is None:
            raise DomainError("review.not_found")
        card = await self._card_of(report_id, report)
        if report.version != version or report.review_state is not TRANSITIONS[event][0]:
            raise StaleReview(card)
        await self._require_published(report)
        return card

    async def _require_published(self, report: Report) -> None:
        """A withdrawn resolution's reports are history: nobody decides on them any more."""
        rec = await self.repo.resolutions.recommendation(report.recommendation_id)
        if rec is None or rec.group.resolution.status is not ResolutionStatus.PUBLISHED:
            raise DomainError("review.withdrawn")

    async def decide(
        self,
        reviewer: Person | None,
        role: Role | None,
        shown: tuple[int, int],
        event: RevisionEvent,
        note: str | None,
        source_key: str,
        now: dt.datetime,
    ) -> Decision:
        """Accept, return or reopen the report `shown` = (id, version) as the official saw it. Idempotent
        by `source_key`; a decision on a changed report raises StaleReview, a repeat of the same
        official's decision DomainError("review.already_done") — neither changes anything."""
        require_reviewer(role)
        report_id, version = shown
        if (done := await self.repo.reports.revision_by_source(source_key)) is not None:
            return Decision(await self._card_of(done.report_id), done.event, 0)
        if event in NOTE_REQUIRED:
            note = normalize_note(note or "", NOTE_REQUIRED[event])
        report = await self.repo.reports.lock(report_id)
        if report is None:
            raise DomainError("review.not_found")
        if report.version != version or report.review_state is not TRANSITIONS[event][0]:
            if self._repeated(report, version, event, reviewer):
                raise DomainError("review.already_done")
            raise StaleReview(await self._card_of(report_id, report))
        await self._require_published(report)
        await self._apply(report, event, note, reviewer, source_key, now)
        card = await self._card_of(report_id, report)
        return Decision(card, event, await self._notify(card, event, note))

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
        reviewer: Person | None,
        source_key: str,
        now: dt.datetime,
    ) -> None:
        before, after = TRANSITIONS[event]
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
                source_key=source_key,
                created_at=now,
            )
        )

    async def _notify(self, card: ReportCard, event: RevisionEvent, note: str | None) -> int:
        """Every member of the organization, once per decision version (the outbox's dedup key)."""
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
            )
            for person in members
        ]
        return await self.repo.outbox.enqueue(self.renderer.rows(intents)) if intents else 0

    # --- notices to officials ----------------------------------------------------------------------

    async def set_muted(self, person: Person | None, role: Role | None, muted: bool) -> bool:
        require_reviewer(role)
        if person is None:
            raise DomainError("review.staff_only")
        person.review_notices_muted = muted
        return muted

    async def announce(self, now: dt.datetime, horizon: dt.datetime) -> int:
        """Each reviewer who is not muted hears of submissions since their last notice, at most once per
        REVIEW_NOTICE_MINUTES; the notice is claimed per interval bucket, so two processes send it once."""
        interval = dt.timedelta(minutes=self.settings.review_notice_minutes)
        bucket = f"b{int(now.timestamp() // interval.total_seconds())}"
        sent = 0
        for role in REVIEWERS:
            for person in await self.repo.people.with_role(role):
                if person.review_notices_muted or person.unreachable_since is not None:
                    continue
                sent += await self._announce_to(person, bucket, interval, now, horizon)
        return sent

    async def _announce_to(
        self, person: Person, bucket: str, interval: dt.timedelta, now: dt.datetime, horizon: dt.datetime
    ) -> int:
        target = f"person:{person.id}"
        last = await self.repo.schedule.latest("review_notice", target)
        if last is not None and last.done_at is not None and now - last.done_at < interval:
            return 0
        total, newest, rows = await self.repo.reports.submitted_after(
            last.due_at if last else horizon, NOTICE_ITEMS
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
