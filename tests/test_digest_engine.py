"""The digest engine against a known data set written straight into a fresh SQLite database.

No bot and no clock: every digest gets its `today`, so the numbers below are exact.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.documents import Digest, build_digest, build_figures, render_digest_text
from bot.documents.figures import NO_ANSWER, NOT_ADDRESSED, DigestFigures, Matrix, figures_from
from bot.documents.xlsx import build_xlsx
from bot.domain import EvidenceKind, OrgKind, ReportStatus, ResolutionStatus
from bot.services.seed import seed_org, seed_resolution
from bot.texts.i18n import translator
from bot.texts.text_split import TELEGRAM_TEXT_LIMIT
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Evidence, Recommendation, Report
from storage.repositories import Repositories
from storage.repositories.digest import DigestRepo, GroupInfo, OrgInfo, RecInfo

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
DEADLINE = dt.date(2026, 9, 30)
LATE_ITEM_DEADLINE = dt.date(2026, 12, 31)  # item 2.3 has its own, later deadline
AFTER_DEADLINE = dt.date(2026, 10, 5)
WHEN = dt.datetime(2026, 9, 10, 12, 0, tzinfo=dt.UTC)
EVIL = "Клуб <b>&"
VYAZMA, SAFONOVO = "Вяземский район", "Сафоновский район"
SHEETS = ["Сводка", "Матрица", "Муниципалитеты", "Подтверждения", "Сроки организаций"]
MOSCOW = ZoneInfo("Europe/Moscow")


class KnownData:
    """Ids of what `seed` wrote, by the names the assertions use."""

    def __init__(self) -> None:
        self.orgs: dict[str, int] = {}
        self.recs: dict[str, int] = {}
        self.first: int = 0
        self.second: int = 0


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A fresh SQLite file (conftest's database_url); a fresh PostgreSQL database with TEST_DATABASE_URL."""
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_session_factory(engine)
    await engine.dispose()


async def report(session: AsyncSession, org: int, rec: int, status: ReportStatus, minutes: int = 0) -> Report:
    row = Report(
        organization_id=org,
        recommendation_id=rec,
        status=status,
        comment="",
        version=1,
        updated_at=WHEN + dt.timedelta(minutes=minutes),
    )
    session.add(row)
    await session.flush()
    return row


async def seed(sessions: async_sessionmaker[AsyncSession]) -> KnownData:
    """Resolution 1 (published): items 1.1-1.2 to municipal bodies, 2.1-2.3 to institutions.

    Institutions A (Вязьма), B and «Клуб <b>&» (Сафоново), D (no municipality); municipal bodies
    M1 (Вязьма) and M2 (Сафоново). Not counted: a library (kind OTHER), a deactivated institution,
    a municipal body's report on an institutions' item, resolution 3 (a draft). Resolution 2
    (published) has one item for institutions, answered by A only.
    """
    data = KnownData()
    async with sessions() as session:
        repo = Repositories(session)
        await seed_orgs(repo, data)
        second_rec, draft_rec = await seed_resolutions(repo, data)
        await session.flush()
        await seed_reports(session, data, second_rec, draft_rec)
        await session.commit()
    return data


async def seed_orgs(repo: Repositories, data: KnownData) -> None:
    """The organizations by key (A, B, C, D, M1, M2, X, Z); Z is deactivated."""
    for key, name, kind, municipality in (
        ("A", "ДДТ А", OrgKind.INSTITUTION, VYAZMA),
        ("B", "ЦДТ Б", OrgKind.INSTITUTION, SAFONOVO),
        ("C", EVIL, OrgKind.INSTITUTION, SAFONOVO),
        ("D", "Школа искусств Д", OrgKind.INSTITUTION, ""),
        ("M1", "Отдел М1", OrgKind.MUNICIPAL, VYAZMA),
        ("M2", "Комитет М2", OrgKind.MUNICIPAL, SAFONOVO),
        ("X", "Библиотека", OrgKind.OTHER, VYAZMA),
        ("Z", "Закрытый ДДТ", OrgKind.INSTITUTION, VYAZMA),
    ):
        data.orgs[key] = (await seed_org(repo, name, kind, municipality)).org.id
    closed = await repo.orgs.get(data.orgs["Z"])
    assert closed is not None
    closed.is_active = False


async def seed_resolutions(repo: Repositories, data: KnownData) -> tuple[Recommendation, Recommendation]:
    """Resolutions 1 and 2 (published) and 3 (a draft); returns the only items of 2 and 3."""
    first = await seed_resolution(repo, RESOLUTION, "r1.txt")
    first.status, first.deadline = ResolutionStatus.PUBLISHED, DEADLINE
    for group in first.groups:
        for rec in group.recommendations:
            data.recs[f"{group.position}.{rec.position}"] = rec.id
            if (group.position, rec.position) == (2, 3):
                rec.deadline = LATE_ITEM_DEADLINE
    second = await repo.resolutions.add(
        "Вторая резолюция", None, None, "r2.txt", 0, [("Учреждениям", OrgKind.INSTITUTION, ["одна"])]
    )
    second.status = ResolutionStatus.PUBLISHED
    draft = await repo.resolutions.add(
        "Черновик", None, None, "r3.txt", 0, [("Учреждениям", OrgKind.INSTITUTION, ["черновая"])]
    )
    data.first, data.second = first.id, second.id
    return second.groups[0].recommendations[0], draft.groups[0].recommendations[0]


async def seed_reports(
    session: AsyncSession, data: KnownData, second_rec: Recommendation, draft_rec: Recommendation
) -> None:
    """The reports of the known data set and their evidence (the hidden organizations' too)."""
    o, r = data.orgs, data.recs
    a21 = await report(session, o["A"], r["2.1"], ReportStatus.DONE, 5)
    await report(session, o["A"], r["2.2"], ReportStatus.DONE, 30)
    await report(session, o["A"], r["2.3"], ReportStatus.NOT_APPLICABLE)
    b21 = await report(session, o["B"], r["2.1"], ReportStatus.IN_PROGRESS)
    await report(session, o["B"], r["2.3"], ReportStatus.DONE)
    await report(session, o["D"], r["2.1"], ReportStatus.NOT_STARTED)
    await report(session, o["M1"], r["1.1"], ReportStatus.DONE)
    await report(session, o["M1"], r["2.2"], ReportStatus.DONE)  # not addressed to municipal bodies
    x21 = await report(session, o["X"], r["2.1"], ReportStatus.DONE)
    z21 = await report(session, o["Z"], r["2.1"], ReportStatus.DONE)
    await report(session, o["A"], second_rec.id, ReportStatus.DONE)
    await report(session, o["A"], draft_rec.id, ReportStatus.DONE)
    session.add_all(
        [
            Evidence(
                report_id=a21.id,
                revision_version=1,
                kind=EvidenceKind.DOCUMENT,
                file_name="протокол.pdf",
                file_size=2048,
                created_at=WHEN,
            ),
            Evidence(
                report_id=b21.id,
                revision_version=1,
                kind=EvidenceKind.LINK,
                url="https://example.org/x?a=1&b=<2>",
                created_at=WHEN + dt.timedelta(hours=1),
            ),
            *(
                Evidence(report_id=hidden.id, revision_version=1, kind=EvidenceKind.TEXT, text="скрыто")
                for hidden in (x21, z21)
            ),
        ]
    )


async def digest_of(
    sessions: async_sessionmaker[AsyncSession],
    resolution_id: int | None,
    municipality: str | None = None,
    today: dt.date = AFTER_DEADLINE,
    previous: dict[str, object] | None = None,
) -> Digest:
    async with sessions() as session:
        return await build_digest(
            DigestRepo(session), resolution_id, municipality, today, previous, translator("ru"), tz=MOSCOW
        )


def counts(tally: object) -> tuple[int, ...]:
    """(total, done, in progress, not started, not applicable, no answer)."""
    return tuple(
        getattr(tally, name)
        for name in ("total", "done", "in_progress", "not_started", "not_applicable", "no_answer")
    )


async def test_figures_of_one_resolution(sessions: async_sessionmaker[AsyncSession]) -> None:
    data = await seed(sessions)
    async with sessions() as session:
        f = await build_figures(DigestRepo(session), data.first, None, AFTER_DEADLINE)

    assert counts(f.overall) == (16, 4, 1, 1, 1, 9)
    assert f.overall.applicable == 15 and round(f.overall.percent_done, 2) == 26.67
    assert [(g.position, counts(t)) for g, t in f.groups] == [
        (1, (4, 1, 0, 0, 0, 3)),
        (2, (12, 3, 1, 1, 1, 6)),
    ]
    assert {name: counts(t) for name, t in f.municipalities.items()} == {
        "": (3, 0, 0, 1, 0, 2),
        VYAZMA: (5, 3, 0, 0, 1, 1),
        SAFONOVO: (8, 1, 1, 0, 0, 6),
    }
    assert list(f.municipalities) == ["", VYAZMA, SAFONOVO]
    assert round(f.municipalities[VYAZMA].percent_done) == 75
    assert [(rec.number, counts(t)) for rec, t in f.recommendations] == [
        ("1.1", (2, 1, 0, 0, 0, 1)),
        ("1.2", (2, 0, 0, 0, 0, 2)),
        ("2.1", (4, 1, 1, 1, 0, 1)),
        ("2.2", (4, 1, 0, 0, 0, 3)),
        ("2.3", (4, 1, 0, 0, 1, 2)),
    ]
    # Least share done first; at equal shares, the more silent item first.
    assert [rec.number for rec, _ in f.least_progress()] == ["1.2", "2.2", "2.1", "2.3", "1.1"]
    assert [rec.number for rec, _ in f.least_progress(2)] == ["1.2", "2.2"]
    assert [o.name for o in f.silent] == [EVIL, "Комитет М2"]
    # 30.09 has passed for all but 2.3; A has finished everything that was due.
    assert [(o.name, o.overdue) for o in f.overdue] == [
        ("Школа искусств Д", 2),
        ("Отдел М1", 1),
        (EVIL, 2),
        ("Комитет М2", 2),
        ("ЦДТ Б", 2),
    ]
    assert {o.name for o in f.organizations} == {
        "ДДТ А",
        "ЦДТ Б",
        EVIL,
        "Школа искусств Д",
        "Отдел М1",
        "Комитет М2",
    }
    a = next(o for o in f.organizations if o.org_id == data.orgs["A"])
    assert a.last_update == WHEN + dt.timedelta(minutes=30)
    assert f.answered_orgs == {data.orgs[k] for k in ("A", "B", "D", "M1")}


async def test_deadlines_scope_and_municipality(sessions: async_sessionmaker[AsyncSession]) -> None:
    data = await seed(sessions)
    async with sessions() as session:
        repo = DigestRepo(session)
        before = await build_figures(repo, data.first, None, dt.date(2026, 9, 30))
        after_all = await build_figures(repo, data.first, None, dt.date(2027, 1, 10))
        everything = await build_figures(repo, None, None, AFTER_DEADLINE)
        safonovo = await build_figures(repo, data.first, SAFONOVO, AFTER_DEADLINE)
        nowhere = await build_figures(repo, data.first, "Нет такого", AFTER_DEADLINE)

    assert before.overdue == []  # the deadline day itself is not late yet
    assert {o.name: o.overdue for o in after_all.overdue} == {
        "Школа искусств Д": 3,
        "Отдел М1": 1,
        EVIL: 3,
        "Комитет М2": 2,
        "ЦДТ Б": 2,
    }
    # Both published resolutions; the draft and its report stay out.
    assert [i for i, _ in everything.resolutions] == [data.first, data.second]
    assert counts(everything.overall) == (20, 5, 1, 1, 1, 12)
    assert [(g.resolution_id, g.position) for g, _ in everything.groups] == [
        (data.first, 1),
        (data.first, 2),
        (data.second, 1),
    ]
    assert counts(safonovo.overall) == (8, 1, 1, 0, 0, 6)
    assert list(safonovo.municipalities) == [SAFONOVO]
    assert [o.name for o in safonovo.organizations] == [EVIL, "Комитет М2", "ЦДТ Б"]
    assert counts(nowhere.overall) == (0, 0, 0, 0, 0, 0) and nowhere.organizations == []


async def test_changes_since_the_previous_snapshot(sessions: async_sessionmaker[AsyncSession]) -> None:
    data = await seed(sessions)
    first = await digest_of(sessions, data.first)
    assert first.changes is None
    snapshot = json.loads(json.dumps(first.snapshot))  # stored as JSON between digests
    restored = DigestFigures.from_snapshot(snapshot)
    assert restored.overall == first.figures.overall
    assert restored.municipalities == first.figures.municipalities
    assert restored.groups == first.figures.groups
    assert restored.answered_orgs == first.figures.answered_orgs

    async with sessions() as session:
        o, r = data.orgs, data.recs
        await report(session, o["C"], r["2.1"], ReportStatus.DONE)
        await report(session, o["M2"], r["1.1"], ReportStatus.IN_PROGRESS)
        await report(session, o["B"], r["2.2"], ReportStatus.DONE)
        await session.commit()
    second = await digest_of(sessions, data.first, previous=snapshot)

    changes = second.changes
    assert changes is not None
    assert (changes.done, changes.in_progress, changes.answered, changes.newly_answered_orgs) == (2, 1, 3, 2)
    assert round(changes.percent_points, 2) == round(600 / 15 - 400 / 15, 2)  # 26.67% → 40%
    text = "\n".join(second.text_parts)
    assert "С прошлой сводки: выполнено +2, отчётов +3; организаций, впервые приславших отчёт: 2." in text
    assert "Доля выполненных позиций изменилась на +13.3 п. п." in text
    # Snapshots written before the detailed format still give exact differences.
    legacy = second.figures.changes_since({"done": 4, "answered": 7, "total": 16, "answered_orgs": [o["A"]]})
    assert legacy is not None and (legacy.done, legacy.answered, legacy.newly_answered_orgs) == (2, 3, 5)


class TelegramHtml(HTMLParser):
    """Fails on tags Telegram does not know and on tags left open or closed out of order."""

    ALLOWED = frozenset({"b", "i", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.ALLOWED, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, tag


def assert_valid_html(part: str) -> None:
    parser = TelegramHtml()
    parser.feed(part)
    parser.close()
    assert parser.stack == []
    assert not re.search(r"&(?!(lt|gt|amp|quot|#\d+);)", part), "unescaped &"


async def test_text_parts(sessions: async_sessionmaker[AsyncSession]) -> None:
    data = await seed(sessions)
    digest = await digest_of(sessions, data.first)
    assert digest.text_parts and all(len(part) < TELEGRAM_TEXT_LIMIT for part in digest.text_parts)
    for part in digest.text_parts:
        assert_valid_html(part)
    text = "\n".join(digest.text_parts)
    assert "Сводка о выполнении резолюции на 05.10.2026" in text
    assert "Принято 0%</b> применимых позиций: выполнены и приняты при проверке 0 из 15" in text
    assert "самими организациями: 4 (27%)." in text
    assert "не применимо: 1 · нет отчёта: 9" in text
    assert "Организаций: 6, из них без единого отчёта: 2" in text
    assert (
        "2. Учреждениям дополнительного образования детей: принято 0% (0/11), отмечено выполненными 27% (3)"
        in text
    )
    assert "Клуб &lt;b&gt;&amp;" in text and EVIL not in text
    assert "<b>Организации без единого отчёта (2):</b>" in text
    assert "<b>Организации с просроченными рекомендациями (5):</b>" in text
    assert "• Школа искусств Д (—) — просрочено рекомендаций: 2" in text
    least = text.index("Рекомендации, по которым сделано меньше всего")
    assert text.index("• 1.2 ", least) < text.index("• 2.2 ", least) < text.index("• 1.1 ", least)


def synthetic_matrix(orgs: int, recs: int) -> Matrix:
    """Nobody has answered anything: every organization is silent and every list is at its longest."""
    group = GroupInfo(1, 1, 1, "Учреждениям " + "очень длинный заголовок " * 5, OrgKind.INSTITUTION.value)
    rec_infos = [RecInfo(i, 1, 1, f"1.{i}", "Рекомендация " * 20, DEADLINE) for i in range(1, recs + 1)]
    org_infos = [
        OrgInfo(
            i, f"Муниципальное бюджетное учреждение <№{i}> & «длинное название» " * 2, f"Район {i % 40}", ""
        )
        for i in range(orgs)
    ]
    rows = [bytearray([NO_ANSWER]) * recs for _ in range(orgs)]
    rows[0][0] = NOT_ADDRESSED
    return Matrix([(1, "Резолюция")], [group], rec_infos, org_infos, rows, [None] * orgs)


def test_long_lists_are_capped_and_split() -> None:
    figures = figures_from(synthetic_matrix(200, 70), AFTER_DEADLINE)
    assert len(figures.silent) == 200 and len(figures.overdue) == 200
    parts = render_digest_text(translator("ru"), figures, None)
    assert len(parts) >= 2
    for part in parts:
        assert len(part) < TELEGRAM_TEXT_LIMIT
        assert_valid_html(part)
    text = "\n".join(parts)
    assert text.count("…и ещё 170") == 2  # 200 silent and 200 overdue, 30 of each listed
    assert text.count("…и ещё 10") == 1  # 40 municipalities, 30 listed
    assert text.count("— принято 0% (0/") >= 10
    assert len(re.findall(r"^• 1\.\d+ ", text, flags=re.MULTILINE)) == 10


def test_workbook_keeps_user_text_as_text() -> None:
    matrix = synthetic_matrix(3, 2)
    injected = OrgInfo(99, '=HYPERLINK("http://evil")', "=1+2", OrgKind.INSTITUTION.value)
    matrix = Matrix(
        matrix.resolutions,
        matrix.groups,
        matrix.recs,
        [*matrix.orgs, injected],
        [*matrix.rows, bytearray(2)],
        [*matrix.last_update, None],
    )
    book = load_workbook(
        io.BytesIO(build_xlsx(figures_from(matrix, AFTER_DEADLINE), matrix, [], translator("ru")))
    )
    cells = [cell for row in book["Муниципалитеты"].iter_rows() for cell in row if cell.value == "=1+2"]
    cells += [cell for row in book["Матрица"].iter_rows() for cell in row if str(cell.value).startswith("=")]
    assert len(cells) == 3 and all(cell.data_type == "s" for cell in cells)


def rounded(row: tuple[object, ...]) -> tuple[object, ...]:
    """Shares as the workbook keeps them (a double written in text loses its last digit)."""
    return tuple(round(value, 9) if isinstance(value, float) else value for value in row)


async def test_workbook(sessions: async_sessionmaker[AsyncSession]) -> None:
    data = await seed(sessions)
    digest = await digest_of(sessions, data.first)
    book = load_workbook(io.BytesIO(digest.xlsx))
    own_sheets = ["Переносы сроков", "Отчёты"]
    assert book.sheetnames == [*SHEETS[:3], "Рейтинг муниципалитетов", *SHEETS[3:], *own_sheets]

    summary = [rounded(row) for row in book["Сводка"].iter_rows(values_only=True) if row[0] is not None]
    # Shares are fractions in percentage cells: 4 of 15 applicable shows as 27 %.
    assert rounded(("Всего", 16, 4, 1, 1, 1, 9, 4 / 15, 0, 7, 0, 0.0, None)) in summary
    rec = (
        "2.1 первая рекомендация учреждениям",
        4,
        1,
        1,
        1,
        0,
        1,
        0.25,
        0,
        3,
        0,
        0.0,
        dt.datetime(2026, 9, 30),
    )
    assert rec in summary

    sheet = book["Матрица"]
    assert sheet.freeze_panes == "C2"
    matrix = list(sheet.iter_rows(values_only=True))
    assert matrix[0] == ("Организация", "Муниципалитет", "1.1", "1.2", "2.1", "2.2", "2.3")
    rows = {row[0]: row[1:] for row in matrix[1:]}
    assert rows == {
        "Школа искусств Д": ("— (региональный уровень)", None, None, "Не начато", "Нет отчёта", "Нет отчёта"),
        "ДДТ А": (VYAZMA, None, None, "Выполнено", "Выполнено", "Не применимо"),
        "Отдел М1": (VYAZMA, "Выполнено", "Нет отчёта", None, None, None),
        EVIL: (SAFONOVO, None, None, "Нет отчёта", "Нет отчёта", "Нет отчёта"),
        "Комитет М2": (SAFONOVO, "Нет отчёта", "Нет отчёта", None, None, None),
        "ЦДТ Б": (SAFONOVO, None, None, "В работе", "Нет отчёта", "Выполнено"),
    }
    assert [row[0] for row in matrix[1:]] == list(rows)  # by municipality, then name

    munis = list(book["Муниципалитеты"].iter_rows(values_only=True))
    assert book["Муниципалитеты"].freeze_panes == "B2"
    assert munis[1:] == [
        ("— (региональный уровень)", 3, 0, 0, 1, 0, 2, 0.0, 0, 1, 0, 0.0, 1, 0),
        (VYAZMA, 5, 3, 0, 0, 1, 1, 3 / 4, 0, 4, 0, 0.0, 2, 0),
        (SAFONOVO, 8, 1, 1, 0, 0, 6, 1 / 8, 0, 2, 0, 0.0, 3, 2),
    ]

    assert_evidence_sheet(book["Подтверждения"])


def assert_evidence_sheet(proofs: Worksheet) -> None:
    assert proofs.freeze_panes == "A2"
    evidence = list(proofs.iter_rows(values_only=True))
    assert evidence[0][:5] == (
        "Организация",
        "Муниципалитет",
        "Рекомендация",
        "Вид",
        "Файл, ссылка или текст",
    )
    # Added at 12:00 and 13:00 UTC: shown on the Moscow wall clock.
    assert proofs["G2"].number_format == "dd.mm.yyyy hh:mm"
    body = [(*row[:6], row[6].replace(second=0, microsecond=0)) for row in evidence[1:]]
    assert body == [
        ("ДДТ А", VYAZMA, "2.1", "Документ", "протокол.pdf", 2048, dt.datetime(2026, 9, 10, 15, 0)),
        (
            "ЦДТ Б",
            SAFONOVO,
            "2.1",
            "Ссылка",
            "https://example.org/x?a=1&b=<2>",
            None,
            dt.datetime(2026, 9, 10, 16, 0),
        ),
    ]


async def test_chart_and_an_empty_digest(sessions: async_sessionmaker[AsyncSession]) -> None:
    data = await seed(sessions)
    digest = await digest_of(sessions, data.first)
    empty = await digest_of(sessions, None, municipality="Нет такого")
    for png in (digest.png, empty.png):
        assert png.startswith(PNG_MAGIC)
        from matplotlib.image import imread

        height, width, _ = imread(io.BytesIO(png), format="png").shape
        assert width >= 800 and height >= 300
    try:
        from PIL import Image
    except ImportError:  # matplotlib's own reader above already decoded it
        pass
    else:
        Image.open(io.BytesIO(digest.png)).verify()

    assert empty.figures.overall.total == 0
    assert "нет ни одной позиции" in "\n".join(empty.text_parts)
    book = load_workbook(io.BytesIO(empty.xlsx), read_only=True)
    header = next(book["Матрица"].iter_rows(values_only=True))
    assert header[:2] == ("Организация", "Муниципалитет")
