"""Issue 5: the digest's numbers against a known data set, its XLSX and PNG, on demand and on schedule."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.documents import build_digest
from bot.documents.figures import DigestFigures
from bot.domain import ExtensionState, OrgKind, ReportStatus, ReviewState, Role
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.services.publication import PublicationService
from bot.services.reports import ReportDraft, ReportService
from bot.services.seed import seed_org
from bot.texts.i18n import translator
from scheduler.jobs import SchedulerJobs
from storage.models import DeadlineExtension, Organization, OutboxMessage, Recommendation, Report
from storage.repositories import Repositories
from tests.helpers import proof
from tg_emulator import BotAPIEmulator

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RESOLUTION = """РЕЗОЛЮЦИЯ
форума «Тестовый»

24 августа 2026 г.

Муниципальным органам управления образованием:
- первая муниципальная рекомендация;
- вторая муниципальная рекомендация.

Учреждениям дополнительного образования детей:
- первая рекомендация учреждениям;
- вторая рекомендация учреждениям;
- третья рекомендация учреждениям.
""".encode()

SHEETS = ["Сводка", "Матрица", "Муниципалитеты", "Подтверждения"]


async def known_data_set(app: Runtime, clock: FrozenClock) -> None:
    """2 municipal authorities × 2 recommendations and 3 institutions × 3 recommendations = 13 cells.

    Reports: A (institution, Вязьма) done, done, n/a; B (institution, Сафоново) in progress on 1;
    C (institution, Сафоново «<b>&») silent; M1 (municipal, Вязьма) done on 1;
    M2 (municipal, Сафоново) silent.
    """
    from bot.services.seed import seed_resolution

    async with app.session_factory() as session:
        repo = Repositories(session)
        await seed_org(repo, "ДДТ А", OrgKind.INSTITUTION, "Вяземский район", [9101])
        await seed_org(repo, "ЦДТ Б", OrgKind.INSTITUTION, "Сафоновский район", [9102])
        await seed_org(repo, "Клуб <b>&", OrgKind.INSTITUTION, "Сафоновский район", [9103])
        await seed_org(repo, "Отдел М1", OrgKind.MUNICIPAL, "Вяземский район", [9104])
        await seed_org(repo, "Комитет М2", OrgKind.MUNICIPAL, "Сафоновский район", [9105])
        await seed_org(repo, "Библиотека", OrgKind.OTHER, "Вяземский район", [9106])
        resolution = await seed_resolution(repo, RESOLUTION, "r.txt")
        resolution.deadline = dt.date(2026, 9, 30)
        await PublicationService(repo, app.renderer).publish(resolution.id, 1000, clock.now())
        await repo.people.add(9200, "Олег", Role.OFFICIAL)
        await session.commit()
        recs = {g.kind: [r.id for r in g.recommendations] for g in resolution.groups}
    async with app.session_factory() as session:
        repo = Repositories(session)
        people = {tid: await repo.people.by_telegram_id(tid) for tid in (9101, 9102, 9104)}
        service = ReportService(repo)
        inst, muni = recs[OrgKind.INSTITUTION], recs[OrgKind.MUNICIPAL]
        plan = [
            (9101, inst[0], ReportStatus.DONE, None),
            (9101, inst[1], ReportStatus.DONE, None),
            (9101, inst[2], ReportStatus.NOT_APPLICABLE, "Нет такой программы"),
            (9102, inst[0], ReportStatus.IN_PROGRESS, None),
            (9104, muni[0], ReportStatus.DONE, None),
        ]
        for i, (tid, rec_id, status, reason) in enumerate(plan):
            person = people[tid]
            assert person is not None
            await service.submit(
                person,
                ReportDraft(rec_id, status, reason, f"Комментарий {i}", evidence=proof(status)),
                f"k{i}",
                clock.now(),
            )
        await session.commit()


async def test_digest_numbers_xlsx_and_chart(app: Runtime, clock: FrozenClock) -> None:
    await known_data_set(app, clock)
    async with app.session_factory() as session:
        digest = await build_digest(session, None, None, dt.date(2026, 10, 5), None, translator("ru"))
    assert_known_figures(digest.figures)
    assert_known_text(digest.text_parts)
    assert_known_workbook(digest.xlsx)
    assert digest.png.startswith(PNG_MAGIC)
    from matplotlib.image import imread

    assert imread(io.BytesIO(digest.png), format="png").shape[0] > 100


def assert_known_figures(f: DigestFigures) -> None:
    assert (f.overall.total, f.overall.done, f.overall.in_progress, f.overall.not_applicable) == (13, 3, 1, 1)
    assert f.overall.no_answer == 8 and f.overall.applicable == 12 and round(f.overall.percent_done) == 25
    groups = {g.heading: t for g, t in f.groups}
    assert (
        groups["Учреждениям дополнительного образования детей"].done,
        groups["Учреждениям дополнительного образования детей"].total,
    ) == (2, 9)
    assert (
        groups["Муниципальным органам управления образованием"].done,
        groups["Муниципальным органам управления образованием"].total,
    ) == (1, 4)
    assert {name: (t.done, t.total) for name, t in f.municipalities.items()} == {
        "Вяземский район": (3, 5),
        "Сафоновский район": (0, 8),
    }
    assert [o.name for o in f.silent] == ["Клуб <b>&", "Комитет М2"]
    # The deadline (30.09) has passed: everyone with an open, unfinished cell is overdue; A has none.
    assert [o.name for o in f.overdue] == ["Отдел М1", "Клуб <b>&", "Комитет М2", "ЦДТ Б"]
    least = [rec.number for rec, _ in f.least_progress(3)]
    assert least[0] in {"1.2", "2.2", "2.3"} and "2.1" not in least


def assert_known_text(text_parts: list[str]) -> None:
    text = "\n".join(text_parts)
    assert all(len(part) < 4096 for part in text_parts)
    assert (
        "Принято 0%</b> применимых позиций: выполнены и приняты при проверке 0 из 12" in text
        and "самими организациями: 3 (25%)" in text
    )
    assert "Клуб &lt;b&gt;&amp;" in text and "<b>&" not in text.replace("<b>Принято", "")


def assert_known_workbook(xlsx: bytes) -> None:
    workbook = load_workbook(io.BytesIO(xlsx), read_only=True)
    assert workbook.sheetnames == [
        "Сводка",
        "Матрица",
        "Муниципалитеты",
        "Рейтинг муниципалитетов",
        "Подтверждения",
        "Сроки организаций",
        "Переносы сроков",
        "Отчёты",
    ]
    matrix = list(workbook["Матрица"].iter_rows(values_only=True))
    assert matrix[0] == ("Организация", "Муниципалитет", "1.1", "1.2", "2.1", "2.2", "2.3")
    rows = {r[0]: r[2:] for r in matrix[1:]}
    assert rows["ДДТ А"] == (None, None, "Выполнено", "Выполнено", "Не применимо")
    assert rows["ЦДТ Б"] == (None, None, "В работе", "Нет отчёта", "Нет отчёта")
    assert rows["Отдел М1"] == ("Выполнено", "Нет отчёта", None, None, None)
    assert "Библиотека" not in rows
    munis = list(workbook["Муниципалитеты"].iter_rows(values_only=True))
    assert munis[1][:3] == ("Вяземский район", 5, 3)


async def test_digest_by_municipality_and_changes(app: Runtime, clock: FrozenClock) -> None:
    await known_data_set(app, clock)
    async with app.session_factory() as session:
        first = await build_digest(
            session, None, "Сафоновский район", dt.date(2026, 9, 5), None, translator("ru")
        )
        assert first.figures.overall.total == 8 and first.figures.overall.in_progress == 1
        assert list(first.figures.municipalities) == ["Сафоновский район"]
        assert first.figures.overdue == []  # before the deadline
        second = await build_digest(
            session,
            None,
            None,
            dt.date(2026, 9, 5),
            {"done": 1, "answered": 2, "answered_orgs": [1]},
            translator("ru"),
        )
    assert second.changes is not None
    assert (second.changes.done, second.changes.answered) == (2, 3)
    assert "С прошлой сводки: выполнено +2" in "\n".join(second.text_parts)


async def test_digest_on_demand_through_the_outbox(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await known_data_set(app, clock)
    oleg = emulator.add_user(9200, "Олег", started=True)
    await oleg.send("/digest")
    menu = await oleg.expect(contains="Сводка о ходе выполнения")
    await oleg.click(menu, "По муниципалитету")
    munis = await oleg.expect(contains="Выберите муниципалитет")
    await oleg.click(munis, "Вяземский район")
    await oleg.expect(contains="Сводка составляется")
    summary = await oleg.expect(contains="Сводка о выполнении резолюции", timeout=15)
    assert "Муниципалитет: Вяземский район" in summary.text
    document = await oleg.expect(predicate=lambda m: m.document is not None, timeout=15)
    workbook = load_workbook(io.BytesIO(emulator.file_bytes(document.document["file_id"])), read_only=True)
    assert {r[0] for r in list(workbook["Матрица"].iter_rows(values_only=True))[1:]} == {"ДДТ А", "Отдел М1"}
    photo = await oleg.expect(predicate=lambda m: bool(m.photo), timeout=15)
    largest = max(photo.photo or [], key=lambda p: p.get("file_size", 0))
    assert emulator.file_bytes(largest["file_id"]).startswith(PNG_MAGIC)
    member = emulator.add_user(9101, "А", started=True)
    await member.send("/digest")
    await member.expect(contains="вам недоступна")


async def test_scheduled_digest_due_during_downtime_is_sent_once(app: Runtime, clock: FrozenClock) -> None:
    await known_data_set(app, clock)  # clock: Tuesday 2026-09-01 09:00 MSK
    await app.jobs.tick()
    assert (await app.jobs.tick()).digests == 0
    # Down from Sunday to Wednesday: the Monday 09:00 digest went unsent; after the restart it goes once,
    # even with two processes ticking on the same database.
    clock.set(dt.datetime(2026, 9, 9, 8, 0, tzinfo=dt.UTC))
    one = SchedulerJobs(app.session_factory, app.settings, clock, app.renderer, digest_step=app.digest_step())
    two = SchedulerJobs(app.session_factory, app.settings, clock, app.renderer, digest_step=app.digest_step())
    first, second = await one.tick(), await two.tick()
    assert (first.digests > 0) != (second.digests > 0)
    # The summary, the XLSX and the chart: to the official, and to each municipal authority's member.
    assert first.digests + second.digests == 9
    assert (await app.jobs.tick()).digests == 0
    async with app.session_factory() as session:
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.startswith("digest:")))
        )
    assert {r.method for r in rows} == {"sendMessage", "sendDocument", "sendPhoto"}
    assert {r.chat_id for r in rows} == {9200, 9104, 9105}
    # The next Monday brings the next digest, with what changed since this one.
    clock.set(dt.datetime(2026, 9, 14, 6, 30, tzinfo=dt.UTC))
    assert (await app.jobs.tick()).digests > 0
    async with app.session_factory() as session:
        texts = [
            r.payload["text"]
            for r in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.dedup_key.like("digest:20260914%"))
            )
            if r.method == "sendMessage"
        ]
    assert any("С прошлой сводки: выполнено +0" in text for text in texts)


async def test_digest_knows_review_state_and_own_deadlines(app: Runtime, clock: FrozenClock) -> None:
    """Issue 13, point 7: accepted / awaiting review / returned everywhere, the headline of accepted
    «Выполнено»; an approved extension moves one organization's cell out of "overdue"."""
    await known_data_set(app, clock)
    await review_two_and_extend_one(app, clock)
    async with app.session_factory() as session:
        digest = await build_digest(session, None, None, dt.date(2026, 10, 5), None, translator("ru"))
    overall = digest.figures.overall
    assert (overall.accepted, overall.returned, overall.awaiting_review) == (1, 1, 3)
    assert (overall.accepted_done, overall.returned_done, overall.done_awaiting_review) == (1, 1, 1)
    assert round(overall.percent_accepted) == 8 and round(overall.percent_done) == 25
    overdue = {o.name: o.overdue for o in digest.figures.overdue}
    assert overdue["ЦДТ Б"] == 2  # 2.2 and 2.3 still; 2.1 is now due 01.12.2026

    text = "\n".join(digest.text_parts)
    assert (
        "Принято 8%</b> применимых позиций: выполнены и приняты при проверке 1 из 12" in text
        and "самими организациями: 3 (25%)" in text
    )
    assert "Проверка отчётов: принято 1, на проверке 3, возвращено на доработку 1." in text
    assert_review_workbook(digest.xlsx)


async def review_two_and_extend_one(app: Runtime, clock: FrozenClock) -> None:
    """Accept ДДТ А's 2.1, return Отдел М1's 1.1 and approve ЦДТ Б's extension of 2.1 to 01.12.2026."""
    async with app.session_factory() as session:
        by_org = {
            (org, rec.position, rec.group.position): report
            for report, org, rec in (
                await session.execute(
                    select(Report, Organization.name, Recommendation)
                    .join(Organization, Report.organization_id == Organization.id)
                    .join(Recommendation, Report.recommendation_id == Recommendation.id)
                    .options(selectinload(Recommendation.group))
                )
            ).all()
        }
        by_org[("ДДТ А", 1, 2)].review_state = ReviewState.ACCEPTED
        by_org[("Отдел М1", 1, 1)].review_state = ReviewState.RETURNED
        in_progress = by_org[("ЦДТ Б", 1, 2)]
        session.add(
            DeadlineExtension(
                organization_id=in_progress.organization_id,
                recommendation_id=in_progress.recommendation_id,
                new_deadline=dt.date(2026, 12, 1),
                reason="Ремонт",
                state=ExtensionState.APPROVED,
                requested_at=clock.now(),
                decided_at=clock.now(),
            )
        )
        await session.commit()


def assert_review_workbook(xlsx: bytes) -> None:
    workbook = load_workbook(io.BytesIO(xlsx), read_only=True)
    rows = {r[0]: r[2:] for r in list(workbook["Матрица"].iter_rows(values_only=True))[1:]}
    assert rows["ДДТ А"] == (None, None, "Выполнено, принято", "Выполнено", "Не применимо")
    assert rows["Отдел М1"] == ("Выполнено, возвращено", "Нет отчёта", None, None, None)
    summary = list(workbook["Сводка"].iter_rows(values_only=True))
    header = next(row for row in summary if row[0] == "Группа адресатов")
    total = summary[summary.index(header) + 1]
    named = dict(zip(header, total, strict=False))
    assert (named["Принято"], named["На проверке"], named["Возвращено на доработку"]) == (1, 3, 1)
    assert named["% принятого выполнения"] == 1 / 12  # a share in a percentage cell: 8 %
    moved = list(workbook["Сроки организаций"].iter_rows(values_only=True))
    assert moved[0] == (
        "Организация",
        "Муниципалитет",
        "Рекомендация",
        "Общий срок",
        "Перенесён на",
        "Статус",
        "Проверка",
        "Просрочено",
    )
    assert moved[1:] == [
        (
            "ЦДТ Б",
            "Сафоновский район",
            "2.1",
            dt.datetime(2026, 9, 30),
            dt.datetime(2026, 12, 1),
            "В работе",
            "На проверке",
            None,
        )
    ]
