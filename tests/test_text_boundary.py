"""User text is normalized where it enters: a NUL in a comment is an ordinary comment on both databases."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.clock import FrozenClock
from bot.domain.text import MAX_CAPTION, normalize_file_name, normalize_text
from bot.runtime.app import Runtime
from storage.models import Evidence, Person, Report
from tests.conftest import ADMIN_ID
from tests.test_report_flows import publish_to_two_orgs, rec_message
from tg_emulator import BotAPIEmulator


def test_controls_and_lone_surrogates_go_newlines_and_tabs_stay() -> None:
    assert normalize_text("План\x00 на\x07 год\r\n\t— утверждён\x1b\x7f\x85") == "План на год\n\t— утверждён"
    assert normalize_text("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert normalize_text("😀 ok") == "😀 ok"
    assert normalize_text("я" * 5000) == "я" * 4096
    assert normalize_text("x" * 2000, MAX_CAPTION) == "x" * MAX_CAPTION
    assert normalize_file_name("../отчёт\x00\n2024.pdf") == ".._отчёт 2024.pdf"


async def test_nul_in_a_comment_is_saved_without_it(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    await head.click(rec_message(head, "4.1"), "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "Выполнено")
    await head.expect(contains="Напишите комментарий")
    await head.send("Открыли\x00 два кружка\x1b")
    await head.expect(contains="Приложите подтверждения")
    await head.send_document("при\x00каз.pdf", b"%PDF-1.4", mime_type="application/pdf", caption="При\x00каз")
    ack = await head.expect(contains="документ «приказ.pdf»")
    await head.click(ack, "Готово (1)")
    confirm = await head.expect(contains="Проверьте отчёт")
    assert "Открыли два кружка" in (confirm.text or "")
    await head.click(confirm, "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку")

    async with app.session_factory() as session:
        report = await session.scalar(select(Report))
        evidence = await session.scalar(select(Evidence))
    assert report is not None and report.comment == "Открыли два кружка"
    assert evidence is not None and evidence.file_name == "приказ.pdf" and evidence.text == "Приказ"


async def test_control_characters_in_a_persons_name_are_dropped(
    emulator: BotAPIEmulator, app: Runtime
) -> None:
    admin = emulator.add_user(ADMIN_ID, "Ан\x00на", last_name="Адми\x1bнова")
    await admin.send("/start")
    greeting = await admin.expect(contains="администратор")
    assert "Анна Админова" in (greeting.text or "")
    async with app.session_factory() as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == ADMIN_ID))
    assert person is not None and person.full_name == "Анна Админова"
