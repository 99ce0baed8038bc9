"""Resolutions from document to draft: grouping kinds, deadlines, discarding and withdrawing."""

from __future__ import annotations

import datetime as dt
import re

from bot.domain import OrgKind, ResolutionStatus
from bot.domain.errors import DomainError
from bot.parsing import ResolutionParseError, parse_resolution
from bot.services.publication import batch_name
from bot.texts.titles import normalize_title
from storage.models import AddresseeGroup, Resolution
from storage.repositories import Repositories

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
RESOLUTION_SUFFIXES = (".txt", ".md", ".markdown", ".docx")
_DATE_RU = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
# "2.3 31.05.2027": a deadline for recommendation 3 of group 2 rather than for the whole resolution.
_REC_DEADLINE = re.compile(r"^\s*(\d{1,3})\.(\d{1,3})\s+(\S+)\s*$")


def parse_day(text: str) -> dt.date:
    match = _DATE_RU.match(text)
    try:
        if match:
            day, month, year = (int(x) for x in match.groups())
            return dt.date(year, month, day)
        match = _DATE_ISO.match(text)
        if match:
            year, month, day = (int(x) for x in match.groups())
            return dt.date(year, month, day)
    except ValueError as exc:
        raise DomainError("res.bad_date") from exc
    raise DomainError("res.bad_date")


def parse_deadline(text: str) -> tuple[tuple[int, int] | None, dt.date]:
    """A date for the resolution, or "group.item date" for one recommendation."""
    match = _REC_DEADLINE.match(text)
    if match:
        return (int(match.group(1)), int(match.group(2))), parse_day(match.group(3))
    return None, parse_day(text)


class ResolutionService:
    def __init__(self, repo: Repositories) -> None:
        self.repo = repo

    async def import_document(self, data: bytes, filename: str, created_by: int) -> Resolution:
        if len(data) > MAX_DOCUMENT_BYTES:
            raise DomainError("res.too_big", limit_mb=MAX_DOCUMENT_BYTES // (1024 * 1024))
        try:
            parsed = parse_resolution(data, filename)
        except ResolutionParseError as exc:
            raise DomainError(exc.key, **exc.params) from exc
        resolution = await self.repo.resolutions.add(
            title=normalize_title(parsed.title),
            adopted_on=parsed.date,
            place=parsed.place,
            source_name=filename,
            created_by=created_by,
            groups=[(g.heading, g.category, g.recommendations) for g in parsed.groups],
        )
        return await self.get(resolution.id)

    async def get(self, resolution_id: int) -> Resolution:
        resolution = await self.repo.resolutions.get(resolution_id)
        if resolution is None:
            raise DomainError("res.not_found")
        return resolution

    async def listing(self) -> list[Resolution]:
        return await self.repo.resolutions.listing()

    async def published(self) -> list[Resolution]:
        return await self.repo.resolutions.published()

    async def published_one(self, resolution_id: int) -> Resolution:
        """A published resolution; anything else means the button that named it is stale."""
        resolution = await self.repo.resolutions.get(resolution_id)
        if resolution is None or resolution.status is not ResolutionStatus.PUBLISHED:
            raise DomainError("refused.button")
        return resolution

    async def unreported(self, resolution_id: int) -> tuple[Resolution, int]:
        """The published resolution and how many organizations still have open recommendations in it."""
        resolution = await self.published_one(resolution_id)
        orgs = {item.org_id for item in await self.repo.schedule.open_items(resolution.id)}
        return resolution, len(orgs)

    async def attach_progress_message(self, resolution_id: int, message_id: int) -> None:
        """The admin's progress message for a publication, so the outbox pump can keep it current."""
        batch = await self.repo.outbox.batch(batch_name(resolution_id))
        if batch is not None:
            batch.progress_message_id = message_id

    async def draft(self, resolution_id: int) -> Resolution:
        resolution = await self.get(resolution_id)
        if resolution.status is not ResolutionStatus.DRAFT:
            raise DomainError("res.not_draft")
        return resolution

    async def set_group_kind(self, resolution_id: int, group_id: int, kind: OrgKind | str) -> Resolution:
        try:
            kind = OrgKind(kind)
        except ValueError as exc:
            raise DomainError("refused.button") from exc
        resolution = await self.draft(resolution_id)
        group = next((g for g in resolution.groups if g.id == group_id), None)
        if group is None:
            raise DomainError("res.not_found")
        group.kind = kind
        await self.repo.session.flush()
        return resolution

    async def draft_group(self, resolution_id: int, group_id: int) -> AddresseeGroup:
        """One addressee group of a draft; a group that is not there means a stale button."""
        resolution = await self.draft(resolution_id)
        group = next((g for g in resolution.groups if g.id == group_id), None)
        if group is None:
            raise DomainError("refused.button")
        return group

    async def set_any_deadline(
        self, resolution_id: int, number: tuple[int, int] | None, day: dt.date, today: dt.date
    ) -> Resolution:
        """The whole resolution's deadline, or one recommendation's when `number` (group, item) is given."""
        if number is None:
            return await self.set_deadline(resolution_id, day, today)
        return await self.set_recommendation_deadline(resolution_id, number, day, today)

    async def set_deadline(self, resolution_id: int, day: dt.date | None, today: dt.date) -> Resolution:
        resolution = await self.draft(resolution_id)
        if day is not None and day <= today:
            raise DomainError("res.deadline_past")
        resolution.deadline = day
        await self.repo.session.flush()
        return resolution

    async def set_recommendation_deadline(
        self, resolution_id: int, number: tuple[int, int], day: dt.date, today: dt.date
    ) -> Resolution:
        resolution = await self.draft(resolution_id)
        if day <= today:
            raise DomainError("res.deadline_past")
        group_position, rec_position = number
        rec = next(
            (
                r
                for g in resolution.groups
                if g.position == group_position
                for r in g.recommendations
                if r.position == rec_position
            ),
            None,
        )
        if rec is None:
            raise DomainError("res.no_such_recommendation", number=f"{group_position}.{rec_position}")
        rec.deadline = day
        await self.repo.session.flush()
        return resolution

    async def discard(self, resolution_id: int) -> None:
        await self.draft(resolution_id)
        await self.repo.resolutions.delete(resolution_id)

    async def withdraw(self, resolution_id: int) -> Resolution:
        resolution = await self.get(resolution_id)
        if resolution.status is not ResolutionStatus.PUBLISHED:
            raise DomainError("res.not_published")
        resolution.status = ResolutionStatus.WITHDRAWN
        await self.repo.session.flush()
        return resolution
