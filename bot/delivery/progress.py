"""Keeps the admin's progress message of each publication current, then sends the final report."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.rate_limit import SendLimiter
from bot.domain import OutboxState
from bot.domain.clock import Clock
from bot.services.intents import BatchProgress, DeliveryReport, Recipient, Undelivered
from bot.services.ports import MessageRenderer
from bot.texts.titles import short_title
from storage.models import DeliveryBatch
from storage.repositories import Repositories

log = logging.getLogger(__name__)

EDIT_EVERY = 1.5
UNFINISHED = (OutboxState.PENDING, OutboxState.SENDING)


class DeliveryProgress:
    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        limiter: SendLimiter,
        renderer: MessageRenderer,
        locale: str,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.clock = clock
        self.limiter = limiter
        self.renderer = renderer
        self.locale = locale
        self.on_enqueued = on_enqueued
        self._last_edit: dict[str, float] = {}

    async def __call__(self, touched: set[str]) -> None:
        async with self.session_factory() as session:
            repo = Repositories(session)
            for batch in await repo.outbox.open_batches():
                if batch.name in touched or batch.name not in self._last_edit:
                    await self._update(repo, batch)
            await session.commit()

    async def _update(self, repo: Repositories, batch: DeliveryBatch) -> None:
        counts = await repo.outbox.counts(batch.name)
        finished = not any(counts.get(state, 0) for state in UNFINISHED)
        now = asyncio.get_running_loop().time()
        if not finished and now - self._last_edit.get(batch.name, -EDIT_EVERY) < EDIT_EVERY:
            return
        self._last_edit[batch.name] = now
        title = ""
        if batch.resolution_id is not None:
            resolution = await repo.resolutions.get(batch.resolution_id)
            title = short_title(resolution.title, resolution.adopted_on) if resolution else ""
        unreachable = (
            await repo.outbox.unreachable_recipients(batch.name) if counts.get(OutboxState.UNREACHABLE) else 0
        )
        progress = BatchProgress(self.locale, title, counts, unreachable, finished)
        await self._edit(batch, self.renderer.progress_text(progress))
        if finished:
            batch.finished_at = self.clock.now()
            await self._final_report(repo, batch, progress)

    async def _edit(self, batch: DeliveryBatch, text: str) -> None:
        if batch.admin_chat_id is None or batch.progress_message_id is None:
            return
        await self.limiter.acquire()
        try:
            await self.bot.edit_message_text(
                text, chat_id=batch.admin_chat_id, message_id=batch.progress_message_id
            )
        except TelegramAPIError as exc:
            # The progress message is a courtesy; "not modified" or a deleted message must not stop delivery.
            log.debug("progress edit of %s skipped: %s", batch.name, exc)

    async def _undelivered(self, repo: Repositories, batch: DeliveryBatch) -> list[Undelivered]:
        """Each person the batch did not reach, once, however many of their messages failed."""
        failed = await repo.outbox.in_batch(batch.name, [OutboxState.UNREACHABLE, OutboxState.FAILED])
        seen: set[int] = set()
        people: list[Undelivered] = []
        for row in failed:
            if row.chat_id in seen:
                continue
            seen.add(row.chat_id)
            person = await repo.people.get(row.person_id) if row.person_id else None
            org = await repo.orgs.get(person.organization_id) if person and person.organization_id else None
            name = person.full_name if person else None
            people.append(Undelivered(row.chat_id, name, org.name if org else None, OutboxState(row.state)))
        return people

    async def _final_report(self, repo: Repositories, batch: DeliveryBatch, progress: BatchProgress) -> None:
        if batch.admin_chat_id is None:
            return
        undelivered = tuple(await self._undelivered(repo, batch))
        to = Recipient(batch.admin_chat_id, locale=self.locale)
        report = DeliveryReport(to, f"report:{batch.name}", progress, undelivered)
        await repo.outbox.enqueue(self.renderer.rows([report]))
        if self.on_enqueued is not None:
            self.on_enqueued()
