"""Issue 14, points 3 and 4: a municipal authority's own digest (on demand and on the schedule) and the
municipalities' ranking in the department's digest (text, chart, workbook).

Three municipalities, thresholds from the settings (green 60 %, yellow 30 %):
- Северный район: its authority and three institutions (one with nobody registered); 5 of 7 applicable
  items done and accepted; the silent institution's two items are overdue after 30.09 → 🟡 (🟢 before).
- Южный район: its authority and three institutions (two with nobody registered); 1 of 7 → 🔴.
- Восточный район: its authority only, no institutions; 1 of 1 → 🟢, and no scheduled digest of its own.
The department and the institute sit in Северный район too, with reports of their own: a municipal
digest must never count them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.config import Settings
from bot.documents import build_digest, render_digest_text
from bot.documents.figures import DigestFigures
from bot.documents.ranking import MunicipalRanking
from bot.domain import OrgKind, ReportStatus, ReviewState, Role
from bot.domain.clock import FrozenClock
from bot.domain.ranking import Light, Standing, Thresholds, rank_municipalities
from bot.runtime.app import Runtime
from bot.services.organizations import municipality_code
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from bot.telegram.callbacks import DigestPick
from bot.texts.i18n import translator
from bot.texts.text_split import TELEGRAM_TEXT_LIMIT
from scheduler.jobs import SchedulerJobs
from storage.models import Organization, OutboxMessage, Person, Report
from storage.repositories import Repositories
from tests.conftest import make_settings
from tg_emulator import BotAPIEmulator
from tg_emulator.personas import Persona

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NORTH, SOUTH, EAST = "Северный район", "Южный район", "Восточный район"
OFFICIAL, NORTH_HEAD, SOUTH_HEAD, EAST_HEAD, NORTH_SCHOOL = 9200, 9301, 9302, 9303, 9311
AFTER_DEADLINE = dt.datetime(2026, 10, 5, 7, 0, tzinfo=dt.UTC)  # Monday 10:00 in Moscow
RESOLUTION = """РЕЗОЛЮЦИЯ
форума «Муниципальный»

24 августа 2026 г.

Департаменту Смоленской области по образованию и науке:
- рекомендация департаменту.

Муниципальным органам управления образованием:
- рекомендация муниципальным органам.

Региональному институту развития образования:
- рекомендация институту.

Учреждениям дополнительного образования детей:
- первая рекомендация учреждениям;
- вторая рекомендация учреждениям.
""".encode()
# (name, kind, municipality, members, reports: status and accepted per item of its group)
DONE_OK = (ReportStatus.DONE, True)
ORGS = [
    ("Департамент", OrgKind.DEPARTMENT, NORTH, [9401], [DONE_OK]),
    ("ИРО", OrgKind.INSTITUTE, NORTH, [9402], [DONE_OK]),
    ("Управление Север", OrgKind.MUNICIPAL, NORTH, [NORTH_HEAD], [DONE_OK]),
    ("ДДТ Север-1", OrgKind.INSTITUTION, NORTH, [NORTH_SCHOOL], [DONE_OK, DONE_OK]),
    ("ЦДТ Север-2", OrgKind.INSTITUTION, NORTH, [9312], [DONE_OK, DONE_OK]),
    ("Клуб Север-3", OrgKind.INSTITUTION, NORTH, [], []),
    ("Отдел Юг", OrgKind.MUNICIPAL, SOUTH, [SOUTH_HEAD], []),
    ("ДДТ Юг-1", OrgKind.INSTITUTION, SOUTH, [9321], [DONE_OK, (ReportStatus.IN_PROGRESS, False)]),
    ("Станция Юг-2", OrgKind.INSTITUTION, SOUTH, [], []),
    ("Студия Юг-3", OrgKind.INSTITUTION, SOUTH, [], [(ReportStatus.DONE, False)]),
    ("Отдел Восток", OrgKind.MUNICIPAL, EAST, [EAST_HEAD], [DONE_OK]),
]
NORTH_ORGS = {"Управление Север", "ДДТ Север-1", "ЦДТ Север-2", "Клуб Север-3"}
OUTSIDE_NORTH = ("Департамент", "ИРО", "Юг", SOUTH, "Восток", EAST)


@pytest.fixture
def settings(tmp_path: Path, emulator: BotAPIEmulator, database_url: str, redis_url: str | None) -> Settings:
    return make_settings(
        tmp_path,
        emulator.base_url,
        database_url,
        redis_url=redis_url,
        ranking_green_percent=60,
        ranking_yellow_percent=30,
    )


async def three_municipalities(app: Runtime, clock: FrozenClock) -> None:
    """The data set of the module docstring, published, with reports written straight to the database."""
    async with app.session_factory() as session:
        repo = Repositories(session)
        orgs = [(await seed_org(repo, name, kind, place, ids)).org for name, kind, place, ids, _ in ORGS]
        resolution = await seed_resolution(repo, RESOLUTION, "r.txt")
        resolution.deadline = dt.date(2026, 9, 30)
        await PublicationService(repo, app.renderer).publish(resolution.id, 1000, clock.now())
        await repo.people.add(OFFICIAL, "Олег", Role.OFFICIAL)
        items = {g.kind: [r.id for r in g.recommendations] for g in resolution.groups}
        for org, (*_, plan) in zip(orgs, ORGS, strict=True):
            for rec_id, (status, accepted) in zip(items[org.kind], plan, strict=False):
                review = ReviewState.ACCEPTED if accepted else ReviewState.PENDING
                session.add(
                    Report(
                        organization_id=org.id,
                        recommendation_id=rec_id,
                        status=status,
                        comment="",
                        version=1,
                        review_state=review,
                        updated_at=clock.now(),
                    )
                )
        await session.commit()


async def reach_in_database(app: Runtime) -> dict[str, tuple[int, int]]:
    """Per municipality: active institutions, and those without a single registered member."""
    async with app.session_factory() as session:
        members = (
            select(func.count())
            .select_from(Person)
            .where(Person.organization_id == Organization.id, Person.role == Role.MEMBER)
            .scalar_subquery()
        )
        rows = await session.execute(
            select(Organization.municipality, Organization.name, members).where(
                Organization.kind == OrgKind.INSTITUTION, Organization.is_active.is_(True)
            )
        )
        reach: dict[str, tuple[int, int]] = {}
        for place, _, count in rows:
            total, nobody = reach.get(place, (0, 0))
            reach[place] = (total + 1, nobody + (count == 0))
        return reach


def workbook_rows(data: bytes, sheet: str) -> list[tuple[object, ...]]:
    return list(load_workbook(io.BytesIO(data), read_only=True)[sheet].iter_rows(values_only=True))


def every_cell(data: bytes) -> Iterator[str]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            yield from (str(cell) for cell in row if cell is not None)


# --- the ranking -------------------------------------------------------------------------------------


async def test_ranking_lights_follow_the_settings_and_overdue_items(app: Runtime, clock: FrozenClock) -> None:
    await three_municipalities(app, clock)
    thresholds = app.settings.ranking
    assert (thresholds.green, thresholds.yellow) == (60, 30)
    async with app.session_factory() as session:
        before = await build_digest(
            session, None, None, dt.date(2026, 9, 5), None, translator("ru"), thresholds=thresholds
        )
        after = await build_digest(
            session, None, None, dt.date(2026, 10, 5), None, translator("ru"), thresholds=thresholds
        )
    assert before.ranking is not None and after.ranking is not None
    ranked_before = [(r.standing.name, r.light) for r in before.ranking.items]
    assert ranked_before == [(EAST, Light.GREEN), (NORTH, Light.GREEN), (SOUTH, Light.RED)]
    # After the deadline Клуб Север-3's two items are overdue: 71 % is no longer enough for green.
    ranked = after.ranking.items
    assert [(r.rank, r.standing.name, r.light) for r in ranked] == [
        (1, EAST, Light.GREEN),
        (2, NORTH, Light.YELLOW),
        (3, SOUTH, Light.RED),
    ]
    north, south = ranked[1].standing, ranked[2].standing
    assert (north.accepted_done, north.applicable, north.overdue) == (5, 7, 2)
    assert (south.accepted_done, south.applicable) == (1, 7)  # Студия Юг-3's «Выполнено» awaits review
    assert {r.standing.name: (r.standing.institutions, r.standing.unreachable) for r in ranked} == {
        EAST: (0, 0),
        **await reach_in_database(app),
    }


async def receive_digest(persona: Persona, emulator: BotAPIEmulator) -> tuple[str, bytes, bytes]:
    """The text (all parts), the workbook and the chart of the digest the persona asked for."""
    first = await persona.expect(contains="Сводка о выполнении резолюции", timeout=15)
    texts = [first.text or ""]
    document = await persona.expect(predicate=lambda m: m.document is not None, timeout=15)
    texts += [m.text or "" for m in persona.messages if m.text and m.message_id > first.message_id]
    workbook = emulator.file_bytes(document.document["file_id"])
    photo = await persona.expect(predicate=lambda m: bool(m.photo), timeout=15)
    largest = max(photo.photo or [], key=lambda p: p.get("file_size", 0))
    return "\n".join(texts), workbook, emulator.file_bytes(largest["file_id"])


async def test_department_digest_ranks_municipalities_in_text_chart_and_workbook(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock, tmp_path: Path
) -> None:
    await three_municipalities(app, clock)
    clock.set(AFTER_DEADLINE)
    oleg = emulator.add_user(OFFICIAL, "Олег", started=True)
    await oleg.send("/digest")
    await oleg.click(await oleg.expect(contains="Сводка о ходе выполнения"), "По всем резолюциям")
    text, workbook, chart = await receive_digest(oleg, emulator)

    assert "Рейтинг муниципалитетов" in text
    lines = [line for line in text.splitlines() if line[3:4] in ("🟢", "🟡", "🔴")]
    assert lines == [
        "1. 🟢 Восточный район: принято 100%, просрочено позиций: 0",
        "2. 🟡 Северный район: принято 71%, просрочено позиций: 2; "
        "учреждений без представителей в боте: 1 из 3",
        "3. 🔴 Южный район: принято 14%, просрочено позиций: 5; учреждений без представителей в боте: 2 из 3",
    ]
    assert "не меньше 60%" in text and "не меньше 30%" in text

    rows = workbook_rows(workbook, "Рейтинг муниципалитетов")
    assert rows[0] == (
        "Место",
        "Муниципалитет",
        "Светофор",
        "Принято «Выполнено» от применимых позиций",
        "Просрочено позиций",
        "Учреждений",
        "Учреждений без представителей в боте",
    )
    # The share is a real percentage cell: 5 of 7 is 0.714…, shown as 71 %.
    assert [(*row[:3], round(row[3], 3), *row[4:]) for row in rows[1:]] == [
        (1, EAST, "🟢 зелёный", 1.0, 0, 0, 0),
        (2, NORTH, "🟡 жёлтый", 0.714, 2, 3, 1),
        (3, SOUTH, "🔴 красный", 0.143, 5, 3, 2),
    ]
    reach = await reach_in_database(app)
    assert {row[1]: (row[5], row[6]) for row in rows[2:]} == reach

    assert chart.startswith(PNG_MAGIC)
    # Kept for a person to look at: the ranked bars in their lights' colours.
    (tmp_path / "ranking.png").write_bytes(chart)


# --- a municipal authority's own digest ---------------------------------------------------------------


async def accepted_done_in_database(app: Runtime, municipality: str) -> int:
    """Accepted «Выполнено» of the municipality's authority and institutions, counted in SQL."""
    async with app.session_factory() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(Report)
                .join(Organization, Report.organization_id == Organization.id)
                .where(
                    Organization.municipality == municipality,
                    Organization.kind.in_([OrgKind.MUNICIPAL, OrgKind.INSTITUTION]),
                    Report.status == ReportStatus.DONE,
                    Report.review_state == ReviewState.ACCEPTED,
                )
            )
            or 0
        )


async def digests_queued_for(app: Runtime, chat_id: int) -> int:
    async with app.session_factory() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id, OutboxMessage.dedup_key.startswith("digest:"))
            )
            or 0
        )


def assert_nothing_outside_north(text: str, workbook: bytes) -> None:
    outside = ("ИРО", "Отдел Юг", "ДДТ Юг-1", "Станция Юг-2", "Студия Юг-3", "Отдел Восток", SOUTH, EAST)
    headings = ("Департаменту", "институту")
    for name in (*outside, *headings):
        assert name not in text, name
    cells = set(every_cell(workbook))
    assert not {cell for cell in cells for name in (*outside, *headings, "Департамент") if name in cell}


async def test_municipal_member_digest_shows_only_their_municipality(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock, tmp_path: Path
) -> None:
    await three_municipalities(app, clock)
    clock.set(AFTER_DEADLINE)
    head = emulator.add_user(NORTH_HEAD, "Глава Север", started=True)
    await head.send("/digest")
    menu = await head.expect(contains="по муниципалитету «Северный район»")
    labels = [b["text"] for row in (menu.reply_markup or {}).get("inline_keyboard", []) for b in row]
    assert labels == ["📊 По всем резолюциям"]  # no choice of another municipality

    # Forged buttons: the list of municipalities, another municipality's digest. Refused, nothing queued.
    for forged in (DigestPick(muni="?"), DigestPick(muni=municipality_code(SOUTH))):
        await head.click_data(menu, forged.pack())
        answer = await head.expect_callback_answer()
        assert answer.show_alert and "устарела" in (answer.text or "")
    assert await digests_queued_for(app, NORTH_HEAD) == 0

    await head.click(menu, "По всем резолюциям")
    text, workbook, chart = await receive_digest(head, emulator)
    assert "Муниципалитет: Северный район" in text and chart.startswith(PNG_MAGIC)
    accepted = await accepted_done_in_database(app, NORTH)
    assert accepted == 5
    assert f"выполнены и приняты при проверке {accepted} из 7" in text
    assert "Рейтинг муниципалитетов" not in text
    book = load_workbook(io.BytesIO(workbook), read_only=True)
    assert "Рейтинг муниципалитетов" not in book.sheetnames
    matrix = workbook_rows(workbook, "Матрица")
    assert {row[0] for row in matrix[1:]} == NORTH_ORGS
    assert matrix[0][2:] == ("2.1", "4.1", "4.2")  # the authority's and the institutions' items only
    assert_nothing_outside_north(text, workbook)
    (tmp_path / "north.png").write_bytes(chart)  # kept for a person to look at

    # An institution's member is no supervisor: no digest at all.
    school = emulator.add_user(NORTH_SCHOOL, "Директор", started=True)
    await school.send("/digest")
    await school.expect(contains="вам недоступна")


# --- on the schedule ---------------------------------------------------------------------------------


async def scheduled_digest_rows(app: Runtime) -> dict[int, list[OutboxMessage]]:
    async with app.session_factory() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedup_key.startswith("digest:"))
            .order_by(OutboxMessage.id)
        )
        by_chat: dict[int, list[OutboxMessage]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        return by_chat


async def test_scheduled_municipal_digest_once_per_occurrence_and_after_downtime(
    app: Runtime, clock: FrozenClock
) -> None:
    await three_municipalities(app, clock)  # Tuesday 2026-09-01: the last Monday is history, not a debt
    assert (await app.jobs.tick()).digests == 0

    # Down from Sunday to Wednesday: Monday's 09:00 digest is owed; two processes tick, one sends it.
    clock.set(dt.datetime(2026, 9, 9, 8, 0, tzinfo=dt.UTC))
    one = SchedulerJobs(app.session_factory, app.settings, clock, app.renderer, digest_step=app.digest_step())
    two = SchedulerJobs(app.session_factory, app.settings, clock, app.renderer, digest_step=app.digest_step())
    first, second = await one.tick(), await two.tick()
    # The summary, the workbook and the chart: to the official and to the two authorities with
    # institutions; Восточный район has none and gets nothing.
    assert sorted([first.digests, second.digests]) == [0, 9]
    assert (await app.jobs.tick()).digests == 0
    by_chat = await scheduled_digest_rows(app)
    assert set(by_chat) == {OFFICIAL, NORTH_HEAD, SOUTH_HEAD}
    assert all(len(rows) == 3 for rows in by_chat.values())

    north = {row.method: row.payload for row in by_chat[NORTH_HEAD]}
    assert "Муниципалитет: <b>Северный район</b>" in north["sendMessage"]["text"]
    north_book = Path(north["sendDocument"]["file_path"]).read_bytes()
    assert {row[0] for row in workbook_rows(north_book, "Матрица")[1:]} == NORTH_ORGS
    assert_nothing_outside_north(north["sendMessage"]["text"], north_book)
    south = {row.method: row.payload for row in by_chat[SOUTH_HEAD]}
    south_book = Path(south["sendDocument"]["file_path"]).read_bytes()
    assert {row[0] for row in workbook_rows(south_book, "Матрица")[1:]} == {
        "Отдел Юг",
        "ДДТ Юг-1",
        "Станция Юг-2",
        "Студия Юг-3",
    }

    # The next Monday brings the next one, once more, once.
    clock.set(dt.datetime(2026, 9, 14, 6, 30, tzinfo=dt.UTC))
    assert (await app.jobs.tick()).digests == 9
    assert (await app.jobs.tick()).digests == 0
    assert {chat: len(rows) for chat, rows in (await scheduled_digest_rows(app)).items()} == {
        OFFICIAL: 6,
        NORTH_HEAD: 6,
        SOUTH_HEAD: 6,
    }


# --- a region of many municipalities -----------------------------------------------------------------


def many_municipalities(count: int) -> tuple[DigestFigures, MunicipalRanking]:
    """`count` municipalities with long names, each an authority and one institution, progress 0–100 %."""
    today = dt.date(2026, 10, 5)
    standings = [
        Standing(
            f"Муниципальное образование «Очень длинное название района номер {i}»",
            i % 11,
            10,
            i % 3,
            4,
            i % 4,
        )
        for i in range(count)
    ]
    figures = DigestFigures(today, [(1, "Резолюция форума «Тестовый»")], None)
    return figures, MunicipalRanking(Thresholds(80, 50), rank_municipalities(standings, Thresholds(80, 50)))


def test_a_long_ranking_is_split_under_telegrams_limit_and_lists_everyone() -> None:
    figures, ranking = many_municipalities(120)
    parts = render_digest_text(translator("ru"), figures, None, ranking)
    assert len(parts) > 1 and all(len(part) < TELEGRAM_TEXT_LIMIT for part in parts)
    listed = [line for part in parts for line in part.splitlines() if re.match(r"\d+\. ", line)]
    assert len(listed) == 120 and listed[0].startswith("1. 🟢") and listed[-1].startswith("120. 🔴")
    english = "\n".join(render_digest_text(translator("en"), figures, None, ranking))
    assert "Municipalities ranked" in english and "% accepted, overdue items: " in english


def test_ranked_chart_of_thirty_municipalities_is_drawn(tmp_path: Path) -> None:
    from bot.documents.chart import build_chart

    figures, ranking = many_municipalities(30)
    png = build_chart(figures, translator("ru"), ranking)
    assert png.startswith(PNG_MAGIC)
    (tmp_path / "thirty.png").write_bytes(png)


async def test_a_municipalitys_chart_shows_its_organizations_least_accepted_first(
    app: Runtime, clock: FrozenClock
) -> None:
    from matplotlib.text import Text

    from bot.documents.chart import chart_figure

    await three_municipalities(app, clock)
    t = translator("ru")
    async with app.session_factory() as session:
        digest = await build_digest(
            session, None, NORTH, dt.date(2026, 10, 5), None, t, kinds=("municipal", "institution")
        )
    figure = chart_figure(digest.figures, t, digest.ranking)
    figure.canvas.draw()  # tick labels get their final text when drawn
    shown = [text.get_text() for text in figure.findobj(Text) if text.get_text()]
    assert t.plain("doc.chart_by_organization") in shown
    names = [name for name in shown if name in NORTH_ORGS]
    assert names[0] == "Клуб Север-3" and set(names) == NORTH_ORGS
