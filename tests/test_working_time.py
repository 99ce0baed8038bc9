"""Issue 14, point 5 through the emulator and a frozen clock: reminders held over a weekend and a holiday
and sent once on the working morning, «Напомнить позже», and the admin's file of transfers."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.domain.clock import FrozenClock
from bot.domain.workcalendar import SnoozeDelay
from bot.runtime.app import Runtime
from bot.runtime.harness import running_bot
from bot.telegram.callbacks import SnoozeAsk, SnoozePick, day_code
from scheduler.jobs import SchedulerJobs
from storage.models import CalendarDay, OutboxMessage, ReminderSnooze
from tests.conftest import make_settings
from tests.helpers import admin, eventually
from tests.test_status_and_reminders import reminder_rows, setup_region
from tg_emulator import BotAPIEmulator, Persona, SentMessage

SATURDAY_DEADLINE = dt.date(2026, 10, 17)  # a week before is Saturday 10 October
AFTER_UNITY_DAY = dt.date(2026, 11, 11)  # a week before is Wednesday 4 November, a public holiday

# A ceiling, not a measure: a chat's messages go one a second (Telegram's per-chat limit), so a reminder
# queued behind a publication of five arrives about 6 s later — on a loaded CI machine, later still.
DELIVERY_CEILING = 30


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def restarted(app: Runtime, clock: FrozenClock) -> SchedulerJobs:
    """A new scheduler on the same database: what a restart leaves (APScheduler keeps nothing)."""
    return SchedulerJobs(app.session_factory, app.settings, clock, app.renderer)


async def test_a_reminder_due_on_saturday_is_sent_once_on_monday_morning(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    members = await setup_region(app, clock, deadline=SATURDAY_DEADLINE, emulator=emulator)
    await app.jobs.tick()
    # Saturday 09:00 Moscow time, the regular moment: held.
    clock.set(utc(2026, 10, 10, 6, 0))
    assert (await app.jobs.tick()).reminders == 0
    # Two more ticks during the hold, and a restart on Sunday: still nothing, and nothing claimed.
    clock.set(utc(2026, 10, 11, 12, 0))
    assert (await app.jobs.tick()).reminders == 0
    assert (await restarted(app, clock).tick()).reminders == 0
    clock.set(utc(2026, 10, 12, 5, 59))  # Monday 08:59
    assert (await app.jobs.tick()).reminders == 0
    assert await reminder_rows(app) == []

    # Monday 09:00: two processes tick together; each organization gets it once.
    clock.set(utc(2026, 10, 12, 6, 0))
    results = await asyncio.gather(app.jobs.tick(), restarted(app, clock).tick())
    assert sum(r.reminders for r in results) == 2
    assert (await app.jobs.tick()).reminders == 0
    rows = await reminder_rows(app)
    assert sorted(r.chat_id for r in rows) == [members["ЦДО Сафоново"], members["ДДТ Ярцево"]]
    assert all(":d-7:" in r.dedup_key for r in rows)
    assert "Срок выполнения — 17.10.2026, осталось 5 дней." in rows[0].payload["text"]

    yartsevo = emulator.find_user(members["ДДТ Ярцево"])
    assert yartsevo is not None
    reminder = await yartsevo.expect(contains="Напоминание о сроке", timeout=DELIVERY_CEILING)
    assert any("Напомнить позже" in text for row in reminder.buttons for text, _ in row)


async def test_a_reminder_due_on_a_holiday_goes_out_the_next_working_morning(
    app: Runtime, clock: FrozenClock
) -> None:
    await setup_region(app, clock, deadline=AFTER_UNITY_DAY)
    await app.jobs.tick()
    clock.set(utc(2026, 11, 4, 6, 0))  # 4 November, 09:00: Unity Day
    assert (await app.jobs.tick()).reminders == 0
    clock.set(utc(2026, 11, 4, 14, 0))
    assert (await restarted(app, clock).tick()).reminders == 0
    clock.set(utc(2026, 11, 5, 6, 0))  # Thursday 09:00
    assert (await app.jobs.tick()).reminders == 2
    clock.set(utc(2026, 11, 5, 9, 0))
    assert (await app.jobs.tick()).reminders == 0
    assert len(await reminder_rows(app)) == 2


async def test_a_nudge_due_on_saturday_waits_for_monday(app: Runtime, clock: FrozenClock) -> None:
    clock.set(utc(2026, 9, 5, 9, 0))  # published on Saturday noon: the nudge is due two Saturdays on
    await setup_region(app, clock, deadline=None)
    clock.set(utc(2026, 9, 19, 10, 0))
    assert (await app.jobs.tick()).nudges == 0
    clock.set(utc(2026, 9, 21, 5, 0))  # Monday 08:00
    assert (await restarted(app, clock).tick()).nudges == 0
    clock.set(utc(2026, 9, 21, 6, 0))
    assert (await app.jobs.tick()).nudges == 2
    assert (await app.jobs.tick()).nudges == 0


async def test_manual_remind_goes_at_once_even_on_sunday(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    """/remind is a person's explicit action: working time does not hold it."""
    clock.set(utc(2026, 9, 6, 19, 0))  # Sunday 22:00
    members = await setup_region(app, clock, emulator=emulator)
    anna = await admin(emulator)
    await anna.send("/remind")
    await anna.click(await anna.expect(contains="Кому напомнить"), "Резолюция форума от 24.08.2021")
    await anna.click(await anna.expect(contains="Напомнить об отчётах?"), "Напомнить")
    await anna.expect(contains="их получат 2 организации")
    yartsevo = emulator.find_user(members["ДДТ Ярцево"])
    assert yartsevo is not None
    manual = await yartsevo.expect(contains="Напоминание от администратора", timeout=DELIVERY_CEILING)
    # Only deadline reminders are put off; the admin's has the report buttons alone.
    assert not any("Напомнить позже" in text for row in manual.buttons for text, _ in row)


async def deadline_reminder(emulator: BotAPIEmulator, members: dict[str, int]) -> tuple[Persona, SentMessage]:
    yartsevo = emulator.find_user(members["ДДТ Ярцево"])
    assert yartsevo is not None
    return yartsevo, await yartsevo.expect(contains="Напоминание о сроке", timeout=DELIVERY_CEILING)


async def snooze_rows(app: Runtime) -> list[OutboxMessage]:
    return await reminder_rows(app, "snooze:")


async def test_snooze_for_a_day(emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock) -> None:
    members = await setup_region(app, clock, deadline=dt.date(2026, 10, 15), emulator=emulator)
    await app.jobs.tick()
    clock.set(utc(2026, 10, 8, 6, 0))  # Thursday 09:00, a week before the deadline
    assert (await app.jobs.tick()).reminders == 2
    head, reminder = await deadline_reminder(emulator, members)

    await head.click(reminder, "Напомнить позже")
    offer = await head.expect(contains="Когда напомнить снова?")
    labels = [text for row in offer.buttons for text, _ in row]
    # Seven days to go: «a week before the deadline» is not offered.
    assert labels == ["Через день — 09.10.2026, 09:00", "Через 3 дня — 12.10.2026, 09:00"]
    await head.click(offer, "Через день")
    await head.expect(contains="Напоминание придёт 09.10.2026 в 09:00")

    async def stored() -> bool:
        async with app.session_factory() as session:
            return bool(await session.scalar(select(func.count()).select_from(ReminderSnooze)))

    await eventually(stored)
    clock.set(utc(2026, 10, 9, 5, 59))
    assert (await app.jobs.tick()).snoozes == 0
    clock.set(utc(2026, 10, 9, 6, 0))
    assert (await app.jobs.tick()).snoozes == 1
    assert (await app.jobs.tick()).snoozes == 0
    assert (await restarted(app, clock).tick()).snoozes == 0
    rows = await snooze_rows(app)
    assert [r.chat_id for r in rows] == [members["ДДТ Ярцево"]]  # that organization only, once
    again = await head.expect(
        contains="Срок выполнения — 15.10.2026, осталось 6 дней.", timeout=DELIVERY_CEILING
    )
    assert "4.2" in again.text

    # A forged choice («a week before» with the deadline a week away) is refused, nothing stored.
    forged = SnoozePick(
        res=_res_of(rows[0]), day=day_code(dt.date(2026, 10, 15)), delay=SnoozeDelay.WEEK_BEFORE
    )
    await head.click_data(again, forged.pack())
    answer = await head.expect_callback_answer()
    assert answer.show_alert and "после срока" in (answer.text or "")
    async with app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ReminderSnooze)) == 1


def _res_of(row: OutboxMessage) -> int:
    """The resolution id the snooze button of a reminder row carries."""
    for line in row.payload["reply_markup"]["inline_keyboard"]:
        for button in line:
            data = button.get("callback_data", "")
            if data.startswith("sz:"):
                return SnoozeAsk.unpack(data).res
    raise AssertionError("no «Напомнить позже» button")


async def test_forged_and_stale_snooze_buttons_are_refused(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    members = await setup_region(app, clock, deadline=dt.date(2026, 10, 15), emulator=emulator)
    await app.jobs.tick()
    clock.set(utc(2026, 10, 8, 6, 0))
    await app.jobs.tick()
    head, reminder = await deadline_reminder(emulator, members)
    res = _res_of((await reminder_rows(app))[0])

    # No such date: the button does not unpack, the fallback says it is stale.
    await head.click_data(reminder, "sz:1:20261399")
    assert (await head.expect_callback_answer()).show_alert
    # Another deadline than this organization's: nothing open to put off.
    await head.click_data(reminder, SnoozeAsk(res=res, day=day_code(dt.date(2026, 12, 1))).pack())
    answer = await head.expect_callback_answer()
    assert answer.show_alert and "напоминать не о чем" in (answer.text or "")
    # A member of an organization with every report in (Вязьма) pressing a copy of the button.
    vyazma = emulator.find_user(members["ДДТ Вязьмы"])
    assert vyazma is not None
    await vyazma.send("/help")
    help_message = await vyazma.expect(contains="Что можно сделать")
    await vyazma.click_data(help_message, SnoozeAsk(res=res, day=day_code(dt.date(2026, 10, 15))).pack())
    answer = await vyazma.expect_callback_answer()
    assert answer.show_alert and "напоминать не о чем" in (answer.text or "")
    # An admin is no member: refused as well.
    anna = await admin(emulator)
    await anna.send("/help")
    admin_help = await anna.expect(contains="Организации")
    await anna.click_data(
        admin_help, SnoozePick(res=res, day=day_code(dt.date(2026, 10, 15)), delay=SnoozeDelay.DAY).pack()
    )
    assert (await anna.expect_callback_answer()).show_alert
    async with app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ReminderSnooze)) == 0


@pytest.mark.parametrize("regular_week_before", [False, True], ids=["snooze-alone", "with-regular"])
async def test_snooze_until_a_week_before_the_deadline(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str, clock: FrozenClock, regular_week_before: bool
) -> None:
    # Reminders two weeks and a day before, and with a regular one a week before or not: when the
    # regular reminder goes out at the snoozed moment anyway, the snooze adds no second message.
    days = (14, 7, 1) if regular_week_before else (14, 1)
    settings = make_settings(tmp_path, emulator.base_url, database_url, reminder_days=days)
    async with running_bot(settings, clock) as app:
        await asyncio.wait_for(app.scheduler.caught_up.wait(), timeout=30)
        members = await setup_region(app, clock, deadline=dt.date(2026, 10, 29), emulator=emulator)
        await app.jobs.tick()
        clock.set(utc(2026, 10, 15, 6, 0))  # Thursday 09:00, two weeks before
        assert (await app.jobs.tick()).reminders == 2
        head, reminder = await deadline_reminder(emulator, members)
        await head.click(reminder, "Напомнить позже")
        offer = await head.expect(contains="Когда напомнить снова?")
        await head.click(offer, "За неделю до срока")
        confirmation = await head.expect(contains="Напоминание придёт 22.10.2026 в 09:00")
        assert not confirmation.buttons
        clock.set(utc(2026, 10, 20, 6, 0))
        assert (await app.jobs.tick()).snoozes == 0
        clock.set(utc(2026, 10, 22, 6, 0))
        result = await app.jobs.tick()
        assert (result.reminders, result.snoozes) == ((2, 0) if regular_week_before else (0, 1))
        assert (await restarted(app, clock).tick()).snoozes == 0
        await head.expect(contains="Срок выполнения — 29.10.2026, осталось 7 дней.", timeout=DELIVERY_CEILING)
        to_yartsevo = [r for r in await reminder_rows(app, "") if r.chat_id == members["ДДТ Ярцево"]]
        assert sum("осталось 7 дней" in (r.payload.get("text") or "") for r in to_yartsevo) == 1


async def test_the_admins_file_with_a_bad_row_is_refused_then_a_good_one_saved(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    members = await setup_region(app, clock, deadline=SATURDAY_DEADLINE, emulator=emulator)
    await app.jobs.tick()
    anna = await admin(emulator)
    await anna.send("/calendar")
    overview = await anna.expect(contains="Производственный календарь на 2026 год")
    assert "04.11.2026 — День народного единства" in overview.text
    assert "с 09:00 до 18:00 (Europe/Moscow)" in overview.text
    assert "пришлите файл CSV, TXT или XLSX" in overview.text

    bad = "дата;день\n10.10.2026;рабочий\n2026-13-01;выходной\n2026-12-30;отгул\n".encode()
    await anna.send_document("переносы.csv", bad)
    refusal = await anna.expect(contains="ничего не сохранено")
    assert "строка 3: «2026-13-01» — не дата" in refusal.text
    assert "строка 4: «отгул» — нужно слово «выходной» или «рабочий»" in refusal.text
    async with app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(CalendarDay)) == 0

    # Saturday 10 October made working, Tuesday 29 December a day off.
    await anna.send_document("переносы.txt", "10.10.2026 рабочий\n2026-12-29 выходной\n".encode())
    await anna.expect(contains="Переносы на 2026 год сохранены. Выходных дней: 1, рабочих дней: 1.")

    async def saved() -> bool:
        async with app.session_factory() as session:
            return await session.scalar(select(func.count()).select_from(CalendarDay)) == 2

    await eventually(saved)
    await anna.send("/calendar")
    again = await anna.expect(contains="Переносы, загруженные администратором")
    assert "10.10.2026 — рабочий" in again.text and "29.12.2026 — выходной" in again.text

    # The reminder a week before the deadline falls on that Saturday, now a working day: sent then.
    clock.set(utc(2026, 10, 10, 6, 0))
    assert (await app.jobs.tick()).reminders == 2
    assert sorted(r.chat_id for r in await reminder_rows(app)) == [
        members["ЦДО Сафоново"],
        members["ДДТ Ярцево"],
    ]
