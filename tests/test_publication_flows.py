"""Issue 3 end to end: a resolution document becomes messages in each organization's chat."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select

from bot.domain import OrgKind, OutboxState
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.runtime.harness import running_bot
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from bot.telegram.callbacks import ReportOpen
from storage.models import OutboxMessage, Person
from storage.repositories import Repositories
from tests.conftest import BOT_USERNAME, TOKEN, make_settings
from tests.helpers import admin, eventually
from tg_emulator import BotAPIEmulator, Persona, SentMessage

SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()


async def seed_region(app: Runtime, emulator: BotAPIEmulator) -> dict[str, Persona]:
    """One organization of each kind with a member, plus one institution nobody joined yet."""
    people = {
        "department": (OrgKind.DEPARTMENT, "Департамент Смоленской области по образованию и науке", "", 7001),
        "municipal": (OrgKind.MUNICIPAL, "Отдел образования Вяземского района", "Вяземский район", 7002),
        "institute": (OrgKind.INSTITUTE, "ГАУ ДПО СОПРО", "", 7003),
        "institution": (OrgKind.INSTITUTION, "МБУ ДО ДДТ Вязьмы", "Вяземский район", 7004),
        "institution2": (OrgKind.INSTITUTION, "ЦДО «Радуга»", "г. Смоленск", 7005),
        "other": (OrgKind.OTHER, "Областная библиотека", "г. Смоленск", 7006),
    }
    async with app.session_factory() as session:
        repo = Repositories(session)
        for kind, name, municipality, telegram_id in people.values():
            await seed_org(repo, name, kind, municipality, [telegram_id])
        await seed_org(repo, "ДДТ Сафоново", OrgKind.INSTITUTION, "Сафоновский район")
        await session.commit()
    return {
        key: emulator.add_user(tid, f"Руководитель {key}", started=True)
        for key, (_, _, _, tid) in people.items()
    }


async def import_and_publish(
    anna: Persona, data: bytes = SAMPLE_2021, filename: str = "resolution.md"
) -> None:
    await anna.send_document(filename, data)
    preview = await anna.expect(contains="групп")
    await anna.click(preview, "Опубликовать")
    confirm = await anna.expect(contains="Опубликовать резолюцию?")
    await anna.click(confirm, "Да, опубликовать")


def report_buttons(persona: Persona) -> list[str]:
    return [
        data
        for m in persona.messages
        for row in m.buttons
        for _, data in row
        if data and data.startswith("ro:")
    ]


async def readdress_group_and_set_deadlines(anna: Persona, preview: SentMessage) -> SentMessage:
    """The department's group goes to the "other" kind; a common deadline and one of 4.2's own are set."""
    await anna.click(preview, "Группа 1: Департамент ✎")
    kinds = await anna.expect(contains="Каким организациям")
    await anna.click(kinds, "Другое")
    changed = await anna.expect(contains="Кому: другим организациям · рекомендаций: 3")
    await anna.click(changed, "Срок")
    await anna.expect(contains="ДД.ММ.ГГГГ")
    await anna.send("31.02.2027")
    await anna.expect(contains="Дата не распознана")
    await anna.send("01.01.2020")
    await anna.expect(contains="в будущем")
    await anna.send("31.05.2027")
    with_deadline = await anna.expect(contains="Срок выполнения: 31.05.2027")
    # One recommendation gets a deadline of its own.
    await anna.click(with_deadline, "Срок")
    await anna.expect(contains="срок отдельной рекомендации")
    await anna.send("9.9 15.04.2027")
    await anna.expect(contains="нет рекомендации 9.9")
    await anna.send("4.2 15.04.2027")
    return await anna.expect(contains="Сроки отдельных рекомендаций: 4.2 — 15.04.2027")


async def publish_and_wait(anna: Persona, with_deadline: SentMessage) -> None:
    await anna.click(with_deadline, "Опубликовать")
    confirm = await anna.expect(contains="Получателей: 5")
    assert "сообщений: 24" in confirm.text  # intro + recommendations for each of the five recipients
    assert "без зарегистрированных представителей: 1" in confirm.text
    await anna.click(confirm, "Да, опубликовать")
    await anna.expect(contains="📤 Рассылка:", timeout=10)
    final = await anna.expect(contains="завершена: доставлено 24 из 24", timeout=20)
    assert "Недоступны получатели: 0" in final.text


def assert_each_got_their_group(people: dict[str, Persona]) -> None:
    """Each member got exactly their group's recommendations, each with a report button with its real id."""
    assert len(report_buttons(people["municipal"])) == 4
    assert len(report_buttons(people["institute"])) == 4
    assert len(report_buttons(people["institution"])) == 4
    assert len(report_buttons(people["institution2"])) == 4
    assert len(report_buttons(people["other"])) == 3  # the department's group, re-addressed
    assert report_buttons(people["department"]) == []


def assert_institution_messages(people: dict[str, Persona]) -> None:
    """The institution's intro and recommendations carry the common and the own deadlines."""
    intro = people["institution"].messages[0]
    assert "Вашей организации адресовано 4 рекомендации" not in intro.text
    assert "адресованы 4 рекомендации" in intro.text and "31.05.2027" in intro.text
    own = next(m for m in people["institution"].messages if "Рекомендация 4.2" in (m.text or ""))
    other = next(m for m in people["institution"].messages if "Рекомендация 4.1" in (m.text or ""))
    assert "Срок выполнения: 15.04.2027" in own.text and "Срок выполнения: 31.05.2027" in other.text
    rec_ids = {ReportOpen.unpack(d).rec_id for d in report_buttons(people["institution"])}
    assert len(rec_ids) == 4


def assert_nothing_delivered_twice(people: dict[str, Persona]) -> None:
    """Nothing delivered twice (the admin saw the same deadline prompt twice, which is no delivery)."""
    for persona in people.values():
        texts = [m.text for m in persona.messages]
        assert len(texts) == len(set(texts)), persona.name


async def test_preview_change_kind_deadline_and_publish(emulator: BotAPIEmulator, app: Runtime) -> None:
    people = await seed_region(app, emulator)
    anna = await admin(emulator)
    await anna.send_document("smolensk-2021.md", SAMPLE_2021)
    preview = await anna.expect(contains="4 группы адресатов, рекомендаций: 15")
    assert "Кому: департаменту · рекомендаций: 3" in preview.text
    assert "Кому: учреждениям дополнительного образования · рекомендаций: 4" in preview.text

    # The department's group goes to the "other" kind instead, and back: the preview follows.
    with_deadline = await readdress_group_and_set_deadlines(anna, preview)
    await publish_and_wait(anna, with_deadline)
    assert_each_got_their_group(people)
    assert_institution_messages(people)
    assert_nothing_delivered_twice(people)


async def test_report_button_is_a_real_entry_point(emulator: BotAPIEmulator, app: Runtime) -> None:
    people = await seed_region(app, emulator)
    anna = await admin(emulator)
    await import_and_publish(anna)
    await anna.expect(contains="завершена", timeout=20)
    head = people["institution"]
    message = next(m for m in head.messages if m.buttons)
    await head.click(message, "Отчитаться")
    await head.expect(contains="Рекомендация", timeout=5)


async def test_rate_limited_publication_loses_nothing(
    tmp_path: Path, clock: FrozenClock, database_url: str
) -> None:

    # The bot believes it may send 60/s; the emulator allows 15/s: Telegram's 429s must all be absorbed.
    async with BotAPIEmulator(token=TOKEN, bot_username=BOT_USERNAME, rate_limit=15, burst=15) as emulator:
        settings = make_settings(tmp_path, emulator.base_url, database_url, send_rate=60.0)
        async with running_bot(settings, clock) as app:
            async with app.session_factory() as session:
                repo = Repositories(session)
                for i in range(30):
                    await seed_org(repo, f"ДДТ №{i}", OrgKind.INSTITUTION, "Район", [9000 + i])
                await session.commit()
            members = [emulator.add_user(9000 + i, f"Директор {i}", started=True) for i in range(30)]
            anna = await admin(emulator)
            await import_and_publish(anna)
            await anna.expect(contains="завершена: доставлено 150 из 150", timeout=60)
            assert emulator.stats.rate_limited > 0
            assert emulator.duplicates() == 0
            assert all(len(report_buttons(m)) == 4 for m in members)


async def test_blocked_and_unknown_users_are_reported(emulator: BotAPIEmulator, app: Runtime) -> None:
    people = await seed_region(app, emulator)
    people["institution2"].block()
    async with app.session_factory() as session:
        repo = Repositories(session)
        # A member whose chat the bot has never seen: Telegram answers 400 chat not found.
        await seed_org(repo, "ДДТ Ельни", OrgKind.INSTITUTION, "Ельнинский район", [7999])
        await session.commit()
    anna = await admin(emulator)
    await import_and_publish(anna)
    final = await anna.expect(contains="завершена", timeout=20)
    assert "Недоступны получатели: 2" in final.text
    report = await anna.expect(contains="Не доставлено", timeout=20)
    assert "ЦДО «Радуга»" in report.text and "ДДТ Ельни" in report.text
    async with app.session_factory() as session:
        blocked = await session.scalar(select(Person).where(Person.telegram_id == 7005))
        assert blocked is not None and blocked.unreachable_since is not None
        states = set(await session.scalars(select(OutboxMessage.state).where(OutboxMessage.chat_id == 7005)))
        assert states == {OutboxState.UNREACHABLE}


async def test_server_errors_are_retried(emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock) -> None:
    people = await seed_region(app, emulator)
    # A direct answer survives two 502s: the request middleware retries it.
    emulator.fail_next("sendMessage", status=502, count=2)
    anna = await admin(emulator)
    # Eight failures among eight parallel workers: whatever exhausts its in-place retries is deferred.
    # Injected before the rows exist, so no idle round of the pump can slip past them.
    emulator.fail_next("sendMessage", status=500, count=8)

    async with app.session_factory() as session:
        repo = Repositories(session)
        resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021.md")
        await PublicationService(repo, app.renderer).publish(resolution.id, anna.user_id, clock.now())
        await session.commit()
    app.pump.poke()

    async def settled() -> bool:
        states = await outbox_states(app)
        sent = states.get(OutboxState.SENT, 0)
        return (
            emulator.stats.errors[500] == 8 and sent >= 16 and sent + states.get(OutboxState.PENDING, 0) == 24
        )

    await eventually(settled, timeout=30)
    clock.advance(dt.timedelta(minutes=5))
    app.pump.poke()
    await anna.expect(contains="завершена: доставлено 24 из 24", timeout=30)
    assert len(report_buttons(people["institution"])) == 4
    assert emulator.duplicates() == 0


async def outbox_states(app: Runtime) -> dict[OutboxState, int]:
    """States of the publication's own messages (the delivery report, queued at the end, is not one)."""
    async with app.session_factory() as session:
        rows = await session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.batch.like("pub:%"))
            .group_by(OutboxMessage.state)
        )
        return {OutboxState(state): n for state, n in rows}


async def test_late_joiner_gets_what_was_published(emulator: BotAPIEmulator, app: Runtime) -> None:
    people = await seed_region(app, emulator)
    anna = await admin(emulator)
    await import_and_publish(anna)
    await anna.expect(contains="завершена", timeout=20)
    await anna.send("/orgs")
    listing = await anna.expect(contains="Организации")
    await anna.click(listing, "ДДТ Сафоново")
    card = await anna.expect(contains="ДДТ Сафоново")
    await anna.click(card, "Новое приглашение")
    link = await anna.expect(contains="t.me/")
    code = link.text.split("start=")[1].split()[0]
    newcomer = emulator.add_user(7100, "Новенькая")
    await newcomer.send(f"/start {code}")
    await newcomer.expect(contains="Готово")
    await newcomer.expect(contains="Адресат:", timeout=10)

    async def four_buttons() -> bool:
        return len(report_buttons(newcomer)) == 4

    await eventually(four_buttons, timeout=10)
    # A second publication of the same resolution is impossible, and the old members got nothing twice.
    assert len(report_buttons(people["institution"])) == 4
    assert emulator.duplicates() == 0


async def test_bad_resolution_files(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    await anna.send_document("empty.txt", "Просто текст без адресатов и пунктов.".encode())
    await anna.expect(contains="Не удалось разобрать резолюцию")
    await anna.send_document("broken.docx", b"PK\x03\x04 not really a docx")
    await anna.expect(contains="документ Word повреждён")
    await anna.send("/resolutions")
    await anna.expect(contains="Резолюций пока нет")
