"""Invitations as rules: what following a link does, decided from the invitation, the person and the time."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.domain import InviteKind, Role

# Telegram's start payload: at most 64 of A-Za-z0-9_-.
PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class RedeemOutcome(StrEnum):
    JOINED = "joined"
    BECAME_OFFICIAL = "became_official"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ORG_INACTIVE = "org_inactive"
    ALREADY_PRIVILEGED = "already_privileged"


GRANTED = {RedeemOutcome.JOINED: Role.MEMBER, RedeemOutcome.BECAME_OFFICIAL: Role.OFFICIAL}


@dataclass(frozen=True)
class InviteFacts:
    kind: InviteKind
    expires_at: dt.datetime
    used: bool = False
    revoked: bool = False


def is_payload(code: str) -> bool:
    return bool(PAYLOAD_RE.match(code))


def _link_state(invite: InviteFacts, now: dt.datetime) -> RedeemOutcome | None:
    if invite.revoked:
        return RedeemOutcome.REVOKED
    if invite.used:
        return RedeemOutcome.USED
    if invite.expires_at <= now:
        return RedeemOutcome.EXPIRED
    return None


def _would_demote(kind: InviteKind, role: Role | None, is_env_admin: bool) -> bool:
    """An admin or official following a member link (an admin an official one) would lose a role."""
    if is_env_admin or role is Role.ADMIN:
        return True
    return kind is InviteKind.MEMBER and role is Role.OFFICIAL


def redeem_decision(
    invite: InviteFacts, now: dt.datetime, role: Role | None, is_env_admin: bool, org_active: bool
) -> RedeemOutcome:
    """JOINED or BECAME_OFFICIAL when the link may be claimed (the claim itself can still lose a race);
    otherwise why not. `org_active` matters only for member links."""
    refused = _link_state(invite, now)
    if refused is not None:
        return refused
    if _would_demote(invite.kind, role, is_env_admin):
        return RedeemOutcome.ALREADY_PRIVILEGED
    if invite.kind is InviteKind.OFFICIAL:
        return RedeemOutcome.BECAME_OFFICIAL
    return RedeemOutcome.JOINED if org_active else RedeemOutcome.ORG_INACTIVE
