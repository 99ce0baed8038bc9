"""Issue 13, point 5 and issue 12 (People): «Выполнено» needs a file, photo or link; editing a report
shows what is attached and takes a wrong file off (kept in history and in the archive)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from bot.domain import ReportStatus
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.telegram.callbacks import EvidenceRemove
from storage.models import Evidence, Report, ReportRevision, Resolution
from tests.helpers import eventually
from tests.test_report_flows import publish_to_two_orgs, rec_message, reports
from tg_emulator import BotAPIEmulator, Persona, SentMessage


async def done_with_comment(head: Persona, number: str, comment: str) -> SentMessage:
    await head.click(rec_message(head, number), "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "Выполнено")
    await head.expect(contains="Напишите комментарий")
    await head.send(comment)
    return await head.expect(contains="Приложите подтверждения")


async def test_done_without_evidence_is_refused_and_a_note_does_not_count(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    prompt = await done_with_comment(head, "4.1", "Кружки открыты")
    assert "нужно хотя бы одно подтверждение: документ, фото или ссылка" in prompt.text
    await head.click(prompt, "Без подтверждений")
    assert "нужен документ, фото или ссылка" in (await head.expect_callback_answer()).text
    await head.expect(contains="Текстовое пояснение подтверждением не считается")
    await head.send("Всё сделано, поверьте на слово")
    noted = await head.expect(contains="Всего 1 подтверждение")
    await head.click(noted, "Готово (1)")
    await head.expect(contains="приложите хотя бы одно подтверждение")
    assert await reports(app) == []

    await head.send("https://ddt.example.ru/news/1")
    await head.click(await head.expect(contains="Всего 2 подтверждения"), "Готово (2)")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку (версия 1)")
    [report] = await reports(app)
    assert report.status is ReportStatus.DONE


async def test_the_gate_is_a_setting_of_the_resolution(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    async with app.session_factory() as session:
        await session.execute(update(Resolution).values(evidence_required_for_done=False))
        await session.commit()
    prompt = await done_with_comment(head, "4.2", "Программы обновлены")
    assert "нужно хотя бы одно подтверждение" not in prompt.text
    await head.click(prompt, "Без подтверждений")
    confirm = await head.expect(contains="Проверьте отчёт")
    assert "Подтверждений нет" in confirm.text
    await head.click(confirm, "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку")


async def report_done_with_a_wrong_file(head: Persona) -> None:
    """Version 1: «Выполнено» with a wrong PDF and a link attached."""
    await done_with_comment(head, "4.1", "Кружки открыты")
    await head.send_document("не_тот_файл.pdf", b"%PDF-1.4 wrong", mime_type="application/pdf")
    await head.expect(contains="не_тот_файл.pdf")
    await head.send("https://ddt.example.ru/news/1")
    await head.click(await head.expect(contains="Всего 2 подтверждения"), "Готово (2)")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
    await head.expect(contains="версия 1")


async def reopen_done_keeping_comment(head: Persona, attached: str) -> SentMessage:
    """Editing 4.1 as «Выполнено» with the old comment: the evidence step lists what is attached."""
    await head.click(rec_message(head, "4.1"), "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "Выполнено")
    await head.click(await head.expect(contains="комментарий"), "Оставить прежний комментарий")
    return await head.expect(contains=f"К отчёту уже приложено {attached}")


async def attached_evidence(app: Runtime) -> tuple[Evidence, Evidence]:
    """The wrong document and the link, as stored."""
    async with app.session_factory() as session:
        document = await session.scalar(select(Evidence).where(Evidence.file_name == "не_тот_файл.pdf"))
        other = await session.scalar(select(Evidence).where(Evidence.url.is_not(None)))
    assert document is not None and other is not None and document.stored_path
    return document, other


async def remove_the_wrong_file(head: Persona, prompt: SentMessage, document: Evidence) -> None:
    """A forged button changes nothing; «Убрать 1» takes the document off and version 2 is sent."""
    # A forged button for evidence of no report of this dialog changes nothing.
    await head.click_data(prompt, EvidenceRemove(rec_id=document.report_id + 999, evidence_id=1).pack())
    assert (await head.expect_callback_answer()).show_alert
    await head.click(prompt, "Убрать 1")
    removed = await head.expect(contains="Будет убрано из отчёта (1)")
    assert "К отчёту уже приложено 1 подтверждение" in removed.text and "Убрать 1: ссылка" in str(
        removed.buttons
    )
    await head.click(removed, "Без подтверждений")
    confirm = await head.expect(contains="Проверьте отчёт")
    assert "Подтверждений нет" not in confirm.text and "— документ «не_тот_файл.pdf»" in confirm.text
    await head.click(confirm, "Отправить")
    await head.expect(contains="версия 2")


async def assert_removal_kept_in_history(app: Runtime, document: Evidence, other: Evidence) -> None:
    async def removed_in_history() -> bool:
        async with app.session_factory() as session:
            row = await session.get(Evidence, document.id)
            return row is not None and row.removed_at is not None

    await eventually(removed_in_history)
    async with app.session_factory() as session:
        row = await session.get(Evidence, document.id)
        kept = await session.get(Evidence, other.id)
        revision = await session.scalar(select(ReportRevision).where(ReportRevision.version == 2))
    assert row is not None and row.removed_in_version == 2 and row.removed_by is not None
    assert kept is not None and kept.removed_at is None
    assert Path(document.stored_path).read_bytes() == b"%PDF-1.4 wrong"  # the archive keeps the file
    assert revision is not None and revision.changes == {"evidence_removed": 1}


async def test_editing_shows_attached_files_and_removes_a_wrong_one(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _ = await publish_to_two_orgs(app, emulator, clock)
    await report_done_with_a_wrong_file(head)

    # Editing: the evidence step lists what is attached, with a 🗑 button each.
    prompt = await reopen_done_keeping_comment(head, "2 подтверждения")
    assert "1. документ «не_тот_файл.pdf»" in prompt.text and "2. ссылка" in prompt.text
    document, other = await attached_evidence(app)
    await remove_the_wrong_file(head, prompt, document)
    await assert_removal_kept_in_history(app, document, other)

    # Taking the last proof off a «Выполнено» report is the gate again.
    prompt = await reopen_done_keeping_comment(head, "1 подтверждение")
    assert "не_тот_файл.pdf" not in prompt.text
    await head.click(prompt, "Убрать 1")
    gated = await head.expect(contains="Будет убрано из отчёта (1)")
    assert "нужно хотя бы одно подтверждение" in gated.text
    await head.click(gated, "Без подтверждений")
    await head.expect(contains="приложите хотя бы одно подтверждение")
    async with app.session_factory() as session:
        report = await session.scalar(select(Report))
    assert report is not None and report.version == 2
