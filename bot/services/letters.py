"""Invitation letters in bulk: invitations for every chosen organization, a DOCX of letters, an XLSX of links.

The codes exist only in this unit of work (the database keeps hashes), so the documents are made here,
from the codes just created, and never again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.documents.letters import Letter
from bot.domain import InviteKind, OrgKind
from bot.domain.errors import DomainError
from bot.services.execution_report import DocumentFile
from bot.services.invitations import CODE_BYTES, deep_link, hash_code
from bot.services.organizations import municipality_code as code_of
from bot.texts.i18n import translator
from storage.models import Invitation
from storage.repositories import Repositories

# One action, one Telegram document: about 30 ms a page (the QR code's mask choice and PNG are pure
# Python), so 2,000 letters take a minute, off the event loop; more is no longer something to print.
MAX_LETTERS = 2000


@dataclass(frozen=True)
class LetterChoice:
    """Which active organizations get letters: all, of one kind, of one municipality, or the unstaffed."""

    kind: OrgKind | None = None
    municipality: str | None = None
    unstaffed_only: bool = False


@dataclass(frozen=True)
class LetterBatch:
    letters: list[Letter]
    revoked: int
    docx: DocumentFile
    xlsx: DocumentFile


class LetterService:
    def __init__(self, repo: Repositories, ttl_days: int, tz: ZoneInfo) -> None:
        self.repo = repo
        self.ttl = dt.timedelta(days=ttl_days)
        self.tz = tz

    async def choice(
        self, kind: OrgKind | None, municipality_code: str | None, unstaffed_only: bool
    ) -> LetterChoice:
        """The choice a button names; a municipality no organization has any more means a stale button."""
        municipality = None
        if municipality_code is not None:
            names = await self.repo.orgs.municipalities()
            municipality = next((n for n in names if code_of(n) == municipality_code), None)
            if municipality is None:
                raise DomainError("refused.button")
        return LetterChoice(kind, municipality, unstaffed_only)

    async def survey(
        self, kind: OrgKind | None, municipality_code: str | None, unstaffed_only: bool
    ) -> tuple[LetterChoice, int]:
        """The choice and how many organizations it takes in: what the admin confirms."""
        choice = await self.choice(kind, municipality_code, unstaffed_only)
        orgs = await self.repo.documents.letter_recipients(
            choice.kind, choice.municipality, choice.unstaffed_only
        )
        return choice, len(orgs)

    async def create(
        self,
        kind: OrgKind | None,
        municipality_code: str | None,
        unstaffed_only: bool,
        created_by: int,
        now: dt.datetime,
        bot_username: str,
        revoke_earlier: bool,
        locale: str,
        once_key: str,
    ) -> LetterBatch:
        """An invitation per chosen organization (revoking its earlier unused ones if asked), and the
        letters and the table of links made from them. `once_key` names the admin's confirmation: a
        second tap on it (or the same update redelivered) makes nothing."""
        if not await self.repo.schedule.claim("letters", once_key, "made", now):
            raise DomainError("documents.letters.already_made")
        choice = await self.choice(kind, municipality_code, unstaffed_only)
        orgs = await self.repo.documents.letter_recipients(
            choice.kind, choice.municipality, choice.unstaffed_only
        )
        if not orgs:
            raise DomainError("documents.letters.nobody")
        if len(orgs) > MAX_LETTERS:
            raise DomainError("documents.letters.too_many", count=len(orgs), limit=MAX_LETTERS)
        org_ids = [org.id for org in orgs]
        revoked = await self.repo.documents.revoke_unused(org_ids, now) if revoke_earlier else 0
        expires_at = now + self.ttl
        codes = [secrets.token_urlsafe(CODE_BYTES) for _ in orgs]
        self.repo.session.add_all(
            Invitation(
                code_hash=hash_code(code),
                kind=InviteKind.MEMBER,
                organization_id=org.id,
                created_by=created_by,
                created_at=now,
                expires_at=expires_at,
            )
            for org, code in zip(orgs, codes, strict=True)
        )
        await self.repo.session.flush()
        expires_on = expires_at.astimezone(self.tz).date()
        letters = [
            Letter(org.name, org.municipality, deep_link(bot_username, code), expires_on)
            for org, code in zip(orgs, codes, strict=True)
        ]
        return await self._documents(letters, revoked, now, locale)

    async def _documents(
        self, letters: list[Letter], revoked: int, now: dt.datetime, locale: str
    ) -> LetterBatch:
        # Imported here: the document stack loads with the first document, not when the bot starts.
        from bot.documents.letters import build_letters_docx, build_letters_xlsx

        t = translator(locale)
        day = now.astimezone(self.tz).date().isoformat()
        docx = await asyncio.to_thread(build_letters_docx, letters, t)
        xlsx = await asyncio.to_thread(build_letters_xlsx, letters, t)
        return LetterBatch(
            letters,
            revoked,
            DocumentFile(t.plain("documents.letters.docx_name", day=day), docx),
            DocumentFile(t.plain("documents.letters.xlsx_name", day=day), xlsx),
        )
