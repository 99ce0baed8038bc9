"""Issue 15, point 4: the digest workbook keeps deadline extensions as an official would — every request
(approved, denied, pending) with the deadline in force before it, the one asked for, the reason, who asked
and when, the decision, who made it and when, and its comment; dates as date cells on the TIMEZONE clock.

The requests are made and decided through the bot (as in tests/test_extensions.py), the workbook is the one
/digest sends; every row is checked against the database."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.documents import collect_digest, render_digest
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.texts.i18n import translator
from storage.models import AddresseeGroup, DeadlineExtension, Organization, Person, Recommendation
from tests.test_digest_workbook import assert_widths, workbook_from_the_bot
from tests.test_extensions import rec_message, setup
from tg_emulator import BotAPIEmulator, Persona

MOSCOW = ZoneInfo("Europe/Moscow")
# Late in the evening UTC: already the next day in Moscow, so a UTC date in a cell would be a day off.
ASKED_41 = dt.datetime(2026, 9, 1, 21, 30, tzinfo=dt.UTC)
APPROVED_41 = dt.datetime(2026, 9, 2, 22, 10, tzinfo=dt.UTC)
ASKED_42 = dt.datetime(2026, 9, 3, 9, 0, tzinfo=dt.UTC)
DENIED_42 = dt.datetime(2026, 9, 3, 23, 0, tzinfo=dt.UTC)
ASKED_43 = dt.datetime(2026, 9, 4, 21, 45, tzinfo=dt.UTC)
ASKED_41_AGAIN = dt.datetime(2026, 9, 5, 10, 20, tzinfo=dt.UTC)
DIGEST_DAY = dt.datetime(2026, 10, 5, 7, 0, tzinfo=dt.UTC)
HEAD, OFFICIAL = "Руководитель МБУ ДО ДДТ", "Олег Чиновников"
DENIAL = "Срок установлен решением форума, перенос невозможен"
COLUMNS = (
    "Организация",
    "Муниципалитет",
    "Рекомендация",
    "Действовавший срок",
    "Запрошенный срок",
    "Причина переноса",
    "Автор запроса",
    "Дата запроса",
    "Состояние",
    "Кто принял решение",
    "Дата решения",
    "Комментарий к решению",
)
STATE_WORDS = {"approved": "Одобрен", "denied": "Отклонён", "pending": "Ждёт решения"}


def day(year: int, month: int, date: int) -> dt.datetime:
    """A date cell as openpyxl reads it back."""
    return dt.datetime(year, month, date)


def moscow(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(MOSCOW).replace(tzinfo=None)


async def ask(head: Persona, number: str, current: str, date: str, reason: str) -> None:
    await head.click(rec_message(head, number), "Перенести срок")
    await head.expect(contains=f"Действующий срок: {current}")
    await head.send(date)
    await head.expect(contains="Коротко объясните")
    await head.send(reason)
    await head.expect(contains=f"до {date} отправлен в департамент")


async def open_request(official: Persona, count: int, number: str) -> None:
    await official.send("/extensions")
    await official.click(await official.expect(contains=f"Запросы о переносе срока ({count})"), number)


async def requests_through_the_bot(app: Runtime, emulator: BotAPIEmulator, clock: FrozenClock) -> Persona:
    """4.1 approved (then asked again, pending), 4.2 denied with a comment, 4.3 pending."""
    head, official = await setup(app, emulator, clock)
    clock.set(ASKED_41)
    await ask(head, "4.1", "01.10.2026", "01.12.2026", "Ремонт здания, кружки переехали")
    clock.set(APPROVED_41)
    await open_request(official, 1, "4.1")
    await official.click(await official.expect(contains="Ремонт здания"), "Одобрить")
    await official.expect(contains="Состояние: одобрен")
    clock.set(ASKED_42)
    await ask(head, "4.2", "01.10.2026", "15.11.2026", "Нет педагогов")
    clock.set(DENIED_42)
    await open_request(official, 1, "4.2")
    await official.click(await official.expect(contains="Нет педагогов"), "Отклонить")
    await official.expect(contains="Напишите комментарий для организации")
    await official.send(DENIAL)
    await official.expect(contains="В переносе отказано")
    clock.set(ASKED_43)
    await ask(head, "4.3", "01.10.2026", "20.10.2026", "Ждём оборудование")
    # A second request on 4.1: the deadline in force is now the approved one.
    clock.set(ASKED_41_AGAIN)
    await ask(head, "4.1", "01.12.2026", "20.12.2026", "Подрядчик сдвинул сроки ремонта")
    return official


async def stored_requests(app: Runtime) -> set[tuple[object, ...]]:
    """The database's requests as the sheet should show them (all but the derived deadline in force)."""
    asked, decided = aliased(Person), aliased(Person)
    async with app.session_factory() as session:
        rows = await session.execute(
            select(
                Organization.name,
                Organization.municipality,
                AddresseeGroup.position,
                Recommendation.position,
                DeadlineExtension,
                asked.full_name,
                decided.full_name,
            )
            .join(Organization, DeadlineExtension.organization_id == Organization.id)
            .join(Recommendation, DeadlineExtension.recommendation_id == Recommendation.id)
            .join(AddresseeGroup, Recommendation.group_id == AddresseeGroup.id)
            .outerjoin(asked, DeadlineExtension.requested_by == asked.id)
            .outerjoin(decided, DeadlineExtension.decided_by == decided.id)
        )
        return {
            (
                name,
                municipality,
                f"{group}.{position}",
                dt.datetime.combine(ext.new_deadline, dt.time()),
                ext.reason,
                who,
                moscow(ext.requested_at),
                STATE_WORDS[ext.state.value],
                decider,
                moscow(ext.decided_at) if ext.decided_at else None,
                ext.decision_comment,
            )
            for name, municipality, group, position, ext, who, decider in rows
        }


async def test_the_workbook_keeps_every_extension_request(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    official = await requests_through_the_bot(app, emulator, clock)
    clock.set(DIGEST_DAY)
    book = load_workbook(io.BytesIO(await workbook_from_the_bot(emulator, official)))
    assert book.sheetnames[-2:] == ["Переносы сроков", "Отчёты"]
    sheet = book["Переносы сроков"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    org = ("МБУ ДО ДДТ", "Вяземский район")
    common, moved = day(2026, 10, 1), day(2026, 12, 1)
    # By recommendation, each item's history oldest first; the deadline in force is the common one, or
    # for the second request on 4.1 the date its first request moved it to.
    assert [row[:5] + row[8:9] for row in rows[1:]] == [
        (*org, "4.1", common, moved, "Одобрен"),
        (*org, "4.1", moved, day(2026, 12, 20), "Ждёт решения"),
        (*org, "4.2", common, day(2026, 11, 15), "Отклонён"),
        (*org, "4.3", common, day(2026, 10, 20), "Ждёт решения"),
    ]
    first, again, denied, pending = rows[1:]
    # Times on the Moscow wall clock: both the request and the decision fall on the next day there.
    asked_at, approved_at = dt.datetime(2026, 9, 2, 0, 30), dt.datetime(2026, 9, 3, 1, 10)
    assert first[6:12] == (HEAD, asked_at, "Одобрен", OFFICIAL, approved_at, None)
    assert denied[9:] == (OFFICIAL, dt.datetime(2026, 9, 4, 2, 0), DENIAL)
    assert again[9:] == pending[9:] == (None, None, None)
    # Every row is a request in the database, and every request is a row.
    assert {row[:3] + row[4:] for row in rows[1:]} == await stored_requests(app)
    assert_sheet_form(sheet)
    # «Сроки организаций» keeps what is in force now: the approved date only.
    own = list(book["Сроки организаций"].iter_rows(values_only=True))[1:]
    assert [(row[2], row[3], row[4]) for row in own] == [("4.1", common, moved)]


def assert_sheet_form(sheet: Worksheet) -> None:
    """Real date cells in Russian formats, a frozen header and organization, a filter, fitted widths."""
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == "A1:L5"
    for column in "DE":
        assert sheet[f"{column}2"].is_date and sheet[f"{column}2"].number_format == "dd.mm.yyyy"
    for column in "HK":
        assert sheet[f"{column}2"].is_date and sheet[f"{column}2"].number_format == "dd.mm.yyyy hh:mm"
    assert sheet["F2"].alignment.wrap_text and sheet["L4"].alignment.wrap_text
    assert_widths(sheet)


async def test_english_and_municipal_workbooks(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    """An English official's workbook says it in English; a municipality's digest keeps its own requests."""
    await requests_through_the_bot(app, emulator, clock)
    today = DIGEST_DAY.date()
    async with app.session_factory() as session:
        region = await collect_digest(session, None, None, today, None, tz=app.settings.tz)
        elsewhere = await collect_digest(session, None, "Сафоновский район", today, None, tz=app.settings.tz)
        vyazma = await collect_digest(session, None, "Вяземский район", today, None, tz=app.settings.tz)
    assert len(region.extensions) == len(vyazma.extensions) == 4 and list(elsewhere.extensions) == []
    english = load_workbook(io.BytesIO((await render_digest(region, translator("en"))).xlsx))
    rows = list(english["Deadline extensions"].iter_rows(values_only=True))
    assert rows[0] == (
        "Organization",
        "Municipality",
        "Recommendation",
        "Deadline in force",
        "Deadline asked for",
        "Reason",
        "Requested by",
        "Requested on",
        "State",
        "Decided by",
        "Decided on",
        "Decision comment",
    )
    assert [row[8] for row in rows[1:]] == ["Approved", "Pending", "Denied", "Pending"]
    assert rows[1][7] == dt.datetime(2026, 9, 2, 0, 30)  # still the bot's TIMEZONE, whatever the language
