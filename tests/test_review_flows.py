"""Issue 13, the review loop end to end: officials accept or return reports, reopen accepted ones; the
organization is told; officials hear of new submissions in batches; nobody else can decide."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.domain import ReviewState, RevisionEvent, Role
from bot.domain.clock import FrozenClock
from bot.domain.errors import DomainError
from bot.runtime.app import Runtime
from bot.services.resolutions import ResolutionService
from bot.services.review import normalize_note
from bot.telegram.callbacks import ReviewAct, ReviewDecide, ReviewMute
from storage.models import OutboxMessage, Person, Report, ReportRevision
from storage.repositories import Repositories
from tests.helpers import eventually
from tests.test_report_flows import publish_to_two_orgs, rec_message
from tg_emulator import BotAPIEmulator, Persona, SentMessage

OFFICIAL_ID = 9001


async def official(app: Runtime, emulator: BotAPIEmulator) -> Persona:
    async with app.session_factory() as session:
        await Repositories(session).people.add(OFFICIAL_ID, "Ольга Проверяева", Role.OFFICIAL, language="ru")
        await session.commit()
    return emulator.add_user(OFFICIAL_ID, "Ольга", started=True)


async def submit(head: Persona, number: str, comment: str, status: str = "В работе") -> SentMessage:
    await head.click(rec_message(head, number), "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), status)
    await head.expect(contains="комментарий")
    await head.send(comment)
    await head.click(await head.expect(contains="Приложите"), "Без подтверждений")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
    return await head.expect(contains="Отчёт отправлен на проверку")


async def setup(
    app: Runtime, emulator: BotAPIEmulator, clock: FrozenClock
) -> tuple[Persona, Persona, Persona]:
    head, municipal = await publish_to_two_orgs(app, emulator, clock)
    # Submissions come after the scheduler's first tick (its horizon), as they would in life.
    clock.advance(dt.timedelta(minutes=1))
    return head, municipal, await official(app, emulator)


async def the_report(app: Runtime) -> Report:
    async with app.session_factory() as session:
        reports = list(await session.scalars(select(Report).order_by(Report.id)))
    assert len(reports) == 1
    return reports[0]


async def events(app: Runtime) -> list[tuple[int, RevisionEvent, ReviewState]]:
    async with app.session_factory() as session:
        rows = await session.scalars(
            select(ReportRevision).order_by(ReportRevision.report_id, ReportRevision.version)
        )
        return [(r.version, r.event, r.review_state) for r in rows]


async def outbox_texts(app: Runtime, chat_id: int) -> list[str]:
    async with app.session_factory() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return [str(m.payload.get("text", "")) for m in rows]


async def test_accept_is_recorded_and_acknowledged(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _, olga = await setup(app, emulator, clock)
    await submit(head, "4.2", "Начали обновлять программы")
    await olga.send("/review")
    queue = await olga.expect(contains="Отчёты на проверке")
    assert "Отчёт 1 из 1" in queue.text and "МБУ ДО ДДТ" in queue.text
    assert "Рекомендация 4.2" in queue.text and "Начали обновлять программы" in queue.text
    assert "⏳ На проверке · версия 1" in queue.text
    await olga.click(queue, "Принять")
    done = await olga.expect(contains="Принят отчёт «МБУ ДО ДДТ» по рекомендации 4.2")
    assert "Все отчёты проверены" in done.text
    ack = await head.expect(contains="Департамент принял ваш отчёт", timeout=10)
    assert "Рекомендация 4.2" in ack.text

    report = await the_report(app)
    assert report.review_state is ReviewState.ACCEPTED and report.version == 2
    async with app.session_factory() as session:
        olga_person = await Repositories(session).people.by_telegram_id(OFFICIAL_ID)
    assert olga_person is not None and report.reviewed_by == olga_person.id
    assert await events(app) == [
        (1, RevisionEvent.SUBMITTED, ReviewState.PENDING),
        (2, RevisionEvent.ACCEPTED, ReviewState.ACCEPTED),
    ]


async def test_return_with_comment_then_revise_resubmit_and_accept(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _, olga = await setup(app, emulator, clock)
    await submit(head, "4.3", "Заключили договор")
    await olga.send("/review")
    await olga.click(await olga.expect(contains="Отчёт 1 из 1"), "Вернуть на доработку")
    await olga.expect(contains="Напишите одним сообщением, что нужно исправить")
    await olga.send_sticker()
    await olga.expect(contains="обычным текстом")
    await olga.send("ж" * 2001)
    await olga.expect(contains="допустимо не больше 2000 знаков, а в нём 2001")
    assert (await the_report(app)).review_state is ReviewState.PENDING
    await olga.send("Приложите  копию договора\n\n\n\nи укажите   срок")
    done = await olga.expect(contains="возвращён на доработку")
    assert "Все отчёты проверены" in done.text

    notice = await head.expect(contains="Отчёт возвращён на доработку", timeout=10)
    assert "Приложите копию договора\n\nи укажите срок" in notice.text
    await head.click(notice, "Доработать")
    picker = await head.expect(contains="Выберите статус")
    assert "Комментарий департамента" in picker.text and "Текущий статус: 🔄 В работе" in picker.text
    await head.click(picker, "В работе")
    await head.click(await head.expect(contains="комментарий"), "Оставить прежний комментарий")
    await head.send("https://ddt.example.ru/dogovor.pdf")
    await head.click(await head.expect(contains="Всего 1 подтверждение"), "Готово (1)")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку (версия 3)")

    await olga.send("/review")
    queue = await olga.expect(contains="Отчёт 1 из 1")
    assert "Ранее возвращался на доработку" in queue.text and "dogovor.pdf" in queue.text
    await olga.click(queue, "Получить подтверждения")
    await olga.expect(contains="ссылка https://ddt.example.ru/dogovor.pdf")
    await olga.click(queue, "История изменений")
    history = await olga.expect(contains="История отчёта")
    assert "↩️ возвращён на доработку" in history.text and "«Приложите копию договора" in history.text
    assert history.text.count("отправлен отчёт") == 2
    await olga.click(history, "К очереди проверки")
    queue = await olga.expect(contains="Отчёт 1 из 1")
    await olga.click(queue, "Принять")
    await olga.expect(contains="Принят отчёт")
    await head.expect(contains="Департамент принял ваш отчёт", timeout=10)
    report = await the_report(app)
    assert report.review_state is ReviewState.ACCEPTED and report.version == 4
    assert [e for _, e, _ in await events(app)] == [
        RevisionEvent.SUBMITTED,
        RevisionEvent.RETURNED,
        RevisionEvent.SUBMITTED,
        RevisionEvent.ACCEPTED,
    ]
    async with app.session_factory() as session:
        returned = await session.scalar(select(ReportRevision).where(ReportRevision.version == 2))
    assert returned is not None and returned.note == "Приложите копию договора\n\nи укажите срок"


async def test_reopen_from_status_and_from_the_acceptance_notice(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _, olga = await setup(app, emulator, clock)
    await submit(head, "4.1", "Открыли кружки")
    await olga.send("/review")
    await olga.click(await olga.expect(contains="Отчёт 1 из 1"), "Принять")
    accepted = await olga.expect(contains="Принят отчёт")
    # Straight from the acceptance notice: undo, with a reason.
    await olga.click(accepted, "Вернуть 4.1 на проверку")
    await olga.expect(contains="Напишите одним сообщением причину")
    await olga.send("Принят по ошибке")
    await olga.expect(contains="снова на проверке")
    reopened = await head.expect(contains="Принятый отчёт снова на проверке", timeout=10)
    assert "Принят по ошибке" in reopened.text
    assert (await the_report(app)).review_state is ReviewState.PENDING

    await olga.send("/review")
    await olga.click(await olga.expect(contains="Отчёт 1 из 1"), "Принять")
    await olga.expect(contains="Принят отчёт")
    # From /status: resolution → organization → report.
    await olga.send("/status")
    await olga.click(await olga.expect(contains="выберите резолюцию"), "Резолюция")
    await olga.click(await olga.expect(contains="По группам"), "🏙 По муниципалитетам")
    await olga.click(await olga.expect(contains="По муниципалитетам:"), "Вяземский район")
    await olga.click(await olga.expect(contains="выполнено позиций / всего"), "МБУ ДО ДДТ")
    await olga.click(await olga.expect(contains="Муниципалитет"), "4.1")
    await olga.click(await olga.expect(contains="Статус:"), "История изменений")
    history = await olga.expect(contains="История отчёта")
    assert "✅ отчёт принят" in history.text and "«Принят по ошибке»" in history.text
    await olga.click(history, "Назад")
    await olga.click(await olga.expect(contains="Статус:"), "Вернуть на проверку")
    await olga.expect(contains="Напишите одним сообщением причину")
    await olga.send("Нужна сверка с отчётом района")
    await olga.expect(contains="снова на проверке")
    assert [e for _, e, _ in await events(app)] == [
        RevisionEvent.SUBMITTED,
        RevisionEvent.ACCEPTED,
        RevisionEvent.REOPENED,
        RevisionEvent.ACCEPTED,
        RevisionEvent.REOPENED,
    ]
    report = await the_report(app)
    assert report.review_state is ReviewState.PENDING and report.version == 5


async def test_stale_view_is_refused_and_a_double_tap_acts_once(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _, olga = await setup(app, emulator, clock)
    await submit(head, "4.2", "Начали")
    await olga.send("/review")
    old_view = await olga.expect(contains="Отчёт 1 из 1")
    # The official starts a return of version 1; the organization changes the report meanwhile.
    await olga.click(old_view, "Вернуть на доработку")
    await olga.expect(contains="Напишите одним сообщением")
    await head.send("/report")
    await head.click(await head.expect(contains="Рекомендации для"), "4.2")
    await head.click(await head.expect(contains="Выберите статус"), "В работе")
    await head.expect(contains="комментарий")
    await head.send("Начали и продолжаем")
    await head.click(await head.expect(contains="Приложите"), "Без подтверждений")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
    await head.expect(contains="(версия 2)")

    await olga.send("Мало подробностей")
    refused = await olga.expect(contains="Отчёт изменился, пока вы его смотрели")
    assert "Начали и продолжаем" in refused.text and "Принять" in str(refused.buttons)
    assert "Мало подробностей" not in " ".join(await outbox_texts(app, head.chat_id))
    # Its state is over: the next text is not taken for a comment.
    await olga.send("Мало подробностей")
    await olga.expect(contains="Бот не может разобрать это сообщение")

    await olga.click(old_view, "Принять")
    fresh = await olga.expect(contains="Отчёт изменился, пока вы его смотрели")
    assert "Начали и продолжаем" in fresh.text
    report = await the_report(app)
    assert report.review_state is ReviewState.PENDING and report.version == 2

    # Two quick taps on the fresh view's «Принять»: one decision, one message to the organization.
    accept = ReviewDecide(action=ReviewAct.ACCEPT, report_id=report.id, version=2).pack()
    await olga.click_data(fresh, accept)
    await olga.click_data(fresh, accept)
    answer = await olga.expect_callback_answer()
    assert answer.show_alert and "уже сохранено" in (answer.text or "")
    await head.expect(contains="Департамент принял ваш отчёт", timeout=10)
    assert [e for _, e, _ in await events(app)].count(RevisionEvent.ACCEPTED) == 1
    assert sum("принял" in text for text in await outbox_texts(app, head.chat_id)) == 1
    assert (await the_report(app)).version == 3


async def test_notices_come_in_batches_and_can_be_muted(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, municipal, olga = await setup(app, emulator, clock)
    await submit(head, "4.1", "Первый")
    await submit(municipal, "2.1", "Второй")
    assert (await app.jobs.tick()).review_notices == 1
    notice = await olga.expect(contains="На проверку поступило 2 отчёта", timeout=10)
    assert "МБУ ДО ДДТ — рекомендация 4.1" in notice.text and "Отдел образования" in notice.text

    # Within the interval a new submission waits; after it, one message for what came since.
    clock.advance(dt.timedelta(minutes=10))
    await submit(head, "4.2", "Третий")
    assert (await app.jobs.tick()).review_notices == 0
    clock.advance(dt.timedelta(minutes=55))
    assert (await app.jobs.tick()).review_notices == 1
    later = await olga.expect(contains="На проверку поступил 1 отчёт", timeout=10)
    assert "4.2" in later.text and "4.1" not in later.text
    await olga.click(later, "Открыть очередь проверки")
    queue = await olga.expect(contains="Отчёт 1 из 3")

    await olga.click(queue, "Не присылать уведомления")
    muted = await olga.expect(contains="Уведомления о новых отчётах отключены")
    assert (await olga.expect_callback_answer()).text == "Уведомления отключены"
    await submit(head, "4.3", "Четвёртый")
    clock.advance(dt.timedelta(hours=2))
    assert (await app.jobs.tick()).review_notices == 0

    await olga.click(muted, "Присылать уведомления")
    await olga.expect(contains="не чаще одного раза в 60 мин.")
    assert (await app.jobs.tick()).review_notices == 1
    await olga.expect(contains="На проверку поступил 1 отчёт", timeout=10)


async def test_members_and_strangers_cannot_review(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, _, olga = await setup(app, emulator, clock)
    await submit(head, "4.2", "Начали")
    report = await the_report(app)
    stranger = emulator.add_user(7777, "Никто", started=True)
    forged = [
        ReviewDecide(action=act, report_id=report.id, version=report.version).pack() for act in ReviewAct
    ] + [ReviewMute(mute=True).pack(), "rd:accept:99999999999999999999999:1", "rv:0:0:-:99999999"]
    # The school's head is told who reviews; a stranger that /review is for registered users.
    for persona, told in ((head, "Отчёты проверяют департамент"), (stranger, "/review")):
        await persona.send("/review")
        await persona.expect(contains=told)
        for data in forged:
            await persona.click_data(persona.messages[-1], data)
            answer = await persona.expect_callback_answer()
            assert answer.show_alert and "устарела" in (answer.text or "")
    # An official replaying a button of another version is refused just the same.
    await olga.send("/review")
    view = await olga.expect(contains="Отчёт 1 из 1")
    replayed = ReviewDecide(action=ReviewAct.ACCEPT, report_id=report.id, version=report.version + 5)
    await olga.click_data(view, replayed.pack())
    await olga.expect(contains="Отчёт изменился")

    # A withdrawn resolution's report: its buttons no longer decide anything.
    async with app.session_factory() as session:
        repo = Repositories(session)
        [published] = await repo.resolutions.published()
        await ResolutionService(repo).withdraw(published.id)
        await session.commit()
    await olga.click_data(view, ReviewDecide(action=ReviewAct.ACCEPT, report_id=report.id, version=1).pack())
    answer = await olga.expect_callback_answer()
    assert answer.show_alert and "снята с публикации" in (answer.text or "")

    async def unchanged() -> bool:
        current = await the_report(app)
        return current.review_state is ReviewState.PENDING and current.version == 1

    await eventually(unchanged)
    async with app.session_factory() as session:
        people = list(await session.scalars(select(Person).where(Person.review_notices_muted.is_(True))))
    assert people == []
    assert await events(app) == [(1, RevisionEvent.SUBMITTED, ReviewState.PENDING)]


def test_notes_are_normalized_and_required() -> None:
    assert (
        normalize_note("  Приложите\tкопию \n\n\n\n договора ", "review.comment")
        == "Приложите копию\n\nдоговора"
    )
    for blank in ("", " \n\t ", "\u00a0"):
        with pytest.raises(DomainError) as caught:
            normalize_note(blank, "review.reason")
        assert caught.value.key == "review.reason_empty"


def label(message: SentMessage, starts: str) -> str:
    return next(text for row in message.buttons for text, _ in row if text.startswith(starts))


async def test_queue_filters_next_and_the_filter_kept_after_a_decision(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    head, municipal, olga = await setup(app, emulator, clock)
    await submit(municipal, "2.1", "Провели совещание")
    clock.advance(dt.timedelta(minutes=1))
    await submit(head, "4.1", "Открыли кружки")
    await olga.send("/review")
    queue = await olga.expect(contains="Отчёт 1 из 2")
    assert "Отдел образования" in queue.text  # the oldest submission first
    await olga.click(queue, "➡️ Следующий")
    second = await olga.expect(contains="Отчёт 2 из 2")
    assert "МБУ ДО ДДТ" in second.text
    await olga.click(second, "➡️ Следующий")
    await olga.expect(contains="Отчёт 1 из 2")  # past the end, back to the oldest

    await olga.click(olga.messages[-1], "Резолюция ▾")
    choose = await olga.expect(contains="Выберите резолюцию")
    await olga.click(choose, choose.buttons[0][0][0])
    await olga.click(await olga.expect(contains="Резолюция:"), "Группа ▾")
    groups = await olga.expect(contains="Выберите группу адресатов")
    await olga.click(groups, label(groups, "4."))
    filtered = await olga.expect(contains="Группа адресатов: 4.")
    assert "Отчёт 1 из 1" in filtered.text and "МБУ ДО ДДТ" in filtered.text
    await olga.click(filtered, "Муниципалитет ▾")
    await olga.click(await olga.expect(contains="Выберите муниципалитет"), "Вяземский район")
    both = await olga.expect(contains="Муниципалитет: Вяземский район")
    assert "Отчёт 1 из 1" in both.text and "➡️ Следующий" not in str(both.buttons)
    await olga.click(both, "Принять")
    after = await olga.expect(contains="Принят отчёт «МБУ ДО ДДТ»")
    assert "По выбранным условиям отчётов на проверке нет" in after.text
    await olga.click(after, "Сбросить фильтры")
    rest = await olga.expect(contains="Отчёт 1 из 1")
    assert "Отдел образования" in rest.text

    # A filter naming a municipality or group that is not there is a stale button.
    await olga.click_data(rest, "rv:0:0:deadbeef:0")
    assert (await olga.expect_callback_answer()).show_alert
    await olga.click_data(rest, "rv:0:5:-:0")
    assert (await olga.expect_callback_answer()).show_alert
