"""Reports: who may report on what, and submitting a draft with its history and evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain import ReportStatus, ResolutionStatus, ReviewState, RevisionEvent, Role
from bot.domain.deadlines import effective_deadline
from bot.domain.errors import DomainError
from bot.domain.evidence import EvidenceItem, proves_work
from bot.domain.reports import (
    MAX_EVIDENCE_ITEMS,
    ReportDraft,
    ReportFields,
    Submission,
    check_done_evidence,
    plan_submission,
    validate_comment,
    validate_reason,
)
from storage.models import Evidence, Organization, Person, Recommendation, Report, ReportRevision
from storage.repositories import Repositories

__all__ = [
    "MAX_EVIDENCE_ITEMS",
    "EvidenceStep",
    "Overview",
    "ReportDraft",
    "ReportService",
    "Target",
    "validate_comment",
    "validate_reason",
]


@dataclass(frozen=True)
class Target:
    rec: Recommendation
    org: Organization
    report: Report | None
    own_deadline: dt.date | None = None  # the organization's approved extension, if any

    @property
    def deadline(self) -> dt.date | None:
        return effective_deadline(self.own_deadline, self.rec.deadline, self.rec.group.resolution.deadline)


OPEN = (ReportStatus.NOT_STARTED, ReportStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Overview:
    """An organization's recommendations with their reports and the deadlines that bind it."""

    org: Organization
    items: list[tuple[Recommendation, Report | None]]
    own_deadlines: dict[int, dt.date]  # recommendation id → approved extension
    today: dt.date

    def deadline(self, rec: Recommendation) -> dt.date | None:
        own = self.own_deadlines.get(rec.id)
        return effective_deadline(own, rec.deadline, rec.group.resolution.deadline)

    @staticmethod
    def is_open(report: Report | None) -> bool:
        return report is None or report.status in OPEN

    def is_overdue(self, rec: Recommendation, report: Report | None) -> bool:
        deadline = self.deadline(rec)
        return deadline is not None and deadline < self.today and self.is_open(report)

    def review_counts(self) -> dict[ReviewState, int]:
        counts = dict.fromkeys(ReviewState, 0)
        for _, report in self.items:
            if report is not None:
                counts[report.review_state] += 1
        return counts

    def accepted_done(self) -> int:
        return sum(
            1
            for _, r in self.items
            if r is not None and r.status is ReportStatus.DONE and r.review_state is ReviewState.ACCEPTED
        )


def fields_of(report: Report | None) -> ReportFields | None:
    return ReportFields(report.status, report.comment, report.reason) if report else None


def attached(report: Report | None, removed: list[int] | None = None) -> list[Evidence]:
    """The report's evidence still attached, less what a draft takes off."""
    gone = set(removed or ())
    return [e for e in report.evidence if e.attached and e.id not in gone] if report else []


def known_files(report: Report | None) -> set[str]:
    return {e.file_unique_id for e in attached(report) if e.file_unique_id}


def check_gate(draft: ReportDraft, target: Target) -> None:
    """Refuses a «Выполнено» draft that leaves the report without a file, photo or link, when the
    resolution asks for one."""
    proofs = sum(1 for e in attached(target.report, draft.removed) if proves_work(e.kind))
    check_done_evidence(draft, target.rec.group.resolution.evidence_required_for_done, proofs)


@dataclass(frozen=True)
class EvidenceStep:
    target: Target
    kept: list[Evidence]
    removed: list[Evidence]
    gated: bool  # «Выполнено» with nothing that proves it yet


def evidence_row(item: EvidenceItem, report: Report, author_id: int, now: dt.datetime) -> Evidence:
    return Evidence(
        report_id=report.id,
        revision_version=report.version,
        kind=item.kind,
        file_id=item.file_id,
        file_unique_id=item.file_unique_id,
        file_name=item.file_name,
        mime_type=item.mime_type,
        file_size=item.file_size,
        stored_path=item.stored_path,
        sha256=item.sha256,
        url=item.url,
        text=item.text,
        added_by=author_id,
        created_at=now,
    )


class ReportService:
    def __init__(self, repo: Repositories) -> None:
        self.repo = repo

    async def target(self, person: Person | None, rec_id: int) -> Target:
        """The recommendation if, and only if, this person may report on it now."""
        if person is None or person.role is not Role.MEMBER or person.organization_id is None:
            raise DomainError("report.members_only")
        # One statement: every step of the dialog asks for all of this again.
        org, rec, report = await self.repo.reports.target(person.organization_id, rec_id)
        if org is None or not org.is_active:
            raise DomainError("report.org_inactive")
        if rec is None or rec.group.kind != org.kind:
            raise DomainError("report.not_yours")
        if rec.group.resolution.status is not ResolutionStatus.PUBLISHED:
            raise DomainError("report.withdrawn")
        own = await self.repo.extensions.own_deadlines([org.id], [rec.id])
        return Target(rec, org, report, own.get((org.id, rec.id)))

    async def returned_by(self, report: Report | None) -> str | None:
        """The municipal authority whose return the report stands under (delegated review); None when
        the department returned it, or it is not returned."""
        if report is None or report.review_state is not ReviewState.RETURNED:
            return None
        revisions = await self.repo.reports.revisions(report.id)
        body = revisions[-1].acting_org if revisions else None
        return body.name if body is not None else None

    async def submit(self, person: Person, draft: ReportDraft, source_key: str, now: dt.datetime) -> Report:
        """Idempotent by `source_key`: the same click (or a replayed update) returns the saved report."""
        already = await self.repo.reports.revision_by_source(source_key)
        if already is not None:
            report = await self.repo.reports.get(already.report_id)
            assert report is not None
            return report
        target = await self.target(person, draft.rec_id)
        check_gate(draft, target)
        removing = [e for e in attached(target.report) if e.id in set(draft.removed)]
        # A file taken off and sent again in the same draft is attached anew, not "already known".
        known = known_files(target.report) - {e.file_unique_id for e in removing if e.file_unique_id}
        plan = plan_submission(draft, fields_of(target.report), known, len(removing))
        report = await self._save_report(target, plan.fields, person.id, now)
        await self.repo.reports.add_revision(self._revision(report, plan, person.id, source_key, now))
        for item in removing:
            item.removed_at, item.removed_by, item.removed_in_version = now, person.id, report.version
        await self.repo.reports.add_evidence(
            [evidence_row(i, report, person.id, now) for i in plan.new_evidence]
        )
        return report

    async def _save_report(
        self, target: Target, fields: ReportFields, author_id: int, now: dt.datetime
    ) -> Report:
        report = target.report
        if report is None:
            return await self.repo.reports.add(
                Report(
                    organization_id=target.org.id,
                    recommendation_id=target.rec.id,
                    status=fields.status,
                    comment=fields.comment,
                    reason=fields.reason,
                    version=1,
                    updated_by=author_id,
                    updated_at=now,
                    review_state=ReviewState.PENDING,
                    submitted_at=now,
                )
            )
        # Any (re)submission goes back to review; the last decision stays on record until the next one.
        report.review_state = ReviewState.PENDING
        report.submitted_at = now
        report.status = fields.status
        report.comment = fields.comment
        report.reason = fields.reason
        report.version += 1
        report.updated_by = author_id
        report.updated_at = now
        return report

    @staticmethod
    def _revision(
        report: Report, plan: Submission, author_id: int, source_key: str, now: dt.datetime
    ) -> ReportRevision:
        return ReportRevision(
            report_id=report.id,
            version=report.version,
            status=plan.fields.status,
            comment=plan.fields.comment,
            reason=plan.fields.reason,
            changes=plan.changes,
            event=RevisionEvent.SUBMITTED,
            review_state=ReviewState.PENDING,
            author_id=author_id,
            source_key=source_key,
            created_at=now,
        )

    async def overview(self, person: Person | None, today: dt.date) -> Overview:
        """What /report and /my show: the recommendations, their reports and own deadlines."""
        org, items = await self.addressed_to(person)
        own = await self.repo.extensions.own_deadlines([org.id], [rec.id for rec, _ in items])
        return Overview(org, items, {rec: day for (_, rec), day in own.items()}, today)

    async def evidence_step(self, person: Person, draft: ReportDraft) -> EvidenceStep:
        """What the evidence step shows: the report's attached items (kept and being removed) and whether
        «Выполнено» still needs a file, photo or link."""
        target = await self.target(person, draft.rec_id)
        kept = attached(target.report, draft.removed)
        removed = [e for e in attached(target.report) if e.id in set(draft.removed)]
        try:
            check_gate(draft, target)
            gated = False
        except DomainError:
            gated = True
        return EvidenceStep(target, kept, removed, gated)

    async def ready_to_confirm(self, person: Person, draft: ReportDraft) -> EvidenceStep:
        """The draft at the confirmation step; refused while «Выполнено» lacks evidence."""
        step = await self.evidence_step(person, draft)
        check_gate(draft, step.target)
        return step

    async def remove_attached(self, person: Person, draft: ReportDraft, evidence_id: int) -> EvidenceStep:
        """Marks an attached item to be taken off on submit; only the report's own, still attached items."""
        target = await self.target(person, draft.rec_id)
        if evidence_id not in {e.id for e in attached(target.report, draft.removed)}:
            raise DomainError("report.evidence_not_attached")
        draft.removed.append(evidence_id)
        return await self.evidence_step(person, draft)

    async def addressed_to(
        self, person: Person | None
    ) -> tuple[Organization, list[tuple[Recommendation, Report | None]]]:
        if person is None or person.organization_id is None:
            raise DomainError("report.members_only")
        org = await self.repo.orgs.get(person.organization_id)
        if org is None:
            raise DomainError("report.members_only")
        return org, await self.repo.reports.addressed_to(org.kind, org.id)
