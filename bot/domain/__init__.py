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
