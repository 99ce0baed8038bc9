"""Issue 12: forged or stale callback data and repeated taps get a clear answer, change nothing and leave
no traceback — checked where the data is unpacked (typed CallbackData) and where messages are edited."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from bot.domain import OrgKind
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.telegram.callbacks import MAX_ID, OrgAct, OrgAction, OrgList, ReportStep, StatusLevel, StatusNav
from tests.helpers import add_org, admin
from tests.test_report_flows import publish_to_two_orgs, rec_message, reports
from tg_emulator import BotAPIEmulator

STALE = "устарела"
HUGE = "1" * 25  # past 2**63-1: SQLite cannot even bind it


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "data",
    [
        f"oa:card:{HUGE}",
        f"st:res:{HUGE}:0:0:0:-:0",
        f"ro:{HUGE}",
        "oa:teleport:1",  # an action that does not exist
        "st:everywhere:1:0:0:0:-:0",
        "ol:planet:-:0",  # a kind that does not exist
        "ol::-:-1",  # a negative page
        "oa:card",  # a field missing
    ],
)
async def test_forged_button_gets_the_stale_alert(
    emulator: BotAPIEmulator, app: Runtime, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    anna = await admin(emulator)
    with caplog.at_level(logging.ERROR):
        await anna.click_data(anna.messages[-1], data)
        answer = await anna.expect_callback_answer()
    assert answer.show_alert and STALE in (answer.text or "")
    assert errors_logged(caplog) == []


async def test_second_tap_on_cancel_is_not_an_error(
    emulator: BotAPIEmulator, app: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    anna = await admin(emulator)
    await anna.send("/add_org")
    prompt = await anna.expect(contains="Введите её полное название")
    with caplog.at_level(logging.ERROR):
        await anna.click(prompt, "Отмена")
        assert (await anna.expect_callback_answer()).text == "Отменено"
        await anna.expect(contains="Действие отменено")
        # The same button again: the edit would change nothing, which Telegram refuses as «not modified».
        await anna.click_data(prompt, "x")
        assert (await anna.expect_callback_answer()).text == "Отменено"
    assert errors_logged(caplog) == []
    assert anna.messages[-1].text == "Действие отменено."


async def test_real_buttons_still_work_after_typing(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    card = await add_org(anna, "МБОУ СШ № 1", "Учреждение дополнительного образования", "Вяземский район")
    await anna.send("/orgs")
    listing = await anna.expect(contains="Организации")
    await anna.click(listing, "МБОУ СШ № 1")
    await anna.expect(contains="МБОУ СШ № 1")
    await anna.click(card, "Отключить")
    await anna.expect(contains="отключён")


def test_unpacking_checks_ranges_and_enums() -> None:
    assert OrgAction.unpack(f"oa:card:{MAX_ID}") == OrgAction(action=OrgAct.CARD, org_id=MAX_ID)
    assert OrgList.unpack("ol:institution:-:2") == OrgList(kind=OrgKind.INSTITUTION, page=2)
    assert OrgList.unpack("ol::-:0").kind is None
    assert OrgList.unpack("ol:-:-:0").kind is None  # a button sent before kinds were typed
    assert StatusNav.unpack(StatusNav(level=StatusLevel.ORG, res=3, org=4).pack()).level is StatusLevel.ORG
    for bad in (f"oa:card:{MAX_ID + 1}", "oa:card:-1", "oa:fly:1", "oa:card:1.5"):
        with pytest.raises(ValidationError):
            OrgAction.unpack(bad)
    with pytest.raises(ValidationError):
        ReportStep.unpack("rss:1:explode")


async def test_an_id_too_long_for_the_database_is_a_format_error(
    emulator: BotAPIEmulator, app: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    anna = await admin(emulator)
    with caplog.at_level(logging.ERROR):
        await anna.send(f"/grant {HUGE} official")
        await anna.expect(contains="/grant ID admin")
        await anna.send(f"/revoke {HUGE}")
        await anna.expect(contains="/revoke ID")
        await anna.send("/revoke ٣")  # an Arabic-Indic digit is a digit to str.isdigit, not an id
        await anna.expect(contains="/revoke ID")
    assert errors_logged(caplog) == []


async def test_member_forged_report_buttons_change_nothing(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    message = rec_message(head, "4.1")
    await head.click(message, "Отчитаться")
    picker = await head.expect(contains="Выберите статус")
    with caplog.at_level(logging.ERROR):
        for data in (
            f"ro:{HUGE}",
            f"rsp:{HUGE}:done",
            "rsp:1:finished",
            f"rss:{HUGE}:cancel",
            "rss:1:explode",
        ):
            await head.click_data(picker, data)
            answer = await head.expect_callback_answer()
            assert answer.show_alert and STALE in (answer.text or ""), data
    assert errors_logged(caplog) == []
    # The dialog is untouched: its own buttons still work.
    await head.click(picker, "Выполнено")
    await head.expect(contains="комментарий")
    assert await reports(app) == []
