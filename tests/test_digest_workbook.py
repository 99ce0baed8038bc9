"""Issue 15, point 4: the digest workbook an official keeps — every report with its comment, «n/a» reason,
review decision and binding deadline; recommendation texts as the matrix's header notes; widths fitted
to the text; percentages as percentage cells; dates and times as date cells on the TIMEZONE wall clock.
The workbook is obtained the way an official gets it: /digest through the bot."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from array import array
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.documents.figures import DONE, NOT_APPLICABLE, Matrix, figures_from
from bot.documents.report_log import ReportLog
from bot.documents.xlsx import build_xlsx
from bot.documents.xlsx_kit import WIDTH_CAP
from bot.domain import ExtensionState, OrgKind, ReviewState
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.texts.i18n import translator
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import DeadlineExtension, Organization, Person, Report
from storage.repositories.digest import GroupInfo, OrgInfo, RecInfo
from tests.test_digest import known_data_set
from tests.test_digest_engine import digest_of, seed
from tg_emulator import BotAPIEmulator, Persona

SUBMITTED = dt.datetime(2026, 9, 1, 22, 30, tzinfo=dt.UTC)  # 01:30 on 2 September in Moscow
DECIDED = dt.datetime(2026, 9, 2, 21, 15, tzinfo=dt.UTC)  # 00:15 on 3 September in Moscow
DIGEST_DAY = dt.datetime(2026, 10, 5, 7, 0, tzinfo=dt.UTC)  # past the common deadline, 30.09.2026
MOSCOW_SUBMITTED = dt.datetime(2026, 9, 2, 1, 30)
MOSCOW_DECIDED = dt.datetime(2026, 9, 3, 0, 15)
COMMON, MOVED = dt.datetime(2026, 9, 30), dt.datetime(2026, 12, 1)
INSTITUTIONS = "2. Учреждениям дополнительного образования детей"
MUNICIPAL = "1. Муниципальным органам управления образованием"
VYAZMA, SAFONOVO = "Вяземский район", "Сафоновский район"
REPORT_COLUMNS = (
    "Организация",
    "Муниципалитет",
    "Группа адресатов",
    "Рекомендация",
    "Рекомендация кратко",
    "Статус",
    "Проверка",
    "Кто проверил",
    "Когда проверено",
    "Комментарий",
    "Почему не применимо",
    "Замечание проверяющего",
    "Срок",
    "Общий срок до переноса",
    "Просрочено",
    "Отчёт отправлен",
)


async def review_through_the_bot(oleg: Persona) -> None:
    """Олег accepts the oldest report (ДДТ А, 2.1) and returns the next (ДДТ А, 2.2) with a note."""
    await oleg.send("/review")
    await oleg.click(await oleg.expect(contains="Отчёт 1 из 5"), "Принять")
    await oleg.expect(contains="Принят отчёт «ДДТ А» по рекомендации 2.1")
    await oleg.send("/review")
    await oleg.click(await oleg.expect(contains="Отчёт 1 из 4"), "Вернуть на доработку")
    await oleg.expect(contains="Напишите одним сообщением")
    await oleg.send("Приложите приказ")
    await oleg.expect(contains="возвращён на доработку")


async def approve_extension(app: Runtime) -> None:
    """ЦДТ Б's deadline for 2.1 moves to 01.12.2026."""
    async with app.session_factory() as session:
        report = await session.scalar(
            select(Report)
            .join(Organization, Report.organization_id == Organization.id)
            .where(Organization.name == "ЦДТ Б")
        )
        assert report is not None
        session.add(
            DeadlineExtension(
                organization_id=report.organization_id,
                recommendation_id=report.recommendation_id,
                new_deadline=MOVED.date(),
                reason="Ремонт",
                state=ExtensionState.APPROVED,
                requested_at=DECIDED,
                decided_at=DECIDED,
            )
        )
        await session.commit()


async def workbook_from_the_bot(emulator: BotAPIEmulator, oleg: Persona) -> bytes:
    await oleg.send("/digest")
    await oleg.click(await oleg.expect(contains="Сводка о ходе выполнения"), "По всем резолюциям")
    document = await oleg.expect(predicate=lambda m: m.document is not None, timeout=15)
    return emulator.file_bytes(document.document["file_id"])


async def test_the_workbook_an_official_keeps(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    clock.set(SUBMITTED)
    await known_data_set(app, clock)
    oleg = emulator.add_user(9200, "Олег", started=True)
    clock.set(DECIDED)
    await review_through_the_bot(oleg)
    await approve_extension(app)
    clock.set(DIGEST_DAY)
    xlsx = await workbook_from_the_bot(emulator, oleg)
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[-1] == "Отчёты"
    await assert_reports_sheet(app, book["Отчёты"])
    assert_header_notes(book["Матрица"], xlsx)
    assert_percentages(book["Сводка"], book["Муниципалитеты"])
    assert_own_deadlines(book["Сроки организаций"])
    assert "Дата и время указаны по часовому поясу Europe/Moscow." in [
        row[0] for row in book["Сводка"].iter_rows(values_only=True)
    ]
    for sheet in book.worksheets:
        assert_widths(sheet)


async def assert_reports_sheet(app: Runtime, sheet: Worksheet) -> None:
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == REPORT_COLUMNS
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == "A1:P6"
    ddt, m1, cdt = (
        ("ДДТ А", VYAZMA, INSTITUTIONS),
        ("Отдел М1", VYAZMA, MUNICIPAL),
        ("ЦДТ Б", SAFONOVO, INSTITUTIONS),
    )
    first, second, third = (f"{word} рекомендация учреждениям" for word in ("первая", "вторая", "третья"))
    pending = ("На проверке", None, None)
    accepted = ("Принято", "Олег", MOSCOW_DECIDED)
    returned = ("Возвращено на доработку", "Олег", MOSCOW_DECIDED)
    common = (COMMON, None, None, MOSCOW_SUBMITTED)
    assert rows[1:] == [
        (*ddt, "2.1", first, "Выполнено", *accepted, "Комментарий 0", None, None, *common),
        (*ddt, "2.2", second, "Выполнено", *returned, "Комментарий 1", None, "Приложите приказ", *common),
        (*ddt, "2.3", third, "Не применимо", *pending, "Комментарий 2", "Нет такой программы", None, *common),
        (
            *m1,
            "1.1",
            "первая муниципальная рекомендация",
            "Выполнено",
            *pending,
            "Комментарий 4",
            None,
            None,
            *common,
        ),
        # An approved extension binds ЦДТ Б: not overdue on 05.10, the common deadline shown beside it.
        (
            *cdt,
            "2.1",
            first,
            "В работе",
            *pending,
            "Комментарий 3",
            None,
            None,
            MOVED,
            COMMON,
            None,
            MOSCOW_SUBMITTED,
        ),
    ]
    # Real date cells in a Russian format, not strings.
    assert sheet["P2"].number_format == "dd.mm.yyyy hh:mm" and sheet["I2"].is_date
    assert sheet["M2"].number_format == "dd.mm.yyyy" and sheet["M2"].is_date
    # The sheet agrees with the database: every report, its words and who decided on it.
    async with app.session_factory() as session:
        stored = await session.execute(
            select(Organization.name, Report.comment, Report.reason, Person.full_name, Report.review_state)
            .join(Organization, Report.organization_id == Organization.id)
            .outerjoin(Person, Report.reviewed_by == Person.id)
        )
        expected = {
            (org, comment, reason, None if state is ReviewState.PENDING else who)
            for org, comment, reason, who, state in stored
        }
    assert {(row[0], row[9], row[10], row[7]) for row in rows[1:]} == expected


def note_sizes(xlsx: bytes) -> dict[tuple[int, int], tuple[float, float]]:
    """(row, column) → (width, height) in points of every cell note, read from the notes' VML drawing
    (openpyxl does not read a note's size back)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as package:
        vml = "".join(package.read(name).decode() for name in package.namelist() if name.endswith(".vml"))
    shapes = re.findall(
        r"width:([\d.]+)pt;height:([\d.]+)pt.*?<x:Row>(\d+)</x:Row><x:Column>(\d+)</x:Column>", vml
    )
    return {(int(row), int(col)): (float(w), float(h)) for w, h, row, col in shapes}


def assert_header_notes(sheet: Worksheet, xlsx: bytes) -> None:
    header = list(sheet[1])
    notes = {cell.value: cell.comment for cell in header[2:]}
    assert set(notes) == {"1.1", "1.2", "2.1", "2.2", "2.3"}
    note = notes["2.1"]
    assert note is not None
    assert note.text == "2.1. первая рекомендация учреждениям\n\nСрок: 30.09.2026"
    assert header[0].comment is None and header[1].comment is None
    # Wide enough to read a paragraph, tall enough for its three lines.
    sizes = note_sizes(xlsx)
    assert len(sizes) == 5 and all(width >= 300 and height >= 45 for width, height in sizes.values())


def assert_percentages(summary: Worksheet, municipalities: Worksheet) -> None:
    rows = list(summary.iter_rows())
    header = next(row for row in rows if row[0].value == "Группа адресатов")
    total = rows[rows.index(header) + 1]
    named = {h.value: cell for h, cell in zip(header, total, strict=False)}
    # 3 «Выполнено» of 12 applicable, 1 of them accepted.
    assert named["% выполнения"].value == 3 / 12 and named["% выполнения"].number_format == "0%"
    assert named["% принятого выполнения"].value == 1 / 12
    assert named["% принятого выполнения"].number_format == "0%"
    vyazma = next(row for row in municipalities.iter_rows() if row[0].value == VYAZMA)
    assert vyazma[7].value == 3 / 4 and vyazma[7].number_format == "0%"


def assert_own_deadlines(sheet: Worksheet) -> None:
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        (
            "Организация",
            "Муниципалитет",
            "Рекомендация",
            "Общий срок",
            "Перенесён на",
            "Статус",
            "Проверка",
            "Просрочено",
        ),
        ("ЦДТ Б", SAFONOVO, "2.1", COMMON, MOVED, "В работе", "На проверке", None),
    ]
    assert sheet["D2"].number_format == sheet["E2"].number_format == "dd.mm.yyyy"


def width_of(sheet: Worksheet, column: int) -> int | None:
    """The width set for a column in characters (XlsxWriter writes equal neighbours as one range and adds
    a fraction of a character of padding)."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= column <= dimension.max and dimension.customWidth:
            return math.floor(dimension.width)
    return None


def assert_widths(sheet: Worksheet) -> None:
    """Every used column has a width of its own, wide enough for its header's longest word and capped."""
    for column in range(1, sheet.max_column + 1):
        width = width_of(sheet, column)
        assert width is not None, (sheet.title, column)
        assert width <= WIDTH_CAP + 10, (sheet.title, column, width)
        header = str(sheet.cell(1, column).value or "")
        if sheet.title != "Сводка":  # its first rows are lines of text, its tables start lower
            assert width >= max(map(len, header.split()), default=0), (sheet.title, header, width)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A fresh database, as in test_digest_engine."""
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_session_factory(engine)
    await engine.dispose()


async def test_reports_sheet_keeps_to_the_matrix(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The engine's known data set: the sheet lists the matrix's reports only (no library, no deactivated
    organization, no report on an item not addressed to its kind, no other resolution), in the matrix's
    order; open work past its deadline is marked overdue; times are on the Moscow wall clock."""
    data = await seed(sessions)
    digest = await digest_of(sessions, data.first)  # 05.10.2026, Europe/Moscow
    sheet = load_workbook(io.BytesIO(digest.xlsx))["Отчёты"]
    rows = [(r[0], r[3], r[5], r[12], r[14], r[15]) for r in sheet.iter_rows(min_row=2, values_only=True)]
    at = dt.datetime(2026, 9, 10, 15, 0)  # the reports' 12:00 UTC
    late = dt.datetime(2026, 12, 31)  # 2.3 has a deadline of its own
    assert rows == [
        ("Школа искусств Д", "2.1", "Не начато", COMMON, "да", at),
        ("ДДТ А", "2.1", "Выполнено", COMMON, None, at + dt.timedelta(minutes=5)),
        ("ДДТ А", "2.2", "Выполнено", COMMON, None, at + dt.timedelta(minutes=30)),
        ("ДДТ А", "2.3", "Не применимо", late, None, at),
        ("Отдел М1", "1.1", "Выполнено", COMMON, None, at),
        ("ЦДТ Б", "2.1", "В работе", COMMON, "да", at),
        ("ЦДТ Б", "2.3", "Выполнено", late, None, at),
    ]
    assert sheet.cell(2, 2).value == "— (региональный уровень)"


def test_long_text_wraps_in_capped_columns_and_stays_text() -> None:
    """A long comment does not make a column wider than the cap: it wraps. A long recommendation gets a
    taller note. User text that looks like a formula stays text."""
    kind = OrgKind.INSTITUTION.value
    text = "Провести педагогический совет по итогам года и утвердить план. " * 12
    matrix = Matrix(
        [(1, "Резолюция")],
        [GroupInfo(1, 1, 1, "Учреждениям", kind)],
        [RecInfo(1, 1, 1, "1.1", text, None), RecInfo(2, 1, 1, "1.2", "Коротко", None)],
        [OrgInfo(1, "ДДТ", "Район", kind)],
        [bytearray([DONE, NOT_APPLICABLE + 10])],
        [None],
    )
    log = ReportLog(
        2,
        array("q", [1, 0]),
        ["=1+2", "Сделано. " * 200],
        ["Нет такой программы", None],
        [None, None],
        [None, None],
        array("d", [math.nan, math.nan]),
        array("d", [0.0, 86_400.0 * 20_000]),
    )
    xlsx = build_xlsx(figures_from(matrix, dt.date(2026, 10, 5)), matrix, [], translator("ru"), reports=log)
    book = load_workbook(io.BytesIO(xlsx))
    sheet = book["Отчёты"]
    first, second = list(sheet.iter_rows(min_row=2, values_only=True))
    assert first[3] == "1.1" and first[9].startswith("Сделано.") and second[9] == "=1+2"
    assert sheet.cell(3, 10).data_type == "s"
    assert second[5:7] == ("Не применимо", "Принято") and second[10] == "Нет такой программы"
    assert first[15] == dt.datetime(2024, 10, 4) and second[15] == dt.datetime(1970, 1, 1)  # UTC by default
    assert width_of(sheet, 10) == 60 and sheet.cell(2, 10).alignment.wrap_text
    assert width_of(sheet, 5) == 40 and sheet.cell(2, 5).alignment.wrap_text
    assert sheet.cell(2, 5).value.endswith("…") and len(sheet.cell(2, 5).value) == 80
    sizes = note_sizes(xlsx)
    assert sizes[(0, 2)][1] > 3 * sizes[(0, 3)][1]  # 770 characters against one word
    for each in book.worksheets:
        assert_widths(each)
