"""Single-use, expiring deep-link invitations for organization heads and officials."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from bot.domain import InviteKind, Role
from bot.domain.errors import DomainError
from storage.models import Invitation, Organization, Person
from storage.repositories import Repositories

# Telegram's start payload: at most 64 of A-Za-z0-9_-; token_urlsafe(18) gives 24 of those, 144 random bits.
PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CODE_BYTES = 18


class RedeemOutcome(StrEnum):
    JOINED = "joined"
    BECAME_OFFICIAL = "became_official"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ORG_INACTIVE = "org_inactive"
    ALREADY_PRIVILEGED = "already_privileged"


@dataclass(frozen=True)
class NewInvite:
    code: str
    invitation: Invitation


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
    def __init__(self, repo: Repositories, ttl_days: int) -> None:
        self.repo = repo
        self.ttl = dt.timedelta(days=ttl_days)

    async def create(
        self, kind: InviteKind, created_by: int, now: dt.datetime, organization_id: int | None = None
    ) -> NewInvite:
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
        return NewInvite(code, invitation)

    async def revoke(self, invite_id: int, organization_id: int, now: dt.datetime) -> Invitation:
        invitation = await self.repo.invitations.get(invite_id)
        if invitation is None or invitation.organization_id != organization_id:
            raise DomainError("invite.cannot_revoke")
        if not await self.repo.invitations.revoke(invite_id, now):
            raise DomainError("invite.cannot_revoke")
        return invitation

    async def redeem(self, code: str, invitee: Invitee, now: dt.datetime, is_env_admin: bool) -> RedeemResult:
        if not PAYLOAD_RE.match(code):
            return RedeemResult(RedeemOutcome.UNKNOWN)
        invitation = await self.repo.invitations.by_hash(hash_code(code))
        if invitation is None:
            return RedeemResult(RedeemOutcome.UNKNOWN)
        if invitation.revoked_at is not None:
            return RedeemResult(RedeemOutcome.REVOKED)
        if invitation.used_at is not None:
            return RedeemResult(RedeemOutcome.USED)
        if invitation.expires_at <= now:
            return RedeemResult(RedeemOutcome.EXPIRED)

        person = await self.repo.people.by_telegram_id(invitee.telegram_id)
        # An admin or official following a member link would lose their role; the link stays unused.
        privileged = is_env_admin or (person is not None and person.role in (Role.ADMIN, Role.OFFICIAL))
        if invitation.kind is InviteKind.MEMBER and privileged:
            return RedeemResult(RedeemOutcome.ALREADY_PRIVILEGED, person)
        if invitation.kind is InviteKind.OFFICIAL and (
            is_env_admin or (person and person.role is Role.ADMIN)
        ):
            return RedeemResult(RedeemOutcome.ALREADY_PRIVILEGED, person)

        org = None
        if invitation.kind is InviteKind.MEMBER:
            org = await self.repo.orgs.get(invitation.organization_id or 0)
            if org is None or not org.is_active:
                return RedeemResult(RedeemOutcome.ORG_INACTIVE)
        if not await self.repo.invitations.claim(invitation.id, invitee.telegram_id, now):
            return RedeemResult(RedeemOutcome.USED)

        role = Role.MEMBER if invitation.kind is InviteKind.MEMBER else Role.OFFICIAL
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
        outcome = RedeemOutcome.JOINED if role is Role.MEMBER else RedeemOutcome.BECAME_OFFICIAL
        return RedeemResult(outcome, person, org)
