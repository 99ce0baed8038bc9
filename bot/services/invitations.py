"""Single-use, expiring deep-link invitations for organization heads and officials."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from bot.domain import InviteKind, OrgKind, Role
from bot.domain.errors import DomainError
from bot.domain.invitations import GRANTED, InviteFacts, RedeemOutcome, is_payload, redeem_decision
from bot.domain.scope import ViewScope
from bot.services.publication import PublicationService
from storage.models import Invitation, Organization, Person
from storage.repositories import Repositories

# token_urlsafe(18) gives 24 characters of a start payload, 144 random bits.
CODE_BYTES = 18

__all__ = [
    "InvitationService",
    "Invitee",
    "LocalInvite",
    "Reach",
    "RedeemOutcome",
    "RedeemResult",
    "deep_link",
]


@dataclass(frozen=True)
class NewInvite:
    code: str
    invitation: Invitation
    organization: Organization | None = None


@dataclass(frozen=True)
class Reach:
    """A municipal authority's institutions: how many, and those with nobody registered."""

    municipality: str
    institutions: int
    unregistered: list[Organization]


@dataclass(frozen=True)
class LocalInvite:
    """An invitation a municipal authority made for one of its institutions; `revoked` tells whether an
    earlier unused one was revoked for it."""

    invite: NewInvite
    revoked: bool


@dataclass(frozen=True)
class RedeemResult:
    outcome: RedeemOutcome
    person: Person | None = None
    organization: Organization | None = None


@dataclass(frozen=True)
class Invitee:
    telegram_id: int
    full_name: str
    username: str | None = None
    language: str | None = None


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


class InvitationService:
    def __init__(self, repo: Repositories, ttl_days: int, publication: PublicationService) -> None:
        self.repo = repo
        self.ttl = dt.timedelta(days=ttl_days)
        # Only joining needs it: a new member catches up on what was published before they came.
        self.publication = publication

    async def create(
        self, kind: InviteKind, created_by: int, now: dt.datetime, organization_id: int | None = None
    ) -> NewInvite:
        org = None
        if kind is InviteKind.MEMBER:
            org = await self.repo.orgs.get(organization_id) if organization_id is not None else None
            if org is None:
                raise DomainError("org.not_found")
            if not org.is_active:
                raise DomainError("invite.cannot_invite_inactive", name=org.name)
        code = secrets.token_urlsafe(CODE_BYTES)
        invitation = await self.repo.invitations.add(
            hash_code(code), kind, organization_id, created_by, now + self.ttl
        )
        return NewInvite(code, invitation, org)

    async def reach(self, scope: ViewScope) -> Reach:
        """Which of a municipal authority's institutions nobody has registered in yet."""
        if scope.municipality is None:
            raise DomainError("refused.button")
        total, unregistered = await self.repo.orgs.reach(scope, OrgKind.INSTITUTION)
        return Reach(scope.municipality, total, unregistered)

    async def invite_local(
        self, scope: ViewScope, organization_id: int, created_by: int, now: dt.datetime
    ) -> LocalInvite:
        """A member invitation for one of the authority's institutions, in place of its earlier unused
        ones (only the newest link works, so the one forwarded last is the one to open)."""
        org = await self.repo.orgs.get(organization_id)
        if org is None:
            raise DomainError("org.not_found")
        if scope.municipality is None or not scope.oversees(org.kind, org.municipality):
            raise DomainError("scope.outside")
        revoked = await self.repo.documents.revoke_unused([org.id], now)
        invite = await self.create(InviteKind.MEMBER, created_by, now, org.id)
        return LocalInvite(invite, revoked > 0)

    async def revoke(self, invite_id: int, organization_id: int, now: dt.datetime) -> Invitation:
        return await revoke_pending(self.repo, invite_id, organization_id, now)

    async def join(self, code: str, invitee: Invitee, now: dt.datetime, is_env_admin: bool) -> RedeemResult:
        """Redeem, and a new member gets the recommendations already published to their organization —
        queued in the same transaction, so joining and catching up commit together or not at all."""
        result = await self.redeem(code, invitee, now, is_env_admin)
        if result.outcome is RedeemOutcome.JOINED and result.person is not None:
            await self.publication.catch_up(result.person)
        return result

    async def redeem(self, code: str, invitee: Invitee, now: dt.datetime, is_env_admin: bool) -> RedeemResult:
        """Single use under races: the decision is pure, the claim is one conditional UPDATE."""
        invitation = await self.repo.invitations.by_hash(hash_code(code)) if is_payload(code) else None
        if invitation is None:
            return RedeemResult(RedeemOutcome.UNKNOWN)
        person = await self.repo.people.by_telegram_id(invitee.telegram_id)
        org = await self._organization_of(invitation)
        outcome = redeem_decision(
            facts(invitation),
            now,
            person.role if person else None,
            is_env_admin,
            org is not None and org.is_active,
        )
        if outcome not in GRANTED:
            return RedeemResult(outcome, person if outcome is RedeemOutcome.ALREADY_PRIVILEGED else None)
        if not await self.repo.invitations.claim(invitation.id, invitee.telegram_id, now):
            return RedeemResult(RedeemOutcome.USED)
        person = await self._enrol(person, invitee, GRANTED[outcome], org)
        return RedeemResult(outcome, person, org)

    async def _organization_of(self, invitation: Invitation) -> Organization | None:
        if invitation.kind is not InviteKind.MEMBER or invitation.organization_id is None:
            return None
        return await self.repo.orgs.get(invitation.organization_id)

    async def _enrol(
        self, person: Person | None, invitee: Invitee, role: Role, org: Organization | None
    ) -> Person:
        org_id = org.id if org is not None else None
        if person is None:
            person = await self.repo.people.add(
                invitee.telegram_id, invitee.full_name, role, invitee.username, org_id, invitee.language
            )
        else:
            person.role = role
            person.organization_id = org_id
            person.full_name = invitee.full_name
            person.username = invitee.username
            person.unreachable_since = None
        await self.repo.session.flush()
        return person


async def revoke_pending(
    repo: Repositories, invite_id: int, organization_id: int, now: dt.datetime
) -> Invitation:
    """Revoke a still pending invitation of this organization; a used or foreign one cannot be."""
    invitation = await repo.invitations.get(invite_id)
    if invitation is None or invitation.organization_id != organization_id:
        raise DomainError("invite.cannot_revoke")
    if not await repo.invitations.revoke(invite_id, now):
        raise DomainError("invite.cannot_revoke")
    return invitation


def facts(invitation: Invitation) -> InviteFacts:
    return InviteFacts(
        invitation.kind,
        invitation.expires_at,
        used=invitation.used_at is not None,
        revoked=invitation.revoked_at is not None,
    )
