"""Digests to officials: on schedule and on demand, always through the outbox, files kept on disk."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.config import Settings
from bot.delivery.outgoing import Outgoing
from bot.documents import Digest, build_digest
from bot.domain import Role
from bot.texts.i18n import translator
from scheduler.occurrences import latest_cron_occurrence
from storage.models import DigestSnapshot, Person
from storage.repositories import Repositories

SCHEDULED_SCOPE = "scheduled"


@dataclass(frozen=True)
class DigestRequest:
    resolution_id: int | None = None
    municipality: str | None = None

    def scope(self, person_id: int | None) -> str:
        who = f"p{person_id}" if person_id is not None else SCHEDULED_SCOPE
        muni = (
            hashlib.sha1((self.municipality or "").encode()).hexdigest()[:8] if self.municipality else "all"
        )
        return f"{who}:r{self.resolution_id or 'all'}:m{muni}"


class DigestDelivery:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def _build(
        self, repo: Repositories, request: DigestRequest, scope: str, now: dt.datetime
    ) -> Digest:
        previous = await repo.session.scalar(
            select(DigestSnapshot.figures)
            .where(DigestSnapshot.scope == scope)
            .order_by(DigestSnapshot.created_at.desc(), DigestSnapshot.id.desc())
            .limit(1)
        )
        today = now.astimezone(self.settings.tz).date()
        digest = await build_digest(
            repo.session, request.resolution_id, request.municipality, today, previous
        )
        repo.session.add(DigestSnapshot(scope=scope, figures=digest.snapshot, created_at=now))
        return digest

    def _files(self, key: str, digest: Digest) -> tuple[Path, Path]:
        """Written before the rows that send them commit; a crash leaves at worst an orphan file."""
        folder = self.settings.digest_dir / key
        folder.mkdir(parents=True, exist_ok=True)
        xlsx, png = folder / "digest.xlsx", folder / "progress.png"
        xlsx.write_bytes(digest.xlsx)
        png.write_bytes(digest.png)
        return xlsx, png

    def _rows(
        self, key: str, person: Person, digest: Digest, files: tuple[Path, Path], day: str
    ) -> list[dict[str, Any]]:
        t = translator(person.language)
        common = {"chat_id": person.telegram_id, "person_id": person.id}
        rows = [
            Outgoing(dedup_key=f"{key}:p{person.id}:text{i}", text=part, **common).row()
            for i, part in enumerate(digest.text_parts)
        ]
        xlsx, png = files
        rows.append(
            Outgoing(
                dedup_key=f"{key}:p{person.id}:xlsx",
                method="sendDocument",
                file_path=str(xlsx),
                file_name=f"svodka-{day}.xlsx",
                text=t("digest.xlsx_caption"),
                **common,
            ).row()
        )
        rows.append(
            Outgoing(
                dedup_key=f"{key}:p{person.id}:png",
                method="sendPhoto",
                file_path=str(png),
                text=t("digest.chart_caption"),
                **common,
            ).row()
        )
        return rows

    async def on_demand(
        self, repo: Repositories, person: Person, request: DigestRequest, key: str, now: dt.datetime
    ) -> int:
        digest = await self._build(repo, request, request.scope(person.id), now)
        day = now.astimezone(self.settings.tz).strftime("%Y-%m-%d")
        files = self._files(f"ondemand-{key}", digest)
        return await repo.outbox.enqueue(self._rows(f"digest:{key}", person, digest, files, day))

    async def scheduled(self, repo: Repositories, now: dt.datetime, horizon: dt.datetime) -> int:
        """The latest cron occurrence since the horizon, once, to every official."""
        occurrence = latest_cron_occurrence(self.settings.digest_cron, self.settings.tz, horizon, now)
        if occurrence is None:
            return 0
        period = occurrence.isoformat()
        if not await repo.schedule.claim("digest", "officials", period, occurrence):
            return 0
        officials = await repo.people.with_role(Role.OFFICIAL)
        if not officials or not await repo.resolutions.published():
            return 0
        digest = await self._build(repo, DigestRequest(), SCHEDULED_SCOPE, now)
        key = occurrence.strftime("%Y%m%dT%H%M")
        files = self._files(f"scheduled-{key}", digest)
        day = occurrence.astimezone(self.settings.tz).strftime("%Y-%m-%d")
        rows = [
            row for person in officials for row in self._rows(f"digest:{key}", person, digest, files, day)
        ]
        return await repo.outbox.enqueue(rows)
