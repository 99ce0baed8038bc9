"""SQLAlchemy models: the whole schema, portable between SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.domain import (
    EvidenceKind,
    ExtensionState,
    InviteKind,
    OrgKind,
    OutboxState,
    ReportStatus,
    ResolutionStatus,
    ReviewState,
    RevisionEvent,
    Role,
)
from bot.domain.repeats import LinkState
from bot.domain.workcalendar import DayKind

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every dialect (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _enum(cls: type) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UtcDateTime(), dict[str, Any]: JSON()}


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[OrgKind] = mapped_column(_enum(OrgKind), index=True)
    municipality: Mapped[str] = mapped_column(String(200), default="", index=True)
    # Normalised name + municipality: what "the same organization" means for duplicates.
    dedup_key: Mapped[str] = mapped_column(String(520), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    members: Mapped[list[Person]] = relationship(back_populates="organization")


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str] = mapped_column(String(300))
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(_enum(Role))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(8))
    # Set when Telegram answers 403 (blocked the bot, deactivated); cleared by any new message from them.
    unreachable_since: Mapped[dt.datetime | None] = mapped_column()
    # An official who asked not to be told of new submissions (they still see them in /review).
    review_notices_muted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization | None] = relationship(back_populates="members")


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only a hash is kept: a leaked database must not yield usable links.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[InviteKind] = mapped_column(_enum(InviteKind))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column()
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


class Resolution(Base):
    __tablename__ = "resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    source_name: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[ResolutionStatus] = mapped_column(_enum(ResolutionStatus), default=ResolutionStatus.DRAFT)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    # «Выполнено» only with at least one piece of evidence (file or link); the department may switch it off.
    evidence_required_for_done: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Municipal authorities review their institutions' reports: None follows REVIEW_DELEGATION.
    review_delegation: Mapped[bool | None] = mapped_column(Boolean)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column()

    groups: Mapped[list[AddresseeGroup]] = relationship(
        back_populates="resolution", order_by="AddresseeGroup.position", cascade="all, delete-orphan"
    )


class AddresseeGroup(Base):
    __tablename__ = "addressee_groups"
    __table_args__ = (UniqueConstraint("resolution_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(Text)
    kind: Mapped[OrgKind] = mapped_column(_enum(OrgKind))

    resolution: Mapped[Resolution] = relationship(back_populates="groups")
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="group", order_by="Recommendation.position", cascade="all, delete-orphan"
    )


class Recommendation(Base):
    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("group_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("addressee_groups.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    deadline: Mapped[dt.date | None] = mapped_column(Date)

    group: Mapped[AddresseeGroup] = relationship(back_populates="recommendations")


class OutboxMessage(Base):
    """One message to send. The row is the truth; Telegram only ever hears about it through the pump."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What makes a send unique ("rec:12:person:5"): enqueuing it again is a no-op.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    batch: Mapped[str | None] = mapped_column(String(100), index=True)
    method: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[OutboxState] = mapped_column(_enum(OutboxState), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # NULL means "as soon as possible"; set only when a retry is deferred.
    not_before: Mapped[dt.datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column()


class Report(Base):
    """The current state of one organization's work on one recommendation."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("organization_id", "recommendation_id"),
        # The dashboard counts answers from these alone, in their order (storage/repositories/dashboard.py):
        # by organization, and by recommendation (which also serves every lookup by recommendation).
        Index("ix_reports_org_status", "organization_id", "status", "review_state", "recommendation_id"),
        Index("ix_reports_rec_status", "recommendation_id", "status", "review_state", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"))
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus))
    comment: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The review: every submission is «На проверке» until an official accepts or returns it.
    review_state: Mapped[ReviewState] = mapped_column(
        _enum(ReviewState), default=ReviewState.PENDING, server_default=ReviewState.PENDING.value, index=True
    )
    # When the organization last submitted: the review queue is oldest first by this.
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column()
    review_comment: Mapped[str | None] = mapped_column(Text)

    evidence: Mapped[list[Evidence]] = relationship(back_populates="report", order_by="Evidence.id")
    revisions: Mapped[list[ReportRevision]] = relationship(
        back_populates="report", order_by="ReportRevision.version"
    )


class ReportRevision(Base):
    """Append-only history: every submitted change of a report, with who made it."""

    __tablename__ = "report_revisions"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus))
    comment: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A submission by the organization, or an official's decision on it (with `note`: the comment or reason).
    event: Mapped[RevisionEvent] = mapped_column(
        _enum(RevisionEvent), default=RevisionEvent.SUBMITTED, server_default=RevisionEvent.SUBMITTED.value
    )
    review_state: Mapped[ReviewState] = mapped_column(
        _enum(ReviewState), default=ReviewState.PENDING, server_default=ReviewState.PENDING.value
    )
    note: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # The body a decision was taken for: the municipal authority under delegated review; None is the
    # department. Kept at decision time, so a reviewer moving elsewhere later does not rewrite history.
    acting_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    # The Telegram update that produced it: a redelivered update must not add a second revision.
    source_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="revisions")
    # Loaded with the revisions (only when some decision was a municipal authority's): every history
    # names the body.
    acting_org: Mapped[Organization | None] = relationship(lazy="selectin")


class Evidence(Base):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    revision_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[EvidenceKind] = mapped_column(_enum(EvidenceKind))
    file_id: Mapped[str | None] = mapped_column(String(255))
    file_unique_id: Mapped[str | None] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    stored_path: Mapped[str | None] = mapped_column(String(500))
    sha256: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Taken off the report by a member (a wrong file): the row and the archived file stay, for history.
    removed_at: Mapped[dt.datetime | None] = mapped_column()
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    removed_in_version: Mapped[int | None] = mapped_column(Integer)

    report: Mapped[Report] = relationship(back_populates="evidence")

    @property
    def attached(self) -> bool:
        return self.removed_at is None


class DeadlineExtension(Base):
    """A member's request to move their organization's deadline for one recommendation, and the decision.
    An approved one is that organization's own deadline for it: reminders, "overdue", digests and the
    workbook use the latest approved request over the recommendation's or the resolution's deadline."""

    __tablename__ = "deadline_extensions"
    __table_args__ = (Index("ix_deadline_extensions_org_rec", "organization_id", "recommendation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    new_deadline: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ExtensionState] = mapped_column(
        _enum(ExtensionState), default=ExtensionState.PENDING, index=True
    )
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    decision_comment: Mapped[str | None] = mapped_column(Text)
    # The update that made the request: a redelivered update must not file it twice.
    source_key: Mapped[str | None] = mapped_column(String(100), unique=True)


class FsmRecord(Base):
    """aiogram FSM state and data of one chat/user, so a dialog survives a restart."""

    __tablename__ = "fsm_records"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScheduledRun(Base):
    """One occurrence of a periodic job; the unique key is what makes "due while down" run once."""

    __tablename__ = "scheduled_runs"
    __table_args__ = (UniqueConstraint("job", "target", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(50))
    due_at: Mapped[dt.datetime] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column()


class DigestSnapshot(Base):
    """Figures of the last digest, so the next one can say what changed."""

    __tablename__ = "digest_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(100), index=True)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Lease(Base):
    """A named lock with an expiry: only its holder runs the outbox pump and the scheduler."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[dt.datetime] = mapped_column()


class JournaledUpdate(Base):
    """An update taken from Telegram. Written before Telegram is told the update was received (the next
    getUpdates offset, the webhook's 200) and marked handled in the transaction that handles it, so a
    crash in between leaves it here to be handled at the next start. The handled mark stays while
    Telegram may still send the update again (bot/delivery/update_journal.py): it is not handled twice."""

    __tablename__ = "update_journal"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Replays so far: an update that keeps killing the process is given up after a few.
    replays: Mapped[int] = mapped_column(Integer, default=0)
    handled_at: Mapped[dt.datetime | None] = mapped_column()


class DeliveryBatch(Base):
    """One publication's sends, with the admin message that shows their progress."""

    __tablename__ = "delivery_batches"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id", ondelete="CASCADE"))
    admin_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()


class RecommendationLink(Base):
    """A recommendation that repeats one of an earlier resolution (year over year), found by the texts'
    similarity at import; the admin confirms or unlinks it."""

    __tablename__ = "recommendation_links"
    __table_args__ = (UniqueConstraint("rec_id", "earlier_rec_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rec_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    earlier_rec_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    # Token-set similarity of the two texts, 0..100.
    score: Mapped[int] = mapped_column(Integer)
    state: Mapped[LinkState] = mapped_column(_enum(LinkState), default=LinkState.FOUND)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CalendarDay(Base):
    """An admin's transfer in the production calendar: this date is a day off, or a working day."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[DayKind] = mapped_column(_enum(DayKind))
    # The admin who uploaded the year's file (Telegram id), and when.
    uploaded_by: Mapped[int | None] = mapped_column(BigInteger)
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReminderSnooze(Base):
    """«Напомнить позже»: the organization's deadline reminder for one resolution and deadline comes again
    at `due_at` (held to working time when it is sent), once; `done_at` is set when it went out."""

    __tablename__ = "reminder_snoozes"
    __table_args__ = (Index("ix_reminder_snoozes_pending", "done_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id", ondelete="CASCADE"))
    deadline: Mapped[dt.date] = mapped_column(Date)
    due_at: Mapped[dt.datetime] = mapped_column()
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column()


class ChatMenu(Base):
    """What each chat's command menu and menu button were last set to, as short digests: start-up sends
    only to chats whose menu no longer matches (a role, scope, language or WEBAPP_URL changed). A chat
    without a row has Telegram's defaults, as nothing per chat was ever set."""

    __tablename__ = "chat_menus"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    commands: Mapped[str | None] = mapped_column(String(16))
    button: Mapped[str | None] = mapped_column(String(16))
