"""Issue 14, point 5: the working calendar — Russia's production calendar, the admin's transfers from a
file, working hours in TIMEZONE — and the settings that set it."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.config import Settings, describe_invalid
from bot.domain.errors import DomainError
from bot.domain.workcalendar import DayKind, SnoozeDelay, WorkCalendar, snooze_moment
from bot.services.workcalendar import CalendarFileError, parse_transfers

MSK = ZoneInfo("Europe/Moscow")
CALENDAR = WorkCalendar(MSK)


def msk(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MSK)


def test_weekends_are_days_off_and_weekdays_working() -> None:
    assert not CALENDAR.is_working_day(dt.date(2026, 9, 5))  # Saturday
    assert not CALENDAR.is_working_day(dt.date(2026, 9, 6))  # Sunday
    assert CALENDAR.is_working_day(dt.date(2026, 9, 7))
    # Friday evening → Monday morning.
    assert CALENDAR.next_working_moment(msk(2026, 9, 4, 18, 0)) == msk(2026, 9, 7, 9, 0)


def test_the_new_year_week_and_the_transferred_31_december() -> None:
    for day in range(1, 9):
        assert not CALENDAR.is_working_day(dt.date(2027, 1, day)), day
    # 31 December 2026 is a day off moved from Sunday 4 January (the government's transfer).
    assert not CALENDAR.is_working_day(dt.date(2026, 12, 31))
    assert CALENDAR.next_working_moment(msk(2026, 12, 30, 18, 30)) == msk(2027, 1, 11, 9, 0)


def test_victory_day_and_its_observed_monday() -> None:
    # 2026: 9 May is a Saturday, Monday 11 May is off instead.
    assert not CALENDAR.is_working_day(dt.date(2026, 5, 11))
    assert CALENDAR.next_working_moment(msk(2026, 5, 8, 20, 0)) == msk(2026, 5, 12, 9, 0)
    # 2025: Friday 9 May, and Thursday 8 May moved from 23 February.
    assert not CALENDAR.is_working_day(dt.date(2025, 5, 9))
    assert not CALENDAR.is_working_day(dt.date(2025, 5, 8))


def test_the_librarys_working_saturday() -> None:
    # 1 November 2025 was worked for Monday 3 November.
    assert CALENDAR.is_working_day(dt.date(2025, 11, 1))
    assert not CALENDAR.is_working_day(dt.date(2025, 11, 3))
    assert CALENDAR.next_working_moment(msk(2025, 10, 31, 19, 0)) == msk(2025, 11, 1, 9, 0)


def test_a_working_saturday_from_an_uploaded_file_wins_over_the_library() -> None:
    transfers = parse_transfers("дата;день\n06.11.2027;рабочий\n2027-11-08;выходной\n".encode())
    calendar = WorkCalendar.of(MSK, dt.time(9), dt.time(18), transfers)
    assert calendar.is_working_day(dt.date(2027, 11, 6))  # a Saturday
    assert not calendar.is_working_day(dt.date(2027, 11, 8))  # a Monday
    # Friday 5 November 2027 is a holiday (moved from 2 January): the next working moment is Saturday.
    assert calendar.next_working_moment(msk(2027, 11, 5, 10, 0)) == msk(2027, 11, 6, 9, 0)
    assert calendar.next_working_moment(msk(2027, 11, 6, 18, 0)) == msk(2027, 11, 9, 9, 0)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((8, 59, 59), (9, 0, 0)),
        ((9, 0, 0), (9, 0, 0)),
        ((17, 59, 59), (17, 59, 59)),
    ],
)
def test_working_hours_boundaries_in_the_time_zone(
    local: tuple[int, int, int], expected: tuple[int, int, int]
) -> None:
    yekaterinburg = ZoneInfo("Asia/Yekaterinburg")
    calendar = WorkCalendar(yekaterinburg)
    moment = dt.datetime(2026, 9, 8, *local, tzinfo=yekaterinburg)
    assert calendar.next_working_moment(moment) == dt.datetime(2026, 9, 8, *expected, tzinfo=yekaterinburg)
    # 18:00 is past the working day: the next morning.
    evening = dt.datetime(2026, 9, 8, 18, 0, tzinfo=yekaterinburg)
    assert calendar.next_working_moment(evening) == dt.datetime(2026, 9, 9, 9, tzinfo=yekaterinburg)
    # The same instant in UTC: 04:00 UTC is 09:00 in Yekaterinburg and 07:00 in Moscow (not working).
    assert calendar.is_working_moment(dt.datetime(2026, 9, 8, 4, 0, tzinfo=dt.UTC))
    assert not CALENDAR.is_working_moment(dt.datetime(2026, 9, 8, 4, 0, tzinfo=dt.UTC))


TRANSFERS = st.dictionaries(
    st.dates(dt.date(2025, 12, 1), dt.date(2027, 2, 28)), st.sampled_from(list(DayKind)), max_size=30
)


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(dt.datetime(2025, 12, 1), dt.datetime(2027, 1, 31), timezones=st.just(dt.UTC)),
    transfers=TRANSFERS,
    start=st.integers(0, 22),
    length=st.integers(1, 23),
)
def test_next_working_moment_is_working_and_never_earlier(
    moment: dt.datetime, transfers: dict[dt.date, DayKind], start: int, length: int
) -> None:
    calendar = WorkCalendar(MSK, dt.time(start), dt.time(min(start + length, 23), 59), transfers)
    found = calendar.next_working_moment(moment)
    assert found >= moment
    assert calendar.is_working_moment(found)
    if calendar.is_working_moment(moment):
        assert found == moment
    else:
        # Not just any working moment: the start of a working day, and no working day in between.
        local = found.astimezone(MSK)
        assert local.time() == calendar.start
        day = moment.astimezone(MSK).date() + dt.timedelta(days=1)
        while day < local.date():
            assert not calendar.is_working_day(day)
            day += dt.timedelta(days=1)


def test_the_file_format_is_forgiving() -> None:
    text = (
        "Переносы на 2027 год\n"
        "\n"
        "# праздники\n"
        "2027-01-08;выходной\n"
        "08.02.2027, Выходной день ; по приказу\n"
        '"2027-02-20"\tрабочий\n'
        "06.11.2027 рабочий — за 5 ноября\n"
    )
    assert parse_transfers(text.encode("cp1251")) == [
        (dt.date(2027, 1, 8), DayKind.OFF),
        (dt.date(2027, 2, 8), DayKind.OFF),
        (dt.date(2027, 2, 20), DayKind.WORK),
        (dt.date(2027, 11, 6), DayKind.WORK),
    ]


def test_an_xlsx_with_real_dates_is_read() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Дата", "День"])
    sheet.append([dt.datetime(2027, 1, 8), "выходной"])
    sheet.append(["06.11.2027", "рабочий"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert parse_transfers(buffer.getvalue()) == [
        (dt.date(2027, 1, 8), DayKind.OFF),
        (dt.date(2027, 11, 6), DayKind.WORK),
    ]


def test_every_bad_row_is_named() -> None:
    text = (
        "дата;день\n2027-01-08;выходной\n2027-13-01;выходной\n2027-02-20;отгул\n2027-03-01\n"
        "08.01.2027;рабочий\n"
    )
    with pytest.raises(CalendarFileError) as caught:
        parse_transfers(text.encode())
    assert [(r.row, r.value, r.reason) for r in caught.value.rows] == [
        (3, "2027-13-01", "calendar.row_bad_date"),
        (4, "отгул", "calendar.row_bad_word"),
        (5, "2027-03-01", "calendar.row_no_word"),
        (6, "08.01.2027", "calendar.row_contradicts"),
    ]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"", "import.empty_file"),
        (b"# nothing\n\n", "calendar.no_rows"),
        (b"%PDF-1.4\x00\x01", "calendar.not_text"),
    ],
)
def test_files_without_transfers_are_refused(data: bytes, key: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_transfers(data)
    assert caught.value.key == key


def test_a_week_before_the_deadline_only_while_it_is_ahead() -> None:
    now = msk(2026, 10, 8, 9, 0)  # Thursday
    # Seven days to the deadline: «a week before» is not ahead any more.
    assert snooze_moment(SnoozeDelay.WEEK_BEFORE, now, dt.date(2026, 10, 15), CALENDAR) is None
    assert snooze_moment(SnoozeDelay.WEEK_BEFORE, now, dt.date(2026, 10, 30), CALENDAR) == msk(
        2026, 10, 23, 9
    )
    # A day later is Friday 9:00; three days later is Sunday, held to Monday 9:00.
    assert snooze_moment(SnoozeDelay.DAY, now, dt.date(2026, 10, 15), CALENDAR) == msk(2026, 10, 9, 9)
    assert snooze_moment(SnoozeDelay.THREE_DAYS, now, dt.date(2026, 10, 15), CALENDAR) == msk(2026, 10, 12, 9)
    # Never past the deadline.
    assert snooze_moment(SnoozeDelay.THREE_DAYS, now, dt.date(2026, 10, 9), CALENDAR) is None


def test_working_hours_settings() -> None:
    parsed = Settings(_env_file=None, work_day_start="8", work_day_end="17.30")  # type: ignore[call-arg]
    assert (parsed.work_day_start, parsed.work_day_end) == (dt.time(8), dt.time(17, 30))
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (defaults.work_day_start, defaults.work_day_end) == (dt.time(9), dt.time(18))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("18:00", "9:00", "WORK_DAY_END (09:00) должен быть позже WORK_DAY_START (18:00)."),
        ("25:00", "18:00", "WORK_DAY_START: «25:00» — не время суток; пример: 9:00 или 18:30."),
        ("9:00", "вечер", "WORK_DAY_END: «вечер» — не время суток; пример: 9:00 или 18:30."),
    ],
)
def test_bad_working_hours_stop_the_bot_with_one_line(start: str, end: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, work_day_start=start, work_day_end=end)  # type: ignore[call-arg]
    assert describe_invalid(caught.value) == message
