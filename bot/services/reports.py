"""Reports: who may report on what, and submitting a draft with its history and evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain import ResolutionStatus, ReviewState, RevisionEvent, Role
from bot.domain.errors import DomainError
from bot.domain.evidence import EvidenceItem
from bot.domain.reports import (
    MAX_EVIDENCE_ITEMS,
    ReportDraft,
    ReportFields,
    Submission,
    plan_submission,
    validate_comment,
    validate_reason,
)
from storage.models import Evidence, Organization, Person, Recommendation, Report, ReportRevision
from storage.repositories import Repositories

__all__ = [
    "MAX_EVIDENCE_ITEMS",
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


def fields_of(report: Report | None) -> ReportFields | None:
    return ReportFields(report.status, report.comment, report.reason) if report else None


def known_files(report: Report | None) -> set[str]:
    return {e.file_unique_id for e in report.evidence if e.file_unique_id} if report else set()


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
        return Target(rec, org, report)

    async def submit(self, person: Person, draft: ReportDraft, source_key: str, now: dt.datetime) -> Report:
        """Idempotent by `source_key`: the same click (or a replayed update) returns the saved report."""
        already = await self.repo.reports.revision_by_source(source_key)
        if already is not None:
            report = await self.repo.reports.get(already.report_id)
            assert report is not None
            return report
        target = await self.target(person, draft.rec_id)
        known = (
            {e.file_unique_id for e in target.report.evidence if e.file_unique_id} if target.report else set()
        )
        plan = plan_submission(draft, fields_of(target.report), known)
        report = await self._save_report(target, plan.fields, person.id, now)
        await self.repo.reports.add_revision(self._revision(report, plan, person.id, source_key, now))
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

    async def addressed_to(
        self, person: Person | None
    ) -> tuple[Organization, list[tuple[Recommendation, Report | None]]]:
        if person is None or person.organization_id is None:
            raise DomainError("report.members_only")
        org = await self.repo.orgs.get(person.organization_id)
        if org is None:
            raise DomainError("report.members_only")
        return org, await self.repo.reports.addressed_to(org.kind, org.id)
