"""Issue 13, point 6: a member asks to move a deadline, an official approves or denies it; the approved
date is the organization's own deadline from then on (reports, reminders, /report, /my)."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest
from sqlalchemy import select, update

from bot.domain import EvidenceKind, ExtensionState, OrgKind, ReportStatus, ReviewState, Role
from bot.domain.clock import FrozenClock
from bot.domain.deadlines import effective_deadline, parse_new_deadline, validate_extension_text
from bot.domain.errors import DomainError
from bot.domain.evidence import EvidenceItem
from bot.domain.reports import ReportDraft, check_done_evidence
from bot.runtime.app import Runtime
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from bot.telegram.callbacks import ExtDecision, ExtensionDecide, ExtensionList
from storage.models import DeadlineExtension, OutboxMessage, Report
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID
from tests.helpers import eventually
from tg_emulator import BotAPIEmulator, Persona, SentMessage

SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()
DEADLINE = dt.date(2026, 10, 1)


async def setup(app: Runtime, emulator: BotAPIEmulator, clock: FrozenClock) -> tuple[Persona, Persona]:
    """An institution head with the resolution (deadline 01.10.2026) delivered, and an official."""
    async with app.session_factory() as session:
        repo = Repositories(session)
        await seed_org(repo, "МБУ ДО ДДТ", OrgKind.INSTITUTION, "Вяземский район", [8001])
        await repo.people.add(8200, "Олег Чиновников", Role.OFFICIAL)
        resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021.md")
        resolution.deadline = DEADLINE
        await PublicationService(repo, app.renderer).publish(resolution.id, ADMIN_ID, clock.now())
        await session.commit()
    app.pump.poke()
    head = emulator.add_user(8001, "Ирина", started=True)
    official = emulator.add_user(8200, "Олег", started=True)
    last = await head.expect(contains="Рекомендация 4.4", timeout=10)
    assert "Срок выполнения: 01.10.2026" in last.text  # each recommendation message gives its deadline
    return head, official


def rec_message(persona: Persona, number: str) -> SentMessage:
    return next(m for m in persona.messages if f"Рекомендация {number}" in (m.text or "") and m.buttons)


async def extensions(app: Runtime) -> list[DeadlineExtension]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(DeadlineExtension).order_by(DeadlineExtension.id)))


async def ask_extension(head: Persona, number: str, date: str, reason: str) -> None:
    await head.click(rec_message(head, number), "Перенести срок")
    await head.expect(contains="Действующий срок: 01.10.2026")
    await head.send(date)
    await head.expect(contains="Коротко объясните")
    await head.send(reason)
    await head.expect(contains="Запрос о переносе срока")


async def request_with_bad_dates_first(app: Runtime, head: Persona) -> None:
    """Wrong dates are refused one by one; then 01.12.2026 is asked for 4.1, and only once."""
    await head.click(rec_message(head, "4.1"), "Перенести срок")
    await head.expect(contains="Действующий срок: 01.10.2026")
    for bad, answer in [
        ("31.02.2027", "Не удалось прочитать дату"),
        ("завтра", "Не удалось прочитать дату"),
        ("15.08.2026", "позже сегодняшнего дня"),
        ("15.09.2026", "позже действующего (01.10.2026)"),
        ("01.01.2031", "не более чем на два года"),
    ]:
        await head.send(bad)
        await head.expect(contains=answer)
    assert await extensions(app) == []
    await head.send("01.12.2026")
    await head.expect(contains="Новый срок: 01.12.2026")
    await head.send("Ремонт здания, кружки переехали")
    await head.expect(contains="до 01.12.2026 отправлен в департамент")
    # A second request for the same recommendation waits for the first one's decision.
    await head.click(rec_message(head, "4.1"), "Перенести срок")
    assert "уже есть запрос" in (await head.expect_callback_answer()).text


async def official_approves(head: Persona, official: Persona) -> SentMessage:
    """The official lists the requests, opens 4.1's card and approves it; the head is told."""
    await official.send("/extensions")
    listing = await official.expect(contains="Запросы о переносе срока (1)")
    assert "МБУ ДО ДДТ, рекомендация 4.1: 01.10.2026 → 01.12.2026" in listing.text
    await official.click(listing, "4.1")
    card = await official.expect(contains="Ремонт здания")
    assert "Автор запроса: Руководитель МБУ ДО ДДТ, 01.09.2026" in card.text and "ждёт решения" in card.text
    await official.click(card, "Одобрить")
    decided = await official.expect(contains="Состояние: одобрен")
    assert "Одобрить" not in str(decided.buttons)
    told = await head.expect(contains="перенёс срок по рекомендации 4.1", timeout=10)
    assert "новый срок — 01.12.2026" in told.text
    return card


async def assert_decided_only_once(
    app: Runtime, clock: FrozenClock, official: Persona, card: SentMessage
) -> None:
    """A second tap on the old button decides nothing more and tells nobody again."""
    approve = ExtensionDecide(ext_id=(await extensions(app))[0].id, decision=ExtDecision.APPROVE).pack()
    await official.click_data(card, approve)
    assert "уже принято решение" in (await official.expect_callback_answer()).text
    [ext] = await extensions(app)
    assert ext.state is ExtensionState.APPROVED and ext.new_deadline == dt.date(2026, 12, 1)
    assert ext.decided_at is not None and ext.decided_by is not None
    async with app.session_factory() as session:
        sent = await session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.like("ext:%")))
        assert len(list(sent)) == 1
        # Another official deciding at the same moment loses at the database, not only at the screen.
        repo = Repositories(session).extensions
        assert await repo.decide(ext.id, ExtensionState.DENIED, None, clock.now(), "Нет") is False
        await session.commit()
    assert [e.state for e in await extensions(app)] == [ExtensionState.APPROVED]


async def assert_head_sees_the_new_deadline(head: Persona) -> None:
    """From now on the organization's own deadline is what it sees (/report, /my, the report dialog)."""
    await head.send("/report")
    listing = await head.expect(contains="Рекомендации для «МБУ ДО ДДТ»")
    assert "срок 01.12.2026" in listing.text and "срок 01.10.2026" in listing.text
    await head.send("/my")
    summary = await head.expect(contains="Сроки невыполненных рекомендаций")
    assert "4.1 — до 01.12.2026" in summary.text and "4.2 — до 01.10.2026" in summary.text
    await head.click(rec_message(head, "4.1"), "Отчитаться")
    assert "Срок выполнения: 01.12.2026" in (await head.expect(contains="Выберите статус")).text


async def test_request_checks_the_date_and_an_official_approves_it(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, official = await setup(app, emulator, clock)
    await request_with_bad_dates_first(app, head)
    card = await official_approves(head, official)
    # A second tap on the old button decides nothing more and tells nobody again.
    await assert_decided_only_once(app, clock, official, card)
    # From now on the organization's own deadline is what it sees.
    await assert_head_sees_the_new_deadline(head)


async def test_denial_needs_a_comment_and_reaches_the_organization(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, official = await setup(app, emulator, clock)
    await ask_extension(head, "4.2", "15.11.2026", "Нет педагогов")
    await official.send("/extensions")
    await official.click(await official.expect(contains="Запросы о переносе срока (1)"), "4.2")
    card = await official.expect(contains="Нет педагогов")
    await official.click(card, "Отклонить")
    await official.expect(contains="Напишите комментарий для организации")
    await official.send_document("x.pdf", b"%PDF")
    await official.expect(contains="Нужен текст")
    await official.send("Срок установлен решением форума, перенос невозможен")
    denied = await official.expect(contains="В переносе отказано")
    assert "Состояние: отклонён" in denied.text
    told = await head.expect(contains="отказал в переносе срока по рекомендации 4.2", timeout=10)
    assert "Действует прежний срок: 01.10.2026" in told.text and "решением форума" in told.text
    [ext] = await extensions(app)
    assert ext.state is ExtensionState.DENIED and ext.decision_comment
    await official.click(denied, "К списку")
    await official.expect(contains="Запросов о переносе срока, ждущих решения, нет")

    # A denied request is history; the organization may ask again, and the card shows the earlier one.
    await ask_extension(head, "4.2", "01.11.2026", "Педагог выйдет из отпуска")
    await official.send("/extensions")
    await official.click(await official.expect(contains="Запросы о переносе срока (1)"), "4.2")
    card = await official.expect(contains="Прежние запросы")
    assert "до 15.11.2026 — отклонён" in card.text


async def test_members_and_strangers_cannot_decide(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _ = await setup(app, emulator, clock)
    await ask_extension(head, "4.3", "20.10.2026", "Ждём оборудование")
    [ext] = await extensions(app)
    stranger = emulator.add_user(7777, "Незнакомец", started=True)
    await stranger.send("/start")
    await stranger.expect()
    for persona in (head, stranger):
        message = persona.messages[-1]
        for data in (
            ExtensionDecide(ext_id=ext.id, decision=ExtDecision.APPROVE).pack(),
            ExtensionList(page=0).pack(),
            "xd:99999999999999999999999:ok",
        ):
            await persona.click_data(message, data)
            assert (await persona.expect_callback_answer()).show_alert
    assert [e.state for e in await extensions(app)] == [ExtensionState.PENDING]

    async def no_decision_told() -> bool:
        async with app.session_factory() as session:
            rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.like("ext:%")))
            return list(rows) == []

    await eventually(no_decision_told)


async def reminder_texts(app: Runtime, chat_id: int) -> list[str]:
    async with app.session_factory() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedup_key.like("remind:%"), OutboxMessage.chat_id == chat_id)
            .order_by(OutboxMessage.id)
        )
        return [row.payload["text"] for row in rows]


async def test_reminders_follow_the_organizations_own_deadline(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, official = await setup(app, emulator, clock)
    await ask_extension(head, "4.1", "01.12.2026", "Ремонт здания")
    await official.send("/extensions")
    await official.click(await official.expect(contains="Запросы о переносе срока (1)"), "4.1")
    await official.click(await official.expect(contains="Ремонт здания"), "Одобрить")
    await official.expect(contains="Состояние: одобрен")
    await app.jobs.tick()  # the first tick marks the horizon

    # 7 days before the resolution's deadline: the three items still due then, not the moved one.
    clock.set(dt.datetime(2026, 9, 24, 6, 0, tzinfo=dt.UTC))
    await app.jobs.tick()
    [first] = await reminder_texts(app, 8001)
    assert "01.10.2026" in first and "4.2" in first and "4.1" not in first

    # 7 days before the organization's own deadline: only the moved item.
    clock.set(dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC))
    await app.jobs.tick()
    texts = await reminder_texts(app, 8001)
    assert len(texts) == 2 and "01.12.2026" in texts[1]
    assert "4.1" in texts[1] and "4.2" not in texts[1]


def test_deadline_rules() -> None:
    today, current = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
    assert effective_deadline(dt.date(2026, 12, 1), dt.date(2026, 11, 1), current) == dt.date(2026, 12, 1)
    assert effective_deadline(None, dt.date(2026, 11, 1), current) == dt.date(2026, 11, 1)
    assert effective_deadline(None, None, current) == current
    assert effective_deadline(None, None, None) is None
    for text in ("01.12.2026", "1.12.26", "2026-12-01", " 01.12.2026. "):
        assert parse_new_deadline(text, today, current) == dt.date(2026, 12, 1)
    assert parse_new_deadline("02.09.2026", today, None) == dt.date(2026, 9, 2)  # no deadline in force
    for text, key in [
        ("", "ext.bad_date"),
        ("30.02.2027", "ext.bad_date"),
        ("01.09.2026", "ext.date_not_future"),
        ("01.10.2026", "ext.date_not_later"),
        ("02.09.2028", "ext.date_too_far"),
    ]:
        with pytest.raises(DomainError) as caught:
            parse_new_deadline(text, today, current)
        assert caught.value.key == key, text
    assert validate_extension_text("  Ремонт  ", 10, "ext.reason_empty") == "Ремонт"
    with pytest.raises(DomainError):
        validate_extension_text("   ", 10, "ext.reason_empty")
    with pytest.raises(DomainError):
        validate_extension_text("x" * 11, 10, "ext.reason_empty")


def test_done_evidence_rule() -> None:
    link = EvidenceItem(EvidenceKind.LINK, url="https://example.org")
    note = EvidenceItem(EvidenceKind.TEXT, text="Сделано")
    done = ReportDraft(1, ReportStatus.DONE, evidence=[note])
    with pytest.raises(DomainError):
        check_done_evidence(done, required=True, attached_proofs=0)
    check_done_evidence(done, required=False, attached_proofs=0)
    check_done_evidence(done, required=True, attached_proofs=1)
    check_done_evidence(ReportDraft(1, ReportStatus.DONE, evidence=[link]), required=True, attached_proofs=0)
    check_done_evidence(ReportDraft(1, ReportStatus.IN_PROGRESS), required=True, attached_proofs=0)
    # The draft's removals survive the FSM round trip.
    draft = ReportDraft(1, ReportStatus.DONE, removed=[5, 7])
    assert ReportDraft.from_data(draft.to_data()).removed == [5, 7]


async def test_finished_work_needs_no_extension_unless_returned(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _ = await setup(app, emulator, clock)
    await head.click(rec_message(head, "4.4"), "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "Выполнено")
    await head.expect(contains="Напишите комментарий")
    await head.send("Аттестация пройдена")
    await head.expect(contains="Приложите подтверждения")
    await head.send("https://ddt.example.ru/attestation")
    await head.click(await head.expect(contains="Всего 1 подтверждение"), "Готово (1)")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку")
    await head.click(rec_message(head, "4.4"), "Перенести срок")
    assert "переносить срок не нужно" in (await head.expect_callback_answer()).text

    # Returned for rework: the organization may need more time after all.
    async with app.session_factory() as session:
        await session.execute(update(Report).values(review_state=ReviewState.RETURNED))
        await session.commit()
    await ask_extension(head, "4.4", "01.11.2026", "Доработка по замечаниям департамента")
    assert [e.state for e in await extensions(app)] == [ExtensionState.PENDING]


async def test_officials_hear_of_a_request_at_once_and_open_it_in_a_tap(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, official = await setup(app, emulator, clock)
    await ask_extension(head, "4.3", "20.10.2026", "Ждём оборудование")
    notice = await official.expect(contains="Запрос о переносе срока", timeout=10)
    assert "«МБУ ДО ДДТ» просит перенести срок по рекомендации 4.3: с 01.10.2026 на 20.10.2026" in notice.text
    assert "Причина: Ждём оборудование" in notice.text
    await official.click(notice, "Рассмотреть запрос")
    card = await official.expect(contains="Просят перенести на: 20.10.2026")
    await official.click(card, "Одобрить")
    await official.expect(contains="Состояние: одобрен")
    await head.expect(contains="перенёс срок по рекомендации 4.3", timeout=10)
    # The head, who asked, is not told of their own request as if they were the department.
    assert not [m for m in head.messages if "просит перенести срок" in (m.text or "")]
    assert emulator.duplicates() == 0
