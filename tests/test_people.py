"""Issue 12, «People»: a grant that takes a head from her organization is confirmed first; /remind gives one
account; stray files are offered as evidence; evidence sent to an official carries a caption."""

from __future__ import annotations

from importlib import resources

from bot.domain import OrgKind, Role
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
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
        await seed_org(repo, "ЦДО Сафоново", OrgKind.INSTITUTION, "Сафоновский район", [8102])
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
    await anna.click(choose, "РЕЗОЛЮЦИЯ")
    confirm = await anna.expect(contains="у 3 организаций")
    assert "В 1 организации никто не зарегистрирован" in (confirm.text or "")
    await anna.click(confirm, "Напомнить")
    result = await anna.expect(contains="Напоминания поставлены в очередь")
    assert "их получат 2 организации (сообщений: 2)" in (result.text or "")
    assert "В 1 организации никто не зарегистрирован" in (result.text or "")
