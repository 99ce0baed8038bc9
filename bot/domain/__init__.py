"""The vocabulary shared by storage, services and handlers."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    """The kind of body a resolution's addressee group speaks to."""

    DEPARTMENT = "department"
    MUNICIPAL = "municipal"
    INSTITUTE = "institute"
    INSTITUTION = "institution"
    OTHER = "other"


class Role(StrEnum):
    ADMIN = "admin"
    OFFICIAL = "official"
    MEMBER = "member"


class InviteKind(StrEnum):
    MEMBER = "member"
    OFFICIAL = "official"


class ResolutionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class ReportStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"


class EvidenceKind(StrEnum):
    DOCUMENT = "document"
    PHOTO = "photo"
    LINK = "link"
    TEXT = "text"


class ReviewState(StrEnum):
    """Where a submitted report stands with the department, separate from the work status."""

    PENDING = "pending"  # «На проверке»: submitted or resubmitted, nobody has decided yet
    ACCEPTED = "accepted"  # «Принято»
    RETURNED = "returned"  # «Возвращено на доработку», always with the official's comment


class RevisionEvent(StrEnum):
    """What a revision of a report records: the organization's submission or an official's decision."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    REOPENED = "reopened"


class ExtensionState(StrEnum):
    """A request to move one organization's deadline for one recommendation."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
