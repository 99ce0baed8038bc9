"""Deadline extensions: a member asks to move the organization's deadline for one recommendation; an
official or admin approves it (the organization's own deadline from then on) or denies it with a comment.
Every request stays as a row: the history of who asked what, and who decided how."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain import ExtensionState, ReportStatus, ReviewState, Role
from bot.domain.deadlines import (
    MAX_DECISION_COMMENT,
    MAX_EXTENSION_REASON,
    check_new_deadline,
    parse_new_deadline,
    validate_extension_text,
)
from bot.domain.errors import DomainError
from bot.services.intents import ExtensionDecided, ExtensionRequested, Recipient
from bot.services.ports import MessageRenderer
from bot.services.reports import ReportService, Target
from storage.models import DeadlineExtension, Organization, Person, Recommendation
from storage.repositories import Repositories

PAGE = 8
DECIDERS = (Role.ADMIN, Role.OFFICIAL)
FINISHED = (ReportStatus.DONE, ReportStatus.NOT_APPLICABLE)


@dataclass(frozen=True)
class ExtensionCard:
    """One request as an official sees it: who asks, for what, the deadline in force, earlier requests."""

    extension: DeadlineExtension
    org: Organization
    rec: Recommendation
    current_deadline: dt.date | None
    history: list[DeadlineExtension]
    requester: Person | None = None


@dataclass(frozen=True)
class ExtensionPage:
    cards: list[ExtensionCard]
    total: int
    page: int
    pages: int


class ExtensionService:
    def __init__(self, repo: Repositories, renderer: MessageRenderer) -> None:
        self.repo = repo
        self.renderer = renderer
        self.reports = ReportService(repo)

    # --- the member's side -------------------------------------------------------------------------

    async def requestable(self, person: Person | None, rec_id: int) -> Target:
        """The recommendation, if this member may ask to move its deadline now."""
        target = await self.reports.target(person, rec_id)
        report = target.report
        # Finished work needs no more time, unless the department returned it for rework.
        if report and report.status in FINISHED and report.review_state is not ReviewState.RETURNED:
            raise DomainError("ext.finished")
        if await self.repo.extensions.pending_for(target.org.id, rec_id) is not None:
            raise DomainError("ext.already_pending")
        return target

    async def check_date(self, person: Person | None, rec_id: int, text: str, today: dt.date) -> dt.date:
        target = await self.requestable(person, rec_id)
        return parse_new_deadline(text, today, target.deadline)

    async def request(
        self,
        person: Person,
        rec_id: int,
        new_deadline: dt.date,
        reason_text: str,
        source_key: str,
        now: dt.datetime,
        today: dt.date,
    ) -> DeadlineExtension:
        """Files the request; idempotent by `source_key` (a redelivered update files nothing new)."""
        already = await self.repo.extensions.by_source(source_key)
        if already is not None:
            return already
        reason = validate_extension_text(reason_text, MAX_EXTENSION_REASON, "ext.reason_empty")
        target = await self.requestable(person, rec_id)
        # Checked again: the deadline in force may have moved since the date was typed.
        check_new_deadline(new_deadline, today, target.deadline)
        extension = await self.repo.extensions.add(
            DeadlineExtension(
                organization_id=target.org.id,
                recommendation_id=rec_id,
                requested_by=person.id,
                requested_at=now,
                new_deadline=new_deadline,
                reason=reason,
                state=ExtensionState.PENDING,
                source_key=source_key,
            )
        )
        await self._tell_deciders(extension, target)
        return extension

    async def _tell_deciders(self, extension: DeadlineExtension, target: Target) -> None:
        """A request waits for a decision: officials hear of it at once, not on their next /extensions."""
        deciders = [p for role in DECIDERS for p in await self.repo.people.with_role(role)]
        intents = [
            ExtensionRequested(
                to=Recipient.of(person),
                dedup_key=f"ext_request:{extension.id}:{person.id}",
                ext_id=extension.id,
                org_name=target.org.name,
                rec=target.rec,
                current_deadline=target.deadline,
                new_deadline=extension.new_deadline,
                reason=extension.reason,
            )
            for person in deciders
            if person.unreachable_since is None
        ]
        if intents:
            await self.repo.outbox.enqueue(self.renderer.rows(intents))

    # --- the official's side -----------------------------------------------------------------------

    @staticmethod
    def _may_decide(role: Role | None) -> None:
        if role not in DECIDERS:
            raise DomainError("ext.staff_only")

    async def pending_page(self, role: Role | None, page: int) -> ExtensionPage:
        self._may_decide(role)
        total = await self.repo.extensions.pending_count()
        pages = max(1, -(-total // PAGE))
        page = min(page, pages - 1)
        rows = await self.repo.extensions.pending(page * PAGE, PAGE)
        return ExtensionPage([await self._card(row) for row in rows], total, page, pages)

    async def card(self, role: Role | None, ext_id: int) -> ExtensionCard:
        self._may_decide(role)
        extension = await self.repo.extensions.get(ext_id)
        if extension is None:
            raise DomainError("ext.not_found")
        return await self._card(extension)

    async def _card(self, extension: DeadlineExtension) -> ExtensionCard:
        org = await self.repo.orgs.get(extension.organization_id)
        rec = await self.repo.resolutions.recommendation(extension.recommendation_id)
        assert org is not None and rec is not None  # both cascade-delete their requests
        own = await self.repo.extensions.own_deadlines([org.id], [rec.id])
        target = Target(rec, org, None, own.get((org.id, rec.id)))
        history = await self.repo.extensions.history(org.id, rec.id)
        requester = await self.repo.people.get(extension.requested_by) if extension.requested_by else None
        return ExtensionCard(extension, org, rec, target.deadline, history, requester)

    async def approve(
        self, role: Role | None, person: Person | None, ext_id: int, now: dt.datetime
    ) -> ExtensionCard:
        return await self._decide(role, person, ext_id, ExtensionState.APPROVED, None, now)

    async def deny(
        self, role: Role | None, person: Person | None, ext_id: int, comment: str, now: dt.datetime
    ) -> ExtensionCard:
        text = validate_extension_text(comment, MAX_DECISION_COMMENT, "ext.comment_empty")
        return await self._decide(role, person, ext_id, ExtensionState.DENIED, text, now)

    async def pending_card(self, role: Role | None, ext_id: int) -> ExtensionCard:
        """The request, if it still awaits a decision (a second tap or an old button finds it decided)."""
        card = await self.card(role, ext_id)
        if card.extension.state is not ExtensionState.PENDING:
            raise DomainError("ext.already_decided")
        return card

    async def _decide(
        self,
        role: Role | None,
        person: Person | None,
        ext_id: int,
        state: ExtensionState,
        comment: str | None,
        now: dt.datetime,
    ) -> ExtensionCard:
        card = await self.pending_card(role, ext_id)
        decided_by = person.id if person else None
        if not await self.repo.extensions.decide(ext_id, state, decided_by, now, comment):
            raise DomainError("ext.already_decided")
        await self.repo.extensions.reload(card.extension)
        decided = await self._card(card.extension)
        await self._tell_organization(decided, card.current_deadline)
        return decided

    async def _tell_organization(self, card: ExtensionCard, previous: dt.date | None) -> None:
        """Every member of the organization hears the decision, through the outbox; `previous` is the
        deadline that was in force before it."""
        extension = card.extension
        members = await self.repo.people.members_of(card.org.id)
        intents = [
            ExtensionDecided(
                to=Recipient.of(member),
                dedup_key=f"ext:{extension.id}:{extension.state.value}:p{member.id}",
                approved=extension.state is ExtensionState.APPROVED,
                rec=card.rec,
                new_deadline=extension.new_deadline,
                previous_deadline=previous,
                comment=extension.decision_comment,
            )
            for member in members
        ]
        if intents:
            await self.repo.outbox.enqueue(self.renderer.rows(intents))
