"""Issue 10: publication and reminders decide who gets what as message intents; the Telegram renderer
alone decides how it reads (catalog texts in the recipient's locale, report buttons)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.domain import OrgKind, OutboxState
from bot.services.intents import (
    BatchProgress,
    DeliveryReport,
    MessageIntent,
    PublicationIntro,
    Recipient,
    RecommendationIntent,
    Reminder,
    ReminderKind,
    Undelivered,
)
from bot.services.ports import OutboxRow
from bot.services.publication import PublicationService
from bot.services.reminders import ReminderService
from bot.services.seed import seed_org, seed_resolution
from bot.telegram.callbacks import ExtensionAsk, ReportOpen
from bot.telegram.outgoing import TelegramRenderer
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.repositories import Repositories
from tests.test_digest import RESOLUTION

NOW = dt.datetime(2026, 9, 1, 6, 0, tzinfo=dt.UTC)


class RecordingRenderer:
    """Keeps the intents and renders them with the real renderer, so the outbox gets real rows."""

    def __init__(self) -> None:
        self.intents: list[MessageIntent] = []
        self.real = TelegramRenderer("ru")

    def rows(self, intents: Iterable[MessageIntent]) -> list[OutboxRow]:
        batch = list(intents)
        self.intents += batch
        return self.real.rows(batch)

    def progress_text(self, progress: BatchProgress) -> str:
        return self.real.progress_text(progress)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_session_factory(engine)
    await engine.dispose()


async def region(repo: Repositories) -> int:
    """Two institutions (an English-speaking head in one), a municipal body, and a draft resolution."""
    first = await seed_org(repo, "ДДТ А", OrgKind.INSTITUTION, "Вяземский район", [501])
    first.members[0].language = "en"
    await seed_org(repo, "ЦДТ Б", OrgKind.INSTITUTION, "Сафоновский район", [502])
    await seed_org(repo, "Отдел М", OrgKind.MUNICIPAL, "Вяземский район", [503])
    await seed_org(repo, "Комитет без людей", OrgKind.MUNICIPAL, "Сафоновский район")
    resolution = await seed_resolution(repo, RESOLUTION, "r.txt")
    return resolution.id


async def test_publication_is_intents_per_person_in_their_locale(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    renderer = RecordingRenderer()
    async with sessions() as session:
        repo = Repositories(session)
        resolution_id = await region(repo)
        result = await PublicationService(repo, renderer).publish(resolution_id, 1000, NOW)
        await session.commit()
        rows = await repo.outbox.in_batch(f"pub:{resolution_id}", [OutboxState.PENDING])
    # Institutions get 1 intro + 3 recommendations, the municipal body 1 + 2; the empty one is counted.
    assert (result.recipients, result.messages, result.organizations_without_people) == (3, 11, 1)
    intros = [i for i in renderer.intents if isinstance(i, PublicationIntro)]
    recs = [i for i in renderer.intents if isinstance(i, RecommendationIntent)]
    assert len(intros) == 3 and len(recs) == 8 and len(rows) == 11
    assert {i.to.chat_id: i.to.locale for i in intros} == {501: "en", 502: "ru", 503: "ru"}
    assert {i.org_name for i in intros} == {"ДДТ А", "ЦДТ Б", "Отдел М"}

    by_key = {row.dedup_key: row for row in rows}
    english = next(i for i in recs if i.to.chat_id == 501)
    row = by_key[english.dedup_key]
    assert row.payload["text"].startswith("<b>Recommendation ")
    [[button, extension]] = row.payload["reply_markup"]["inline_keyboard"]
    assert ReportOpen.unpack(button["callback_data"]).rec_id == english.rec.id
    assert ExtensionAsk.unpack(extension["callback_data"]).rec_id == english.rec.id
    russian = next(i for i in recs if i.to.chat_id == 502)
    assert by_key[russian.dedup_key].payload["text"].startswith("<b>Рекомендация ")


async def test_remind_now_is_a_reminder_intent_per_member(
    sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    renderer = RecordingRenderer()
    async with sessions() as session:
        repo = Repositories(session)
        resolution_id = await region(repo)
        await PublicationService(repo, renderer).publish(resolution_id, 1000, NOW)
        renderer.intents.clear()
        service = ReminderService(repo, settings, renderer)
        batch = await service.remind_now(resolution_id, "click-1")
        again = await service.remind_now(resolution_id, "click-1")
        await session.commit()
    # The organization nobody joined has open items too, but nobody to remind.
    assert (batch.organizations, batch.messages) == (3, 3)
    assert (again.organizations, again.messages) == (3, 0)  # the same click: nothing enqueued twice
    reminders = [i for i in renderer.intents if isinstance(i, Reminder)]
    assert all(r.kind is ReminderKind.MANUAL for r in reminders)
    assert {r.to.chat_id: len(r.items) for r in reminders[:3]} == {501: 3, 502: 3, 503: 2}


def rendered(intent: MessageIntent, locale: str = "ru") -> list[dict[str, Any]]:
    return [row["payload"] for row in TelegramRenderer(locale).rows([intent])]


def test_renderer_speaks_the_recipients_locale_and_the_default_otherwise() -> None:
    counts = {OutboxState.SENT: 7, OutboxState.UNREACHABLE: 1, OutboxState.FAILED: 1}
    progress = BatchProgress(None, "Резолюция", counts, 1, finished=True)
    undelivered = (
        Undelivered(77, "Ирина", None, OutboxState.UNREACHABLE),
        Undelivered(78, None, "ДДТ <А>", OutboxState.FAILED),
    )
    report = DeliveryReport(Recipient(1000), "report:pub:1", progress, undelivered)
    [russian] = rendered(report)
    assert "✅ Рассылка завершена: доставлено 7 из 9\n📜 Резолюция" in russian["text"]
    assert "• Ирина — — (бот заблокирован или аккаунт недоступен)" in russian["text"]
    assert "• 78 — ДДТ &lt;А&gt; (ошибка отправки)" in russian["text"]
    [english] = rendered(report, locale="en")  # no locale of its own: the department's default
    assert "Резолюция" in english["text"] and "завершена" not in english["text"]
    [also_english] = rendered(DeliveryReport(Recipient(1000, locale="en"), "k", progress))
    assert "завершена" not in also_english["text"]
