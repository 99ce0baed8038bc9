"""Message intents: what a use case wants to tell whom, without a word of the message itself.

A service decides the recipient, the locale, the key that makes the message unique and the data it is
about; the renderer port (ports.py) turns each intent into outbox rows with texts from the catalogs and
the Telegram side's buttons. Plain frozen dataclasses: a test can build and compare them directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from bot.domain import OutboxState, RevisionEvent

if TYPE_CHECKING:
    from bot.services.repeats import Repeat
    from storage.models import AddresseeGroup, Person, Recommendation, Resolution
    from storage.repositories.schedule import OpenItem


@dataclass(frozen=True)
class Recipient:
    """Who gets a message; `locale` None means the department's default (the renderer knows it)."""

    chat_id: int
    person_id: int | None = None
    locale: str | None = None

    @classmethod
    def of(cls, person: Person, locale: str | None = None) -> Recipient:
        return cls(person.telegram_id, person.id, locale or person.language)


@dataclass(frozen=True)
class PublicationIntro:
    """The first message of a publication to one person: which resolution, which groups, what follows."""

    to: Recipient
    dedup_key: str
    batch: str | None
    resolution: Resolution
    groups: tuple[AddresseeGroup, ...]
    org_name: str


@dataclass(frozen=True)
class RecommendationIntent:
    """One recommendation, with the button that opens its report."""

    to: Recipient
    dedup_key: str
    batch: str | None
    resolution: Resolution
    group: AddresseeGroup
    rec: Recommendation
    # The earlier resolution's recommendation this one repeats (year over year), if any.
    repeat: Repeat | None = None


class ReminderKind(StrEnum):
    DEADLINE = "deadline"  # a deadline is near
    NUDGE = "nudge"  # nothing reported for a while
    MANUAL = "manual"  # an admin asked for it


@dataclass(frozen=True)
class Reminder:
    """Open recommendations of one organization and resolution; `deadline`/`days` as the kind needs."""

    to: Recipient
    dedup_key: str
    kind: ReminderKind
    items: tuple[OpenItem, ...]
    deadline: dt.date | None = None
    days: int | None = None
    sender: str | None = None  # a manual reminder from a municipal authority: its name


@dataclass(frozen=True)
class DigestFiles:
    workbook: Path
    chart: Path
    day: dt.date


@dataclass(frozen=True)
class DigestParts:
    """A digest already written in the recipient's locale: its text parts, then the workbook and chart."""

    to: Recipient
    dedup_key: str
    text_parts: tuple[str, ...]
    files: DigestFiles
    # The resolution the digest is about (None: all published), for the button that opens the dashboard.
    resolution_id: int | None = None


@dataclass(frozen=True)
class BatchProgress:
    """Where the delivery of one batch stands: the admin's progress message and the final report."""

    locale: str | None
    title: str
    counts: Mapping[OutboxState, int]
    unreachable_people: int
    finished: bool


@dataclass(frozen=True)
class Undelivered:
    """Someone a batch did not reach; `name`/`org` are None when the person or organization is gone."""

    chat_id: int
    name: str | None
    org: str | None
    state: OutboxState


@dataclass(frozen=True)
class DeliveryReport:
    """The admin's final report of a batch: the summary, then everyone it did not reach."""

    to: Recipient
    dedup_key: str
    progress: BatchProgress
    undelivered: tuple[Undelivered, ...] = field(default=())


@dataclass(frozen=True)
class ReviewDecisionNotice:
    """An official's decision on a report, told to a member of the organization: accepted, returned
    (with the comment and a way to revise it) or reopened (with the reason)."""

    to: Recipient
    dedup_key: str
    event: RevisionEvent
    rec: Recommendation
    note: str | None = None


@dataclass(frozen=True)
class QueuedReport:
    org_name: str
    number: str
    text: str


@dataclass(frozen=True)
class ReviewQueueNotice:
    """New submissions awaiting review, told to an official at most once per interval."""

    to: Recipient
    dedup_key: str
    total: int
    first: tuple[QueuedReport, ...]


@dataclass(frozen=True)
class ExtensionDecided:
    """An official's decision on an organization's request to move a deadline, told to its members."""

    to: Recipient
    dedup_key: str
    approved: bool
    rec: Recommendation
    new_deadline: dt.date
    previous_deadline: dt.date | None
    comment: str | None


@dataclass(frozen=True)
class ExtensionRequested:
    """An organization asks to move a deadline: every official hears of it once, with the card a tap away."""

    to: Recipient
    dedup_key: str
    ext_id: int
    org_name: str
    rec: Recommendation
    current_deadline: dt.date | None
    new_deadline: dt.date
    reason: str


MessageIntent = (
    PublicationIntro
    | RecommendationIntent
    | Reminder
    | DigestParts
    | DeliveryReport
    | ReviewDecisionNotice
    | ReviewQueueNotice
    | ExtensionDecided
    | ExtensionRequested
)
