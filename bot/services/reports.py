"""Reports: who may report on what, the draft a dialog collects, and submitting it with history."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bot.domain import EvidenceKind, ReportStatus, ResolutionStatus, Role
from bot.domain.errors import DomainError
from storage.models import Evidence, Organization, Person, Recommendation, Report, ReportRevision
from storage.repositories import Repositories

MAX_COMMENT = 2000
MAX_REASON = 1000
MAX_TEXT_EVIDENCE = 3000
MAX_EVIDENCE_ITEMS = 30
URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


@dataclass
class ReportDraft:
    """What a report dialog has collected so far; lives in the FSM data between updates."""

    rec_id: int
    status: ReportStatus | None = None
    reason: str | None = None
    comment: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        return {
            "rec_id": self.rec_id,
            "status": self.status.value if self.status else None,
            "reason": self.reason,
            "comment": self.comment,
            "evidence": self.evidence,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ReportDraft:
        status = data.get("status")
        return cls(
            rec_id=int(data["rec_id"]),
            status=ReportStatus(status) if status else None,
            reason=data.get("reason"),
            comment=data.get("comment"),
            evidence=list(data.get("evidence") or []),
        )

    def has_file(self, file_unique_id: str) -> bool:
        return any(e.get("file_unique_id") == file_unique_id for e in self.evidence)


@dataclass(frozen=True)
class Target:
    rec: Recommendation
    org: Organization
    report: Report | None


def validate_comment(text: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError("report.comment_empty")
    if len(text) > MAX_COMMENT:
        raise DomainError("report.comment_too_long", limit=MAX_COMMENT, length=len(text))
    return text


def validate_reason(text: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError("report.reason_empty")
    if len(text) > MAX_REASON:
        raise DomainError("report.reason_too_long", limit=MAX_REASON, length=len(text))
    return text


def text_evidence(text: str) -> list[dict[str, Any]]:
    """Links become link evidence, one each; other text is kept as a note."""
    text = text.strip()
    if not text:
        raise DomainError("report.empty_evidence")
    urls = URL_RE.findall(text)
    if urls:
        return [{"kind": EvidenceKind.LINK.value, "url": url.rstrip(".,;)")} for url in dict.fromkeys(urls)]
    if len(text) > MAX_TEXT_EVIDENCE:
        raise DomainError("report.text_too_long", limit=MAX_TEXT_EVIDENCE, length=len(text))
    return [{"kind": EvidenceKind.TEXT.value, "text": text}]


class ReportService:
    def __init__(self, repo: Repositories) -> None:
        self.repo = repo

    async def target(self, person: Person | None, rec_id: int) -> Target:
        """The recommendation if, and only if, this person may report on it now."""
        if person is None or person.role is not Role.MEMBER or person.organization_id is None:
            raise DomainError("report.members_only")
        org = await self.repo.orgs.get(person.organization_id)
        if org is None or not org.is_active:
            raise DomainError("report.org_inactive")
        rec = await self.repo.resolutions.recommendation(rec_id)
        if rec is None or rec.group.kind != org.kind:
            raise DomainError("report.not_yours")
        if rec.group.resolution.status is not ResolutionStatus.PUBLISHED:
            raise DomainError("report.withdrawn")
        report = await self.repo.reports.for_org_and_rec(org.id, rec.id)
        return Target(rec, org, report)

    async def submit(self, person: Person, draft: ReportDraft, source_key: str, now: dt.datetime) -> Report:
        already = await self.repo.reports.revision_by_source(source_key)
        if already is not None:
            report = await self.repo.reports.get(already.report_id)
            assert report is not None
            return report
        target = await self.target(person, draft.rec_id)
        if draft.status is None:
            raise DomainError("report.no_status")
        if draft.status is ReportStatus.NOT_APPLICABLE and not draft.reason:
            raise DomainError("report.reason_empty")
        reason = draft.reason if draft.status is ReportStatus.NOT_APPLICABLE else None
        report = target.report
        comment = draft.comment if draft.comment is not None else (report.comment if report else "")
        known = {e.file_unique_id for e in report.evidence if e.file_unique_id} if report else set()
        new_items = [
            e for e in draft.evidence if not e.get("file_unique_id") or e["file_unique_id"] not in known
        ]

        changes: dict[str, Any] = {}
        if report is None or report.status is not draft.status:
            changes["status"] = [report.status.value if report else None, draft.status.value]
        if (report.comment if report else "") != comment:
            changes["comment"] = [report.comment if report else "", comment]
        if (report.reason if report else None) != reason:
            changes["reason"] = [report.reason if report else None, reason]
        if new_items:
            changes["evidence_added"] = len(new_items)
        if report is not None and not changes:
            raise DomainError("report.nothing_changed")

        if report is None:
            report = await self.repo.reports.add(
                Report(
                    organization_id=target.org.id,
                    recommendation_id=target.rec.id,
                    status=draft.status,
                    comment=comment,
                    reason=reason,
                    version=1,
                    updated_by=person.id,
                    updated_at=now,
                )
            )
        else:
            report.status = draft.status
            report.comment = comment
            report.reason = reason
            report.version += 1
            report.updated_by = person.id
            report.updated_at = now
        await self.repo.reports.add_revision(
            ReportRevision(
                report_id=report.id,
                version=report.version,
                status=draft.status,
                comment=comment,
                reason=reason,
                changes=changes,
                author_id=person.id,
                source_key=source_key,
                created_at=now,
            )
        )
        await self.repo.reports.add_evidence(
            [
                Evidence(
                    report_id=report.id,
                    revision_version=report.version,
                    kind=EvidenceKind(item["kind"]),
                    file_id=item.get("file_id"),
                    file_unique_id=item.get("file_unique_id"),
                    file_name=item.get("file_name"),
                    mime_type=item.get("mime_type"),
                    file_size=item.get("file_size"),
                    stored_path=item.get("stored_path"),
                    sha256=item.get("sha256"),
                    url=item.get("url"),
                    text=item.get("text"),
                    added_by=person.id,
                    created_at=now,
                )
                for item in new_items
            ]
        )
        return report

    async def addressed_to(
        self, person: Person | None
    ) -> tuple[Organization, list[tuple[Recommendation, Report | None]]]:
        if person is None or person.organization_id is None:
            raise DomainError("report.members_only")
        org = await self.repo.orgs.get(person.organization_id)
        if org is None:
            raise DomainError("report.members_only")
        return org, await self.repo.reports.addressed_to(org.kind, org.id)
