from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.domain import InviteKind
from storage.models import Invitation
from storage.repositories.base import Repository


class InvitationRepo(Repository):
    async def add(
        self,
        code_hash: str,
        kind: InviteKind,
        organization_id: int | None,
        created_by: int,
        expires_at: dt.datetime,
    ) -> Invitation:
        invite = Invitation(
            code_hash=code_hash,
            kind=kind,
            organization_id=organization_id,
            created_by=created_by,
            expires_at=expires_at,
        )
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def get(self, invite_id: int) -> Invitation | None:
        return await self.session.get(Invitation, invite_id)

    async def by_hash(self, code_hash: str) -> Invitation | None:
        return await self.session.scalar(select(Invitation).where(Invitation.code_hash == code_hash))

    async def claim(self, invite_id: int, telegram_id: int, now: dt.datetime) -> bool:
        """Mark used only if still open: the single UPDATE is what makes a code single-use under races."""
        result = await self.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invite_id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .values(used_at=now, used_by=telegram_id)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def revoke(self, invite_id: int, now: dt.datetime) -> bool:
        result = await self.session.execute(
            update(Invitation)
            .where(Invitation.id == invite_id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def pending_for(self, org_id: int, now: dt.datetime) -> list[Invitation]:
        rows = await self.session.scalars(
            select(Invitation)
            .where(
                Invitation.organization_id == org_id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.id)
        )
        return list(rows)
