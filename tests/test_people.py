"""Issue 12, «People»: a grant that takes a head from her organization is confirmed first; /remind gives one
account; stray files are offered as evidence; evidence sent to an official carries a caption."""

from __future__ import annotations

import datetime as dt
from importlib import resources

from sqlalchemy import select

from bot.domain import OrgKind, Role
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from bot.services.status import EvidenceBundle
from bot.telegram.callbacks import EvidenceSend
from bot.telegram.views.people import CAPTION_LIMIT, evidence_caption
from bot.texts.i18n import Translator
from storage.models import AddresseeGroup, Evidence, Organization, Person, Recommendation, Report
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID
from tests.helpers import admin, eventually
from tg_emulator import BotAPIEmulator

SAMPLE = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()


async def _region(app: Runtime, clock: FrozenClock, emulator: BotAPIEmulator) -> None:
    """Two institutions with a head each, one nobody has joined; the sample resolution published."""
    for telegram_id, name in ((8101, "Вера"), (8102, "Галина")):
        emulator.add_user(telegram_id, name, started=True)
    async with app.session_factory() as session:
        repo = Repositories(session)
        await seed_org(repo, "ДДТ Вязьмы", OrgKind.INSTITUTION, "Вяземский район", [8101])
        await seed_org(repo, "ЦДО <Сафоново> & Co", OrgKind.INSTITUTION, "Сафоновский район", [8102])
        await seed_org(repo, "ДДТ Ярцево", OrgKind.INSTITUTION, "Ярцевский район", [])
        resolution = await seed_resolution(repo, SAMPLE, "smolensk-2021.md")
        await PublicationService(repo, app.renderer).publish(resolution.id, ADMIN_ID, clock.now())
        await session.commit()


async def _person(app: Runtime, telegram_id: int) -> tuple[Role, int | None]:
    async with app.session_factory() as session:
        person = await Repositories(session).people.by_telegram_id(telegram_id)
        assert person is not None
        return person.role, person.organization_id


async def test_grant_to_a_head_asks_first_and_changes_nothing_until_confirmed(
    emulator: BotAPIEmulator, app: Runtime
) -> None:
    async with app.session_factory() as session:
        await seed_org(Repositories(session), "ДДТ Вязьмы", OrgKind.INSTITUTION, "Вяземский район", [8101])
        await session.commit()
    emulator.add_user(8101, "Вера", started=True)
    anna = await admin(emulator)
    await anna.send("/grant 8101 official")
    warning = await anna.expect(contains="«ДДТ Вязьмы»")
    assert "связь с организацией будет снята" in (warning.text or "")
    role, organization_id = await _person(app, 8101)
    assert role is Role.MEMBER and organization_id is not None

    await anna.click(warning, "Отмена")
    await anna.expect(contains="Роль не выдана")
    assert await _person(app, 8101) == (Role.MEMBER, organization_id)

    await anna.send("/grant 8101 official")
    warning = await anna.expect(contains="«ДДТ Вязьмы»")
    await anna.click(warning, "Да, выдать роль")
    await anna.expect(contains="теперь — сотрудник департамента")

    async def granted() -> bool:
        return await _person(app, 8101) == (Role.OFFICIAL, None)

    await eventually(granted)


async def test_grant_to_someone_without_an_organization_needs_no_confirmation(
    emulator: BotAPIEmulator, app: Runtime
) -> None:
    anna = await admin(emulator)
    boris = emulator.add_user(5001, "Борис")
    await boris.send("/start")
    await boris.expect(contains="не зарегистрированы")
    await anna.send("/grant 5001 official")
    answer = await anna.expect(contains="теперь — сотрудник департамента")
    assert not answer.buttons


async def test_forged_grant_button_is_refused(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    await anna.send("/help")
    help_message = await anna.expect(contains="/grant")
    await anna.click_data(help_message, "gc:1:member:1")
    answer = await anna.expect_callback_answer()
    assert answer.show_alert


async def test_remind_gives_one_account_with_organizations_nobody_joined(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await _region(app, clock, emulator)
    anna = await admin(emulator)
    await anna.send("/remind")
    choose = await anna.expect(contains="Кому напомнить")
    await anna.click(choose, "Резолюция")
    confirm = await anna.expect(contains="у 3 организаций")
    assert "В 1 организации никто не зарегистрирован" in (confirm.text or "")
    await anna.click(confirm, "Напомнить")
    result = await anna.expect(contains="Напоминания поставлены в очередь")
    assert "их получат 2 организации (сообщений: 2)" in (result.text or "")
    assert "В 1 организации никто не зарегистрирован" in (result.text or "")


async def _report_with_a_file(emulator: BotAPIEmulator) -> None:
    """The head of «ЦДО <Сафоново> & Co» reports on 4.2 with a document (captioned) and a link."""
    head = emulator.find_user(8102)
    assert head is not None
    rec_message = await head.expect(contains="Рекомендация 4.2", timeout=10)
    await head.click(rec_message, "Отчитаться")
    await head.click(await head.expect(contains="Выберите статус"), "Выполнено")
    await head.expect(contains="комментарий")
    await head.send("Программы обновлены")
    await head.expect(contains="Приложите")
    await head.send_document("программы.pdf", b"%PDF programs", caption="Приказ <№ 5>")
    await head.expect(contains="Всего 1")
    await head.send("https://example.org/programs")
    await head.click(await head.expect(contains="Всего 2"), "Готово (2)")
    await head.click(await head.expect(contains="Проверьте отчёт"), "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку")


async def test_evidence_sent_to_an_official_says_whose_and_what_for(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await _region(app, clock, emulator)
    await _report_with_a_file(emulator)
    async with app.session_factory() as session:
        await Repositories(session).people.add(8200, "Олег Чиновников", Role.OFFICIAL)
        report_id = await session.scalar(select(Report.id))
        await session.commit()
    oleg = emulator.add_user(8200, "Олег", started=True)
    await oleg.send("/status")
    menu = await oleg.expect(contains="выберите резолюцию")
    await oleg.click_data(menu, EvidenceSend(report_id=report_id).pack())
    document = await oleg.expect(predicate=lambda m: m.document is not None)
    caption = document.caption or ""
    assert "ЦДО <Сафоново> & Co" in caption
    assert "Рекомендация 4.2" in caption
    assert "Руководитель ЦДО <Сафоново> & Co" in caption
    assert clock.now().strftime("%d.%m.%Y") in caption
    assert "Приказ <№ 5>" in caption
    links = await oleg.expect(contains="https://example.org/programs")
    assert "Рекомендация 4.2" in (links.text or "") and "ЦДО <Сафоново> & Co" in (links.text or "")


def test_caption_stays_within_telegram_limit_and_escapes_markup() -> None:
    group = AddresseeGroup(position=2)
    rec = Recommendation(position=7, text="Обеспечить <b>&</b> " * 200, group=group)
    org = Organization(name="&" * 300)
    author = Person(id=1, full_name="<Иванова> " * 30)
    item = Evidence(added_by=1, created_at=dt.datetime(2026, 10, 1, 9, 30, tzinfo=dt.UTC), text="&<>" * 400)
    bundle = EvidenceBundle(org, rec, [item], {1: author})
    caption = evidence_caption(Translator("ru"), bundle, item, dt.UTC)
    assert len(caption) <= CAPTION_LIMIT
    assert "Рекомендация 2.7" in caption and "01.10.2026 09:30" in caption
    assert "<Иванова>" not in caption and "&lt;Иванова&gt;" in caption


async def test_a_file_outside_a_dialog_is_offered_as_evidence_and_attached_on_a_tap(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await _region(app, clock, emulator)
    head = emulator.find_user(8101)
    assert head is not None
    await head.expect(contains="Рекомендация 4.2", timeout=10)
    await head.send_document("приказ.pdf", b"%PDF order")
    offer = await head.expect(contains="К какой рекомендации приложить")
    labels = [text for row in offer.buttons for text, _ in row]
    assert any(label.startswith("4.2 ") for label in labels)
    assert "Не понял" not in (offer.text or "") and "не может разобрать" not in (offer.text or "")
    await head.click(offer, "4.2 ")
    picker = await head.expect(contains="К отчёту приложен 1 файл")
    await head.click(picker, "Выполнено")
    await head.expect(contains="комментарий")
    await head.send("Приказ издан")
    evidence = await head.expect(contains="Всего 1")
    await head.click(evidence, "Готово (1)")
    confirm = await head.expect(contains="Проверьте отчёт")
    assert "приказ.pdf" in (confirm.text or "")
    await head.click(confirm, "Отправить")
    await head.expect(contains="Отчёт отправлен на проверку")

    async def stored() -> bool:
        async with app.session_factory() as session:
            rows = list(await session.scalars(select(Evidence)))
            return len(rows) == 1 and rows[0].stored_path is not None and rows[0].file_name == "приказ.pdf"

    await eventually(stored)

    # The same button again: the file no longer waits, nothing changes.
    await head.click(offer, "4.2 ")
    answer = await head.expect_callback_answer()
    assert answer.show_alert


async def test_done_typed_outside_a_dialog_offers_the_recommendations(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await _region(app, clock, emulator)
    head = emulator.find_user(8101)
    assert head is not None
    await head.expect(contains="Рекомендация 4.2", timeout=10)
    await head.send("Выполнено!")
    offer = await head.expect(contains="По какой рекомендации вы хотите отчитаться")
    await head.click(offer, "4.2 ")
    await head.expect(contains="Выберите статус")


async def test_remind_with_nobody_registered_offers_no_button(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    async with app.session_factory() as session:
        repo = Repositories(session)
        await seed_org(repo, "ДДТ Ярцево", OrgKind.INSTITUTION, "Ярцевский район", [])
        resolution = await seed_resolution(repo, SAMPLE, "smolensk-2021.md")
        await PublicationService(repo, app.renderer).publish(resolution.id, ADMIN_ID, clock.now())
        await session.commit()
    anna = await admin(emulator)
    await anna.send("/remind")
    await anna.click(await anna.expect(contains="Кому напомнить"), "Резолюция")
    account = await anna.expect(contains="у 1 организации")
    assert "В 1 организации никто не зарегистрирован" in (account.text or "")
    assert "Отправлять напоминание некому" in (account.text or "")
    assert not account.buttons
