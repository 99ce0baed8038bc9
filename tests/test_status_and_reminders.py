"""Issue 5: officials' drill-down, reminders before deadlines and nudges, each occurrence sent once."""

from __future__ import annotations

import asyncio
import datetime as dt
from importlib import resources

from sqlalchemy import func, select

from bot.domain import OrgKind, ReportStatus, Role
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.services.publication import PublicationService
from bot.services.reports import ReportDraft, ReportService
from bot.services.seed import seed_org, seed_resolution
from scheduler.jobs import SchedulerJobs
from storage.models import OutboxMessage
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID
from tests.helpers import admin, proof
from tg_emulator import BotAPIEmulator

SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()
DEADLINE = dt.date(2026, 10, 15)


async def setup_region(
    app: Runtime,
    clock: FrozenClock,
    deadline: dt.date | None = DEADLINE,
    emulator: BotAPIEmulator | None = None,
) -> dict[str, int]:
    """Three institutions (two report, one is silent), a municipal authority; returns org name → member id.

    With the emulator, the members exist in Telegram before anything is sent to them."""
    members = {"ДДТ Вязьмы": 8101, "ЦДО Сафоново": 8102, "ДДТ Ярцево": 8103, "Отдел образования": 8104}
    if emulator is not None:
        for name, telegram_id in members.items():
            emulator.add_user(telegram_id, name, started=True)
    async with app.session_factory() as session:
        repo = Repositories(session)
        await seed_org(repo, "ДДТ Вязьмы", OrgKind.INSTITUTION, "Вяземский район", [8101])
        await seed_org(repo, "ЦДО Сафоново", OrgKind.INSTITUTION, "Сафоновский район", [8102])
        await seed_org(repo, "ДДТ Ярцево", OrgKind.INSTITUTION, "Ярцевский район", [8103])
        await seed_org(repo, "Отдел образования", OrgKind.MUNICIPAL, "Вяземский район", [8104])
        resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021.md")
        resolution.deadline = deadline
        await PublicationService(repo, app.renderer).publish(resolution.id, ADMIN_ID, clock.now())
        await session.commit()
        institution_recs = [
            r.id for g in resolution.groups if g.kind is OrgKind.INSTITUTION for r in g.recommendations
        ]
        municipal_recs = [
            r.id for g in resolution.groups if g.kind is OrgKind.MUNICIPAL for r in g.recommendations
        ]
    async with app.session_factory() as session:
        repo = Repositories(session)
        vyazma = await repo.people.by_telegram_id(8101)
        safonovo = await repo.people.by_telegram_id(8102)
        municipal = await repo.people.by_telegram_id(8104)
        assert vyazma and safonovo and municipal
        service = ReportService(repo)
        # Vyazma answered everything, Safonovo one recommendation, the municipal authority all.
        for i, rec_id in enumerate(institution_recs):
            status = ReportStatus.DONE if i < 2 else ReportStatus.IN_PROGRESS
            await service.submit(
                vyazma,
                ReportDraft(rec_id, status, comment=f"Сделано {i}", evidence=proof(status)),
                f"v{i}",
                clock.now(),
            )
        await service.submit(
            safonovo,
            ReportDraft(institution_recs[0], ReportStatus.DONE, comment="Да", evidence=proof()),
            "s0",
            clock.now(),
        )
        for i, rec_id in enumerate(municipal_recs):
            await service.submit(
                municipal,
                ReportDraft(rec_id, ReportStatus.DONE, comment="Да", evidence=proof()),
                f"m{i}",
                clock.now(),
            )
        await session.commit()
    return members


async def reminder_rows(app: Runtime, prefix: str = "remind:") -> list[OutboxMessage]:
    async with app.session_factory() as session:
        return list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(prefix)))
        )


async def test_reminders_hit_exactly_the_organizations_without_reports(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    members = await setup_region(app, clock, emulator=emulator)
    await app.jobs.tick()  # the bot's first tick marks the horizon: nothing before it is owed
    assert await reminder_rows(app) == []

    # 7 days before the deadline, at 09:00 Moscow time.
    clock.set(dt.datetime(2026, 10, 8, 6, 0, tzinfo=dt.UTC))
    result = await app.jobs.tick()
    assert result.reminders == 2
    rows = await reminder_rows(app)
    assert sorted(r.chat_id for r in rows) == [members["ЦДО Сафоново"], members["ДДТ Ярцево"]]
    safonovo = next(r for r in rows if r.chat_id == members["ЦДО Сафоново"])
    assert "4.1" not in safonovo.payload["text"] and "4.2" in safonovo.payload["text"]  # only the open items
    assert "15.10.2026" in safonovo.payload["text"]

    # The next tick the same day, and a "restart" (a new scheduler on the same database): nothing new.
    assert (await app.jobs.tick()).reminders == 0
    again = SchedulerJobs(app.session_factory, app.settings, clock, app.renderer)
    assert (await again.tick()).reminders == 0

    # The head sees it in the chat, with buttons straight into the report dialog.
    yartsevo = emulator.find_user(members["ДДТ Ярцево"])
    assert yartsevo is not None
    reminder = await yartsevo.expect(contains="Напоминание", timeout=10)
    assert any("4.1" in text for row in reminder.buttons for text, _ in row)


async def test_reminders_due_while_down_are_sent_once(app: Runtime, clock: FrozenClock) -> None:
    await setup_region(app, clock)
    await app.jobs.tick()
    # Down from before the 7-day point until after the 1-day point: one reminder, the nearest one.
    clock.set(dt.datetime(2026, 10, 14, 12, 0, tzinfo=dt.UTC))
    first, second = (
        SchedulerJobs(app.session_factory, app.settings, clock, app.renderer),
        SchedulerJobs(app.session_factory, app.settings, clock, app.renderer),
    )
    results = await asyncio.gather(first.tick(), second.tick())  # two processes sharing one database
    assert sum(r.reminders for r in results) == 2
    rows = await reminder_rows(app)
    assert len(rows) == 2 and all(r.dedup_key.endswith(":d-1:p" + r.dedup_key.split(":p")[-1]) for r in rows)
    assert "Срок выполнения — 15.10.2026, остался 1 день." in rows[0].payload["text"]
    clock.set(dt.datetime(2026, 10, 16, 12, 0, tzinfo=dt.UTC))  # after the deadline: no more reminders
    assert (await app.jobs.tick()).reminders == 0


async def test_silence_nudges(app: Runtime, clock: FrozenClock) -> None:
    members = await setup_region(app, clock, deadline=None)
    await app.jobs.tick()
    clock.advance(dt.timedelta(days=13))
    assert (await app.jobs.tick()).nudges == 0
    clock.advance(dt.timedelta(days=1, hours=1))
    assert (await app.jobs.tick()).nudges == 2
    assert (await app.jobs.tick()).nudges == 0
    rows = await reminder_rows(app, "nudge:")
    assert sorted(r.chat_id for r in rows) == [members["ЦДО Сафоново"], members["ДДТ Ярцево"]]
    clock.advance(dt.timedelta(days=14))
    assert (await app.jobs.tick()).nudges == 2  # still silent after another stretch


async def test_admin_reminds_now(emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock) -> None:
    members = await setup_region(app, clock, emulator=emulator)
    anna = await admin(emulator)
    await anna.send("/remind")
    choose = await anna.expect(contains="Кому напомнить")
    await anna.click(choose, "Резолюция форума от 24.08.2021")
    confirm = await anna.expect(contains="Нет отчёта хотя бы по одной рекомендации у 2 организаций.")
    await anna.click(confirm, "Напомнить")
    await anna.expect(contains="их получат 2 организации (сообщений: 2)")
    yartsevo = emulator.find_user(members["ДДТ Ярцево"])
    assert yartsevo is not None
    await yartsevo.expect(contains="Напоминание от администратора", timeout=10)
    head = emulator.find_user(members["ДДТ Вязьмы"])
    assert head is not None
    await head.send("/remind")
    await head.expect(contains="вам недоступна")


async def test_official_drills_down_to_evidence(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    members = await setup_region(app, clock, emulator=emulator)
    # One report with a document, through the real dialog.
    head = emulator.find_user(members["ЦДО Сафоново"])
    assert head is not None
    rec_message = await head.expect(contains="Рекомендация 4.2", timeout=10)
    await head.click(rec_message, "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "Выполнено")
    await head.expect(contains="комментарий")
    await head.send("Программы обновлены")
    await head.expect(contains="Приложите")
    await head.send_document("программы.pdf", b"%PDF programs")
    await head.click(await head.expect(contains="Всего 1"), "Готово (1)")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку")

    async with app.session_factory() as session:
        official = await Repositories(session).people.add(8200, "Олег Чиновников", Role.OFFICIAL)
        await session.commit()
    oleg = emulator.add_user(official.telegram_id, "Олег", started=True)
    await oleg.send("/status")
    await oleg.click(await oleg.expect(contains="выберите резолюцию"), "24.08.2021")
    overview = await oleg.expect(contains="Организаций: 4, из них без единого отчёта: 1")
    # Nothing is accepted yet: every answer awaits the department's review (issue 13, point 7).
    assert "Принято при проверке: 0 из 16 (0%)" in overview.text
    assert "Проверка отчётов: принято 0, на проверке 10, возвращено на доработку 0." in overview.text
    await oleg.click(overview, "По муниципалитетам")
    munis = await oleg.expect(contains="По муниципалитетам")
    assert "Вяземский район: 8/8" not in munis.text and "Сафоновский район: 2/4" in munis.text
    await oleg.click(munis, "Сафоновский район")
    orgs = await oleg.expect(contains="Сафоновский район")
    await oleg.click(orgs, "ЦДО Сафоново")
    org_card = await oleg.expect(contains="✅ 4.2")
    await oleg.click(org_card, "✅ 4.2")
    report = await oleg.expect(contains="Программы обновлены")
    assert "документ «программы.pdf»" in report.text and "Проверка: 🕓 На проверке" in report.text
    await oleg.click(report, "История")
    history = await oleg.expect(contains="История отчёта")
    assert "v1" in history.text and "Руководитель" in history.text
    await oleg.click(history, "Назад")
    report = await oleg.expect(contains="Программы обновлены")
    await oleg.click(report, "Получить подтверждения")
    document = await oleg.expect(predicate=lambda m: m.document is not None)
    assert emulator.file_bytes(document.document["file_id"]) == b"%PDF programs"

    # Members cannot browse.
    await head.send("/status")
    await head.expect(contains="вам недоступна")


async def test_forged_status_navigation_is_refused(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await setup_region(app, clock)
    anna = await admin(emulator)
    await anna.send("/status")
    listing = await anna.expect(contains="выберите резолюцию")
    await anna.click_data(listing, "st:rep:999:0:999:999:-:0")
    assert (await anna.expect_callback_answer()).show_alert
    async with app.session_factory() as session:
        # Only the publication's own messages: the refused button enqueued nothing.
        sends = select(func.count()).where(
            OutboxMessage.batch.is_not(None) | OutboxMessage.dedup_key.like("remind%")
        )
        assert await session.scalar(sends) == 20
