"""Issue 2 end to end: the real dispatcher over HTTP against the emulator."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from sqlalchemy import func, select

from bot.domain import OrgKind, Role
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from storage.models import Invitation, Organization, Person
from tests.conftest import BOT_USERNAME
from tests.helpers import add_org, admin, eventually, invite_code, invite_for
from tg_emulator import BotAPIEmulator


async def count(app: Runtime, model: type) -> int:
    async with app.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def has_count(app: Runtime, model: type, expected: int) -> None:
    async def matches() -> bool:
        return await count(app, model) == expected

    await eventually(matches)


async def person_by_tg(app: Runtime, telegram_id: int) -> Person | None:
    async with app.session_factory() as session:
        return await session.scalar(select(Person).where(Person.telegram_id == telegram_id))


async def test_admin_adds_org_invites_and_head_joins(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    card = await add_org(
        anna, "МБУ ДО «Дом детского творчества»", "Учреждение дополнительного образования", "Вяземский район"
    )
    assert "Вяземский район" in card.text
    assert "0 представителей" in card.text

    await anna.click(card, "Новое приглашение")
    link_message = await anna.expect(contains="t.me/")
    assert f"https://t.me/{BOT_USERNAME}?start=" in link_message.text
    code = invite_code(link_message)
    assert len(code) <= 64

    head = emulator.add_user(2001, "Ирина", last_name="Иванова", username="irina")
    await head.send(f"/start {code}")
    joined = await head.expect(contains="Готово")
    assert "Дом детского творчества" in joined.text
    # The head's own menu is the member's, set per chat.
    assert [c["command"] for c in emulator.commands_for(scope_type="chat", chat_id=2001)][:2] == [
        "report",
        "my",
    ]

    async def joined_in_db() -> bool:
        return await person_by_tg(app, 2001) is not None

    await eventually(joined_in_db)
    person = await person_by_tg(app, 2001)
    assert person is not None and person.role is Role.MEMBER and person.full_name == "Ирина Иванова"
    async with app.session_factory() as session:
        org = await session.get(Organization, person.organization_id)
        assert org is not None and org.kind is OrgKind.INSTITUTION

    await anna.send("/orgs")
    listing = await anna.expect(contains="Организации")
    await anna.click(listing, "Дом детского творчества")
    refreshed = await anna.expect(contains="1 представитель")
    assert "Ирина Иванова (@irina)" in refreshed.text


async def test_municipality_buttons_and_filters(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    await add_org(
        anna,
        "Отдел образования Вяземского района",
        "Муниципальный орган управления образованием",
        "Вяземский район",
    )
    await add_org(anna, "ДДТ Вязьмы", "Учреждение дополнительного образования", "Вяземский район")
    await add_org(anna, "ЦДО Сафоново", "Учреждение дополнительного образования", "Сафоновский район")
    await add_org(anna, "ГАУ ДПО СОИРО", "Региональный институт развития образования", None)
    await has_count(app, Organization, 4)

    await anna.send("/orgs")
    listing = await anna.expect(contains="найдено: 4")
    await anna.click(listing, "Муниципалитет ▾")
    choices = await anna.expect(contains="Фильтр по муниципалитету")
    await anna.click(choices, "Вяземский район")
    filtered = await anna.expect(contains="найдено: 2")
    await anna.click(filtered, "Вид ▾")
    kinds = await anna.expect(contains="Фильтр по виду")
    await anna.click(kinds, "Учреждение дополнительного образования")
    both = await anna.expect(contains="найдено: 1")
    assert "ДДТ Вязьмы" in str(both.buttons)


async def test_duplicate_org_is_refused(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    await add_org(anna, "ЦДО «Радуга»", "Учреждение дополнительного образования", "г. Смоленск")
    await anna.send("/add_org")
    await anna.expect(contains="полное название")
    await anna.send("цдо  радуга")
    kinds = await anna.expect(contains="Выберите вид")
    await anna.click(kinds, "Учреждение дополнительного образования")
    munis = await anna.expect(contains="Выберите муниципалитет")
    await anna.click(munis, "г. Смоленск")
    confirm = await anna.expect(contains="Проверьте данные")
    await anna.click(confirm, "Сохранить")
    await anna.expect(contains="Такая организация уже есть")
    await has_count(app, Organization, 1)


async def test_overlong_name_is_refused_and_dialog_goes_on(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    await anna.send("/add_org")
    await anna.expect(contains="полное название")
    await anna.send("Ш" * 301)
    await anna.expect(contains="длиннее 300")
    await anna.send("Нормальное <название> & Ко")
    kinds = await anna.expect(contains="Выберите вид")
    assert "Нормальное <название> & Ко" in kinds.text  # escaped on the way out, shown as typed


def csv_bytes(rows: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join(rows) + "\n").encode(encoding)


async def test_bulk_import_reports_row_by_row(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    data = csv_bytes(
        [
            "название;тип;муниципалитет",
            "ДДТ Ярцево;учреждение;Ярцевский район",
            "Отдел образования Ярцево;муниципальный;Ярцевский район",
            "ддт  ярцево;учреждение;Ярцевский район",
            ";учреждение;Ярцевский район",
            "Станция юных техников;космос;Ярцевский район",
        ],
        "cp1251",
    )
    await anna.send_document("orgs.csv", data, mime_type="text/csv")
    report = await anna.expect(contains="Загрузка организаций")
    assert "Добавлено: 2" in report.text
    assert "Пропущено (повторы): 1" in report.text
    assert "Отклонено: 2" in report.text
    assert "строка 4: ддт ярцево — повтор строки 2" in report.text
    assert "строка 5: (без названия) — не заполнен столбец «название»" in report.text
    assert "строка 6: Станция юных техников — в столбце «тип» указано «космос»" in report.text
    await has_count(app, Organization, 2)

    # Sending the same file again adds nothing: every good row is now a duplicate.
    await anna.send_document("orgs.csv", data, mime_type="text/csv")
    again = await anna.expect(contains="Загрузка организаций")
    assert "Добавлено: 0" in again.text and "такая организация уже есть" in again.text
    await has_count(app, Organization, 2)


async def test_bulk_import_xlsx(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "kind", "municipality"])
    sheet.append(["ГАУ ДПО СОПРО", "institute", None])
    sheet.append(["ЦДТ Рославль", "institution", "Рославльский район"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    await anna.send_document("orgs.xlsx", buffer.getvalue())
    report = await anna.expect(contains="Загрузка организаций")
    assert "Добавлено: 2" in report.text
    await has_count(app, Organization, 2)


async def test_bulk_import_bad_files_change_nothing(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    await anna.send_document("orgs.xlsx", b"this is not a spreadsheet")
    await anna.expect(contains="XLSX повреждён")
    await anna.send_document("orgs.csv", csv_bytes(["колонка1;колонка2", "a;b"]))
    await anna.expect(contains="нет столбцов «название», «тип»")
    await anna.send_document("photo.gif", b"GIF89a")
    await anna.expect(contains="не подходит")
    await has_count(app, Organization, 0)


async def test_stranger_is_refused_everywhere(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    card = await add_org(anna, "ДДТ", "Учреждение дополнительного образования", None)

    stranger = emulator.add_user(666, "Незнакомец")
    await stranger.send("/start")
    hello = await stranger.expect(contains="не зарегистрированы")
    assert "666" in hello.text
    await stranger.send("/add_org")
    await stranger.expect(contains="доступна только зарегистрированным")
    await stranger.send("/orgs")
    await stranger.expect(contains="доступна только зарегистрированным")
    await stranger.send_document("orgs.csv", csv_bytes(["name;kind", "Взлом;institution"]))
    await stranger.expect(contains="не зарегистрированы")
    # A button copied from the admin's chat: forged callback data in the stranger's own chat.
    invite_data = next(data for row in card.buttons for text, data in row if "приглашение" in text.lower())
    hello_msg = stranger.messages[-1]
    await stranger.click_data(hello_msg, invite_data)
    answer = await stranger.expect_callback_answer()
    assert answer.show_alert and "недоступна" in (answer.text or "")
    await stranger.send("/grant 666 admin")
    await stranger.expect(contains="доступна только зарегистрированным")

    await has_count(app, Organization, 1)
    await has_count(app, Invitation, 0)
    async with app.session_factory() as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == 666))
        assert person is not None and person.role is Role.MEMBER and person.organization_id is None


async def test_invites_reused_expired_revoked_made_up(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    anna = await admin(emulator)
    card = await add_org(anna, "ЦДО «Эрудит»", "Учреждение дополнительного образования", "г. Смоленск")
    code = await invite_for(anna, card)

    first = emulator.add_user(3001, "Первый")
    await first.send(f"/start {code}")
    await first.expect(contains="Готово")
    second = emulator.add_user(3002, "Второй")
    await second.send(f"/start {code}")
    await second.expect(contains="уже использовано")

    late_code = await invite_for(anna, card)
    clock.advance(dt.timedelta(days=14, seconds=1))
    await second.send(f"/start {late_code}")
    await second.expect(contains="истёк")

    revoked_code = await invite_for(anna, card)
    await anna.send("/orgs")
    listing = await anna.expect(contains="Организации")
    await anna.click(listing, "Эрудит")
    fresh_card = await anna.expect(contains="действующ")
    await anna.click(fresh_card, "Отозвать приглашение")
    await anna.expect(contains="0 действующих приглашений")
    await second.send(f"/start {revoked_code}")
    await second.expect(contains="отозвано")

    await second.send("/start madeUpCode_123")
    await second.expect(contains="Такого приглашения нет")
    await second.send("/start " + "x" * 80)
    await second.expect(contains="Такого приглашения нет")

    async with app.session_factory() as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == 3002))
        assert person is None or person.organization_id is None


async def test_official_invitation_and_role_menus(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    admin_menu = [c["command"] for c in emulator.commands_for(scope_type="chat", chat_id=anna.user_id)]
    assert "add_org" in admin_menu and "grant" in admin_menu
    await anna.send("/invite_official")
    code = invite_code(await anna.expect(contains="сотрудника департамента"))
    official = emulator.add_user(4001, "Олег", last_name="Чиновников")
    await official.send(f"/start {code}")
    await official.expect(contains="сотрудник департамента")
    menu = [c["command"] for c in emulator.commands_for(scope_type="chat", chat_id=4001)]
    assert "digest" in menu and "add_org" not in menu
    await official.send("/add_org")
    await official.expect(contains="вам недоступна")
    default_menu = [c["command"] for c in emulator.commands_for(scope_type="default")]
    assert default_menu == ["start", "help"]


async def test_admin_grants_and_revokes_roles(emulator: BotAPIEmulator, app: Runtime) -> None:
    anna = await admin(emulator)
    boris = emulator.add_user(5001, "Борис")
    await anna.send("/grant 5001 admin")
    await anna.expect(contains="в боте ещё нет")
    await boris.send("/start")
    await boris.expect(contains="не зарегистрированы")
    await anna.send("/grant 5001 admin")
    await anna.expect(contains="теперь — администратор")
    await boris.send("/add_org")
    await boris.expect(contains="полное название")
    await boris.send("/cancel")
    await boris.expect(contains="отменено")
    await anna.send("/revoke 5001")
    await anna.expect(contains="больше нет роли")
    await boris.send("/add_org")
    await boris.expect(contains="доступна только зарегистрированным")
    await anna.send(f"/revoke {anna.user_id}")
    await anna.expect(contains="ADMIN_IDS")
    await anna.send("/grant abc")
    await anna.expect(contains="Формат")
