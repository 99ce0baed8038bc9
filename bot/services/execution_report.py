"""The report on a resolution's execution (DOCX), for «Документы» and `python -m bot execution-report`."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.documents.execution_report import ExecutionData, RepeatNote, ResolutionInfo, collect_execution
from bot.domain import ResolutionStatus
from bot.domain.errors import DomainError
from bot.services.repeats import repeats_of
from bot.texts.i18n import translator
from storage.repositories import Repositories
from storage.repositories.digest import DigestRepo


@dataclass(frozen=True)
class DocumentFile:
    file_name: str
    content: bytes


class ExecutionReportService:
    def __init__(self, repo: Repositories, tz: ZoneInfo) -> None:
        self.repo = repo
        self.tz = tz

    async def collect(self, resolution_id: int, now: dt.datetime) -> ExecutionData:
        """What the report says about a published resolution, as of today in TIMEZONE."""
        resolution = await self.repo.resolutions.get(resolution_id)
        if resolution is None or resolution.status is not ResolutionStatus.PUBLISHED:
            raise DomainError("documents.report.not_published", res_id=resolution_id)
        rec_ids = [rec.id for group in resolution.groups for rec in group.recommendations]
        notes: dict[int, list[RepeatNote]] = defaultdict(list)
        for repeat in await repeats_of(self.repo, rec_ids):
            notes[repeat.rec_id].append(
                RepeatNote(repeat.year, repeat.number, repeat.done, repeat.applicable)
            )
        info = ResolutionInfo(resolution.id, resolution.title, resolution.adopted_on, resolution.place)
        today = now.astimezone(self.tz).date()
        return await collect_execution(DigestRepo(self.repo.session), self.repo.documents, info, today, notes)

    async def build(self, resolution_id: int, now: dt.datetime, locale: str) -> DocumentFile:
        data = await self.collect(resolution_id, now)
        t = translator(locale)
        # Imported here: python-docx is loaded with the first document, not when the bot starts.
        from bot.documents.execution_docx import build_execution_docx

        # Laying out the document is CPU work: off the event loop, so other chats are answered meanwhile.
        content = await asyncio.to_thread(build_execution_docx, data, t)
        return DocumentFile(t.plain("documents.report.file_name", day=data.today.isoformat()), content)
