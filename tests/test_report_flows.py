"""Issue 4 end to end: status, comment and evidence through the chat dialog, history, restarts."""

from __future__ import annotations

import asyncio
import struct
import zlib
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from bot.config import Settings
from bot.domain import EvidenceKind, OrgKind, ReportStatus
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.runtime.harness import running_bot
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from bot.telegram.callbacks import ReportOpen, ReportStatusPick
from storage.models import Evidence, Report, ReportRevision
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID
from tests.helpers import admin, eventually
from tg_emulator import BotAPIEmulator, Persona, SentMessage

SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = tiny_png()


async def publish_to_two_orgs(
    app: Runtime, emulator: BotAPIEmulator, clock: FrozenClock
) -> tuple[Persona, Persona]:
    """An institution head and a municipal head, each with their recommendations delivered."""
    async with app.session_factory() as session:
        repo = Repositories(session)
        await seed_org(repo, "МБУ ДО ДДТ", OrgKind.INSTITUTION, "Вяземский район", [8001])
        await seed_org(repo, "Отдел образования", OrgKind.MUNICIPAL, "Вяземский район", [8002])
        resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021.md")
        await PublicationService(repo, app.renderer).publish(resolution.id, ADMIN_ID, clock.now())
        await session.commit()
    app.pump.poke()
    head = emulator.add_user(8001, "Ирина", started=True)
    municipal = emulator.add_user(8002, "Олег", started=True)
    for persona in (head, municipal):
        await persona.expect(
            contains="Рекомендация 4.4" if persona is head else "Рекомендация 2.4", timeout=10
        )
    return head, municipal


def rec_message(persona: Persona, number: str) -> SentMessage:
    return next(m for m in persona.messages if f"Рекомендация {number}" in (m.text or "") and m.buttons)


async def reports(app: Runtime) -> list[Report]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(Report).order_by(Report.id)))


async def test_full_report_with_document_photo_and_link(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock, settings: Settings
) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    await head.click(rec_message(head, "4.1"), "Отчитаться")
    picker = await head.expect(contains="Выберите статус")
    await head.click(picker, "Выполнено")
    await head.expect(contains="Напишите комментарий")
    await head.send("Открыли 3 новых кружка, охват вырос на 12%")
    await head.expect(contains="Приложите подтверждения")
    await head.send_document("приказ.pdf", b"%PDF-1.4 order", mime_type="application/pdf", caption="Приказ")
    await head.expect(contains="документ «приказ.pdf»")
    await head.send_photo(PNG, caption="Фото кружка")
    await head.expect(contains="Принято: фото")
    await head.send("Новость: https://ddt.example.ru/news/42 и отчёт https://ddt.example.ru/report.")
    ack = await head.expect(contains="Всего 4 подтверждения")
    await head.click(ack, "Готово (4)")
    confirm = await head.expect(contains="Проверьте отчёт")
    assert "✅ Выполнено" in confirm.text and "охват вырос на 12%" in confirm.text
    assert "4 подтверждения" in confirm.text and "https://ddt.example.ru/report" in confirm.text
    await head.click(confirm, "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку (версия 1)")

    async with app.session_factory() as session:
        report = await session.scalar(select(Report))
        assert report is not None and report.status is ReportStatus.DONE and report.version == 1
        evidence = list(await session.scalars(select(Evidence).order_by(Evidence.id)))
    assert [e.kind for e in evidence] == [
        EvidenceKind.DOCUMENT,
        EvidenceKind.PHOTO,
        EvidenceKind.LINK,
        EvidenceKind.LINK,
    ]
    document = evidence[0]
    assert document.file_name == "приказ.pdf" and document.text == "Приказ"
    assert document.stored_path and Path(document.stored_path).read_bytes() == b"%PDF-1.4 order"
    assert Path(document.stored_path).is_relative_to(settings.evidence_dir)
    assert evidence[1].stored_path and Path(evidence[1].stored_path).read_bytes() == emulator.file_bytes(
        evidence[1].file_id or ""
    )
    assert [e.url for e in evidence[2:]] == [
        "https://ddt.example.ru/news/42",
        "https://ddt.example.ru/report",
    ]


async def test_change_keeps_history(emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    await head.click(rec_message(head, "4.2"), "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "В работе")
    await head.expect(contains="комментарий")
    await head.send("Начали обновлять программы")
    await head.click(await head.expect(contains="Приложите"), "Без подтверждений")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
    await head.expect(contains="версия 1")

    await head.send("/report")
    listing = await head.expect(contains="Рекомендации для «МБУ ДО ДДТ»")
    assert "🔄 4.2" in listing.text and "❔ 4.1" in listing.text
    await head.click(listing, "4.2")
    picker = await head.expect(contains="Текущий статус: 🔄 В работе")
    await head.click(picker, "Выполнено")
    keep = await head.expect(contains="комментарий")
    await head.click(keep, "Оставить прежний комментарий")
    await head.send("https://ddt.example.ru/programs")
    await head.click(await head.expect(contains="Всего 1 подтверждение"), "Готово (1)")
    confirm = await head.expect(contains="Проверьте отчёт")
    assert "сейчас версия 1" in confirm.text
    await head.click(confirm, "Отправить")
    await head.expect(contains="версия 2")

    async with app.session_factory() as session:
        revisions = list(await session.scalars(select(ReportRevision).order_by(ReportRevision.version)))
    assert [r.status for r in revisions] == [ReportStatus.IN_PROGRESS, ReportStatus.DONE]
    assert revisions[1].changes == {"status": ["in_progress", "done"], "evidence_added": 1}
    assert revisions[1].comment == "Начали обновлять программы"

    await head.send("/my")
    summary = await head.expect(contains="Принято при проверке: 0 из 4")
    assert "Отмечено как выполненное: 1 (25%)" in summary.text
    assert "❔ Нет отчёта: 3" in summary.text and "🕓 На проверке: 1" in summary.text


async def test_not_applicable_needs_a_reason(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    _, municipal = await publish_to_two_orgs(app, emulator, clock)
    await municipal.click(rec_message(municipal, "2.4"), "Отчитаться")
    await municipal.click(await municipal.expect(contains="Выберите статус"), "Не применимо")
    await municipal.expect(contains="Почему рекомендация не применима")
    await municipal.send_sticker()
    await municipal.expect(contains="Нужен текст")
    await municipal.send("x" * 1001)
    await municipal.expect(contains="Причина слишком длинная (символов: 1001")
    await municipal.send("В районе нет учреждений дополнительного образования")
    await municipal.expect(contains="комментарий")
    await municipal.send("Дети ходят в кружки соседнего района")
    evidence_prompt = await municipal.expect(contains="Приложите")
    await municipal.click(evidence_prompt, "Без подтверждений")
    confirm = await municipal.expect(contains="Проверьте отчёт")
    assert "Причина: В районе нет учреждений" in confirm.text
    await municipal.click(confirm, "Отправить")
    await municipal.expect(contains="Отчёт отправлен на проверку")
    [report] = await reports(app)
    assert (
        report.status is ReportStatus.NOT_APPLICABLE and report.reason and "нет учреждений" in report.reason
    )


async def test_dialog_survives_a_restart(
    emulator: BotAPIEmulator, settings: Settings, clock: FrozenClock
) -> None:
    async with running_bot(settings, clock) as app:
        head, _ = await publish_to_two_orgs(app, emulator, clock)
        await head.click(rec_message(head, "4.3"), "Отчитаться")
        await head.click(await head.expect(contains="Выберите статус"), "В работе")
        await head.expect(contains="Напишите комментарий")
    # A new process on the same database: the head carries on where they were.
    async with running_bot(settings, clock) as app:
        await head.send("Заключили два договора о сетевом взаимодействии")
        await head.expect(contains="Приложите подтверждения")
        await head.send_document("договор.docx", b"PK docx bytes")
        ack = await head.expect(contains="Всего 1 подтверждение")
        await head.click(ack, "Готово (1)")
        await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
        await head.expect(contains="Отчёт отправлен на проверку")

        async def saved() -> bool:
            return len(await reports(app)) == 1

        await eventually(saved)
        [report] = await reports(app)
        assert report.comment == "Заключили два договора о сетевом взаимодействии"


async def test_forged_and_stale_buttons_change_nothing(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, municipal = await publish_to_two_orgs(app, emulator, clock)
    municipal_rec = ReportOpen.unpack(
        next(d for _, d in rec_message(municipal, "2.1").buttons[0] if d)
    ).rec_id
    # The institution head forges the municipal authority's button.
    await head.click_data(head.messages[-1], ReportOpen(rec_id=municipal_rec).pack())
    answer = await head.expect_callback_answer()
    assert answer.show_alert and "не вашей организации" in (answer.text or "")
    await head.click_data(head.messages[-1], ReportOpen(rec_id=999_999).pack())
    assert "не вашей" in ((await head.expect_callback_answer()).text or "")
    await head.click_data(head.messages[-1], "rsp:abc:done")
    assert (await head.expect_callback_answer()).show_alert

    # A status button for another recommendation than the dialog's own is refused.
    await head.click(rec_message(head, "4.1"), "Отчитаться")
    picker = await head.expect(contains="Выберите статус")
    await head.click_data(picker, ReportStatusPick(rec_id=municipal_rec, status="done").pack())
    assert "устарела" in ((await head.expect_callback_answer()).text or "")

    # Wrong role: the admin has no /report, the member no admin commands.
    anna = await admin(emulator)
    await anna.send("/report")
    await anna.expect(contains="вам недоступна")
    await head.send("/orgs")
    await head.expect(contains="вам недоступна")
    assert await reports(app) == []


async def test_saved_is_said_only_after_the_report_is_committed(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    """The words «Отчёт отправлен на проверку» must never reach Telegram ahead of the row they promise."""
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    await head.click(rec_message(head, "4.1"), "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "В работе")
    await head.expect(contains="Напишите комментарий")
    await head.send("Идёт набор групп")
    await head.click(await head.expect(contains="Приложите"), "Без подтверждений")
    confirm = await head.expect(contains="Проверьте отчёт")

    committed_when_said: list[bool] = []

    async def look_at_the_database(method: str, params: dict[str, object]) -> None:
        if method == "sendMessage" and "Отчёт отправлен на проверку" in str(params.get("text", "")):
            committed_when_said.append(len(await reports(app)) == 1)

    emulator.on_request = look_at_the_database
    try:
        await head.click(confirm, "Отправить")
        await head.expect(contains="Отчёт отправлен на проверку")
    finally:
        emulator.on_request = None
    assert committed_when_said == [True]


async def test_a_slow_answer_to_one_chat_does_not_hold_up_another(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    """The dialog step is committed before the bot answers: while Telegram is slow to take (or makes the
    bot wait with a 429) the answer to one head, another head's dialog goes on. On SQLite an update that
    kept its write transaction open across the request would hold the only write lock meanwhile."""
    head, municipal = await publish_to_two_orgs(app, emulator, clock)
    held = asyncio.Event()
    release = asyncio.Event()

    async def slow_for_the_head(method: str, params: dict[str, object]) -> None:
        to_head = method == "sendMessage" and str(params.get("chat_id")) == str(head.chat_id)
        if to_head and "Напишите комментарий" in str(params.get("text", "")):
            held.set()
            await release.wait()

    emulator.on_request = slow_for_the_head
    try:
        await head.click(rec_message(head, "4.1"), "Отчитаться")
        await head.click(await head.expect(contains="Выберите статус"), "В работе")
        await asyncio.wait_for(held.wait(), timeout=10)
        await municipal.click(rec_message(municipal, "2.4"), "Отчитаться")
        await municipal.click(await municipal.expect(contains="Выберите статус"), "Выполнено")
        await municipal.expect(contains="Напишите комментарий")
    finally:
        release.set()
        emulator.on_request = None
    await head.expect(contains="Напишите комментарий")


async def test_a_fast_user_is_answered_in_the_order_they_acted(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    """A click and the text typed right after it, without waiting for the bot, are handled in order."""
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    await head.click(rec_message(head, "4.2"), "Отчитаться")
    picker = await head.expect(contains="Выберите статус")
    for _ in range(5):
        await head.click(picker, "В работе")
        await head.send("Идёт обновление программ")
        await head.expect(contains="Приложите")
        await head.send("/cancel")
        await head.expect(contains="отменено")
        await head.click(rec_message(head, "4.2"), "Отчитаться")
        picker = await head.expect(contains="Выберите статус")
    assert not [m for m in head.messages if "Выберите статус кнопкой" in (m.text or "")]


async def test_double_click_makes_one_report(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    await head.click(rec_message(head, "4.1"), "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "Не начато")
    await head.expect(contains="комментарий")
    await head.send("Планируем в следующем квартале")
    await head.click(await head.expect(contains="Приложите"), "Без подтверждений")
    confirm = await head.expect(contains="Проверьте отчёт")
    await head.click(confirm, "Отправить")
    await head.click(confirm, "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку")

    async def one_revision() -> bool:
        async with app.session_factory() as session:
            return len(list(await session.scalars(select(ReportRevision)))) == 1

    await eventually(one_revision)
    assert len(await reports(app)) == 1


async def test_bad_evidence_keeps_the_dialog_going(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    await head.click(rec_message(head, "4.4"), "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "Выполнено")
    await head.expect(contains="комментарий")
    await head.send("К" * 2001)
    await head.expect(contains="Комментарий слишком длинный (символов: 2001")
    await head.send("Провели курсы повышения квалификации")
    prompt = await head.expect(contains="Приложите")
    await head.send_document("video.mp4", size=25 * 1024 * 1024)
    await head.expect(contains="больше 20 МБ")
    await head.send_voice()
    await head.expect(contains="нельзя приложить")
    await head.send_location(54.78, 32.04)
    await head.expect(contains="нельзя приложить")
    # «Выполнено» with nothing that proves it stays at the evidence step (see test_evidence_gate.py).
    await head.click(prompt, "Без подтверждений")
    await head.expect(contains="приложите хотя бы одно подтверждение")
    await head.send("https://ddt.example.ru/courses")
    await head.click(await head.expect(contains="Всего 1 подтверждение"), "Готово (1)")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Изменить")
    picker = await head.expect(contains="Измените отчёт")
    await head.click(picker, "В работе")
    await head.click(await head.expect(contains="комментарий"), "Отмена")
    await head.expect(contains="Отчёт не отправлен")
    assert await reports(app) == []


async def test_album_is_acknowledged_piece_by_piece(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    await head.click(rec_message(head, "4.1"), "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "Выполнено")
    await head.expect(contains="комментарий")
    await head.send("Фотоотчёт")
    await head.expect(contains="Приложите")
    await head.send_album(
        [("photo", PNG + b"1"), ("photo", PNG + b"2"), ("document", ("план.pdf", b"%PDF plan"))]
    )
    ack = await head.expect(contains="Всего 3 подтверждения", timeout=10)
    await head.click(ack, "Готово (3)")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку")

    async def three_pieces() -> bool:
        async with app.session_factory() as session:
            return len(list(await session.scalars(select(Evidence)))) == 3

    await eventually(three_pieces)


async def test_withdrawn_resolution_refuses_reports(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    anna = await admin(emulator)
    await anna.send("/resolutions")
    listing = await anna.expect(contains="Резолюции")
    await anna.click(listing, "Опубликована")
    card = await anna.expect(contains="опубликована")
    await anna.click(card, "Снять с публикации")
    await anna.expect(contains="снята с публикации")
    await head.click(rec_message(head, "4.1"), "Отчитаться")
    answer = await head.expect_callback_answer()
    assert "снята с публикации" in (answer.text or "")
