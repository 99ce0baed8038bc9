"""Reports as rules: the draft a dialog collects, what a submission changes, and when it changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.domain import ReportStatus
from bot.domain.errors import DomainError
from bot.domain.evidence import EvidenceItem, new_evidence

MAX_COMMENT = 2000
MAX_REASON = 1000
MAX_EVIDENCE_ITEMS = 30


@dataclass
class ReportDraft:
    """What a report dialog has collected so far; lives in the FSM data between updates."""

    rec_id: int
    status: ReportStatus | None = None
    reason: str | None = None
    comment: str | None = None  # None: keep the report's current comment
    evidence: list[EvidenceItem] = field(default_factory=list)
    # Ids of the report's attached evidence the member took off: detached on submit, kept in history.
    removed: list[int] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        return {
            "rec_id": self.rec_id,
            "status": self.status.value if self.status else None,
            "reason": self.reason,
            "comment": self.comment,
            "evidence": [item.to_data() for item in self.evidence],
            "removed": list(self.removed),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ReportDraft:
        status = data.get("status")
        return cls(
            rec_id=int(data["rec_id"]),
            status=ReportStatus(status) if status else None,
            reason=data.get("reason"),
            comment=data.get("comment"),
            evidence=[EvidenceItem.from_data(item) for item in data.get("evidence") or []],
            removed=[int(i) for i in data.get("removed") or []],
        )

    def has_file(self, file_unique_id: str) -> bool:
        return any(item.file_unique_id == file_unique_id for item in self.evidence)

    def room_for(self, count: int) -> bool:
        return len(self.evidence) + count <= MAX_EVIDENCE_ITEMS


@dataclass(frozen=True)
class ReportFields:
    """The part of a report a submission replaces."""

    status: ReportStatus
    comment: str
    reason: str | None


@dataclass(frozen=True)
class Submission:
    fields: ReportFields
    new_evidence: list[EvidenceItem]
    changes: dict[str, Any]


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


def check_done_evidence(draft: ReportDraft, required: bool, attached_proofs: int) -> None:
    """«Выполнено» needs a file, photo or link when the resolution asks for one: either still attached to
    the report (`attached_proofs`, not counting what the draft removes) or added in this draft."""
    if not required or draft.status is not ReportStatus.DONE:
        return
    if attached_proofs or any(item.proves for item in draft.evidence):
        return
    raise DomainError("report.done_needs_evidence")


def submitted_fields(draft: ReportDraft, previous: ReportFields | None) -> ReportFields:
    """The report as the draft leaves it: a reason only for «not applicable», the old comment if kept."""
    if draft.status is None:
        raise DomainError("report.no_status")
    if draft.status is ReportStatus.NOT_APPLICABLE and not draft.reason:
        raise DomainError("report.reason_empty")
    reason = draft.reason if draft.status is ReportStatus.NOT_APPLICABLE else None
    comment = draft.comment if draft.comment is not None else (previous.comment if previous else "")
    return ReportFields(draft.status, comment, reason)


def report_changes(
    previous: ReportFields | None, now: ReportFields, added: int, removed: int = 0
) -> dict[str, Any]:
    """What a revision records as changed: [before, after] per field and the number of new items."""
    changes: dict[str, Any] = {}
    if previous is None or previous.status is not now.status:
        changes["status"] = [previous.status.value if previous else None, now.status.value]
    if (previous.comment if previous else "") != now.comment:
        changes["comment"] = [previous.comment if previous else "", now.comment]
    if (previous.reason if previous else None) != now.reason:
        changes["reason"] = [previous.reason if previous else None, now.reason]
    if added:
        changes["evidence_added"] = added
    if removed:
        changes["evidence_removed"] = removed
    return changes


def plan_submission(
    draft: ReportDraft, previous: ReportFields | None, known_file_ids: set[str], removed: int = 0
) -> Submission:
    """Everything a submission writes, decided without the database; a resubmission of the same report
    with nothing new is refused. `removed`: how many attached items the draft really takes off."""
    fields = submitted_fields(draft, previous)
    added = new_evidence(draft.evidence, known_file_ids)
    changes = report_changes(previous, fields, len(added), removed)
    if previous is not None and not changes:
        raise DomainError("report.nothing_changed")
    return Submission(fields, added, changes)
