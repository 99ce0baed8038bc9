"""Issue 14, points 1 and 6: a municipal authority sees, reminds and invites for its own municipality only.

Two municipalities, each with its authority and institutions (some nobody has registered in), and an
institute located in the first one (which the first authority must not see: it answers to the region)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.domain import InviteKind, OrgKind, ReportStatus, Role
from bot.domain.clock import FrozenClock
from bot.domain.scope import REGION, ViewScope, view_scope
from bot.runtime.app import Runtime
from bot.runtime.harness import running_bot
from bot.services.invitations import InvitationService
from bot.services.organizations import municipality_code
from bot.services.publication import PublicationService
from bot.services.reports import ReportDraft, ReportService
from bot.services.seed import seed_org, seed_resolution
from bot.telegram.callbacks import EvidenceSend, ReachInvite, StatusLevel, StatusNav
from bot.telegram.menus import MENUS, MUNICIPAL_MENU
from storage.models import Base, Invitation, Organization, OutboxMessage
from storage.repositories import Repositories
from storage.repositories.scope import org_in_scope
from tests.conftest import ADMIN_ID, START, make_settings
from tests.helpers import admin, invite_code, proof
from tg_emulator import BotAPIEmulator, Persona, SentMessage

SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()
VYAZMA, YARTSEVO = "Вяземский район", "Ярцевский район"
AUTHORITY, OTHER_AUTHORITY = 9101, 9201
WEBAPP_URL = "https://dashboard.example.org/app"
OUTSIDE = "за пределами вашего муниципалитета"

# name → (kind, municipality, member Telegram ids)
ORGS: dict[str, tuple[OrgKind, str, list[int]]] = {
    "Отдел образования Вязьмы": (OrgKind.MUNICIPAL, VYAZMA, [AUTHORITY]),
    "ДДТ Вязьмы": (OrgKind.INSTITUTION, VYAZMA, [9102]),
    "ДЮСШ Вязьмы": (OrgKind.INSTITUTION, VYAZMA, []),
    "ЦДО Вязьмы": (OrgKind.INSTITUTION, VYAZMA, []),
    "Филиал СОИРО в Вязьме": (OrgKind.INSTITUTE, VYAZMA, [9103]),
    "Отдел образования Ярцево": (OrgKind.MUNICIPAL, YARTSEVO, [OTHER_AUTHORITY]),
    "ДДТ Ярцево": (OrgKind.INSTITUTION, YARTSEVO, [9202]),
    "ДШИ Ярцево": (OrgKind.INSTITUTION, YARTSEVO, []),
}


@dataclass(frozen=True)
class Region:
    resolution_id: int
    orgs: dict[str, int]  # name → organization id
    groups: dict[OrgKind, int]  # addressee kind → group id
    yartsevo_report: int  # a report of ДДТ Ярцево, with a file attached


# --- the rule itself ------------------------------------------------------------------------------------

KINDS = st.sampled_from(list(OrgKind))
PLACES = st.sampled_from(["", VYAZMA, YARTSEVO, "Сафоновский район"])


@given(kind=KINDS, place=PLACES)
def test_the_region_covers_every_organization(kind: OrgKind, place: str) -> None:
    assert REGION.covers_org(kind, place)
    assert REGION.oversees(kind, place)


@given(kind=KINDS, place=PLACES, own=PLACES.filter(bool))
def test_a_municipality_covers_its_authorities_and_institutions_only(
    kind: OrgKind, place: str, own: str
) -> None:
    scope = ViewScope(own)
    expected = place == own and kind in (OrgKind.MUNICIPAL, OrgKind.INSTITUTION)
    assert scope.covers_org(kind, place) is expected
    # It reminds and invites for its institutions, not for other authorities.
    assert scope.oversees(kind, place) is (place == own and kind is OrgKind.INSTITUTION)
    if kind in (OrgKind.DEPARTMENT, OrgKind.INSTITUTE, OrgKind.OTHER):
        assert not scope.covers_org(kind, own)


@given(kind=KINDS, place=PLACES)
def test_only_a_municipal_authoritys_member_gets_a_municipality(kind: OrgKind, place: str) -> None:
    scope = view_scope(Role.MEMBER, kind, place)
    if kind is OrgKind.MUNICIPAL and place:
        assert scope == ViewScope(place) and scope.covers_org(kind, place)  # it sees itself
    else:
        assert scope is None
    assert view_scope(Role.OFFICIAL, kind, place) == REGION == view_scope(Role.ADMIN, None, None)


async def test_the_sql_condition_agrees_with_the_rule(database_url: str) -> None:
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    places = ["", VYAZMA, YARTSEVO]
    async with engine.connect() as connection:
        for i, (kind, place) in enumerate(itertools.product(OrgKind, places)):
            await connection.execute(
                Organization.__table__.insert().values(
                    name=f"org {i}", kind=kind, municipality=place, dedup_key=f"k{i}"
                )
            )
        rows = (await connection.execute(select(Organization.kind, Organization.municipality))).all()
        for scope in (REGION, ViewScope(VYAZMA), ViewScope(YARTSEVO), ViewScope("Нигде")):
            chosen = await connection.execute(
                select(Organization.kind, Organization.municipality).where(org_in_scope(scope))
            )
            expected = {(OrgKind(k), m) for k, m in rows if scope.covers_org(OrgKind(k), m)}
            assert {(OrgKind(k), m) for k, m in chosen} == expected
    await engine.dispose()


# --- the region and the people ---------------------------------------------------------------------------


async def seed_region(app: Runtime, clock: FrozenClock, emulator: BotAPIEmulator) -> Region:
    for _, _, members in ORGS.values():
        for telegram_id in members:
            emulator.add_user(telegram_id, f"Пользователь {telegram_id}", started=True)
    async with app.session_factory() as session:
        repo = Repositories(session)
        seeded = {name: await seed_org(repo, name, *facts) for name, facts in ORGS.items()}
        resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021.md")
        await PublicationService(repo, app.renderer).publish(resolution.id, ADMIN_ID, clock.now())
        await session.commit()
        groups = {g.kind: g.id for g in resolution.groups}
        recs = [r.id for g in resolution.groups if g.kind is OrgKind.INSTITUTION for r in g.recommendations]
    async with app.session_factory() as session:
        repo = Repositories(session)
        service = ReportService(repo)
        # ДДТ Вязьмы reports on two recommendations of four, ДДТ Ярцево on one (with a file).
        for telegram_id, rec_ids in ((9102, recs[:2]), (9202, recs[:1])):
            person = await repo.people.by_telegram_id(telegram_id)
            assert person is not None
            for rec_id in rec_ids:
                draft = ReportDraft(rec_id, ReportStatus.DONE, comment="Сделано", evidence=proof())
                await service.submit(person, draft, f"{telegram_id}:{rec_id}", clock.now())
        await session.commit()
        report = await repo.reports.for_org_and_rec(seeded["ДДТ Ярцево"].org.id, recs[0])
        assert report is not None
    orgs = {name: s.org.id for name, s in seeded.items()}
    return Region(resolution.id, orgs, groups, report.id)


def persona(emulator: BotAPIEmulator, telegram_id: int) -> Persona:
    found = emulator.find_user(telegram_id)
    assert found is not None
    return found


def labels(message: SentMessage) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


async def outbox_count(app: Runtime) -> int:
    async with app.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def refused(who: Persona, message: SentMessage, data: str) -> None:
    await who.click_data(message, data)
    answer = await who.expect_callback_answer()
    assert answer.show_alert and OUTSIDE in (answer.text or ""), answer


# --- /status -------------------------------------------------------------------------------------------


async def test_a_municipal_authority_sees_its_own_municipality(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await seed_region(app, clock, emulator)
    head = persona(emulator, AUTHORITY)
    await head.send("/status")
    await head.click(await head.expect(contains="выберите резолюцию"), "24.08.2021")
    overview = await head.expect(contains="Организаций:")
    # The authority (4 recommendations) and three institutions (4 each); two reports, from ДДТ Вязьмы.
    assert "Организаций: 4, из них без единого отчёта: 3." in overview.text
    assert "2 из 16" in overview.text
    assert "ГАУ ДПО СОПРО" not in overview.text and "Департаменту" not in overview.text
    assert "По муниципалитетам" not in labels(overview)
    await head.click(overview, f"{VYAZMA}: организации")
    listing = await head.expect(contains="стр. 1 из 1")
    names = " ".join(labels(listing))
    for name in ("Отдел образования Вязьмы", "ДДТ Вязьмы · 2/4", "ДЮСШ Вязьмы", "ЦДО Вязьмы"):
        assert name in names
    assert "Ярцево" not in names and "СОИРО" not in names
    await head.click(listing, "ДДТ Вязьмы")
    card = await head.expect(contains="ДДТ Вязьмы")
    await head.click(card, "Назад")
    await head.expect(contains="Организаций: 4")


async def test_officials_still_see_the_whole_region(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await seed_region(app, clock, emulator)
    anna = await admin(emulator)
    await anna.send("/status")
    await anna.click(await anna.expect(contains="выберите резолюцию"), "24.08.2021")
    overview = await anna.expect(contains="Организаций:")
    # Every organization of an addressed kind: two authorities, five institutions, the institute.
    assert "Организаций: 8, из них без единого отчёта: 6." in overview.text
    await anna.click(overview, "По муниципалитетам")
    munis = await anna.expect(contains="По муниципалитетам")
    assert VYAZMA in munis.text and YARTSEVO in munis.text


async def test_forged_status_buttons_outside_the_municipality_are_refused(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    region = await seed_region(app, clock, emulator)
    head = persona(emulator, AUTHORITY)
    await head.send("/status")
    listing = await head.expect(contains="выберите резолюцию")
    before = await outbox_count(app)
    res, yartsevo = region.resolution_id, region.orgs["ДДТ Ярцево"]
    forged = [
        StatusNav(level=StatusLevel.MUNI, res=res, muni=municipality_code(YARTSEVO)),
        StatusNav(level=StatusLevel.ORG, res=res, org=yartsevo),
        StatusNav(level=StatusLevel.ORG, res=res, org=region.orgs["Филиал СОИРО в Вязьме"]),
        StatusNav(level=StatusLevel.GRP, res=res, grp=region.groups[OrgKind.INSTITUTE]),
        StatusNav(level=StatusLevel.REP, res=res, org=yartsevo, rec=1),
        StatusNav(level=StatusLevel.HIST, res=res, org=region.orgs["Отдел образования Ярцево"], rec=1),
    ]
    for nav in forged:
        await refused(head, listing, nav.pack())
    await refused(head, listing, EvidenceSend(report_id=region.yartsevo_report).pack())
    # Nothing was sent, queued or redrawn: the list of resolutions is still what the chat shows.
    assert await outbox_count(app) == before
    assert not any(m.document for m in head.messages)
    assert "выберите резолюцию" in (head.messages[-1].text or "")
    # «By municipality» forged by hand shows their own municipality, never the list of the others.
    await head.click_data(listing, StatusNav(level=StatusLevel.MUNIS, res=res).pack())
    own = await head.expect(contains=VYAZMA)
    assert YARTSEVO not in own.text and not any("Ярцево" in label for label in labels(own))


# --- /remind -------------------------------------------------------------------------------------------


async def test_a_municipal_authority_reminds_its_own_institutions(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await seed_region(app, clock, emulator)
    head = persona(emulator, AUTHORITY)
    await head.send("/remind")
    await head.click(await head.expect(contains="Кому напомнить"), "24.08.2021")
    # Its three institutions have open items; two of them have nobody registered.
    confirm = await head.expect(contains="Нет отчёта хотя бы по одной рекомендации у 3 организаций.")
    assert "В 2 учреждениях никто не зарегистрирован" in confirm.text and "/invite" in confirm.text
    await head.click(confirm, "Напомнить")
    await head.expect(contains="их получит 1 организация (сообщений: 1)")
    reminder = await persona(emulator, 9102).expect(contains="Напоминание от муниципального", timeout=10)
    assert "Отдел образования Вязьмы" in reminder.text and "ДДТ Вязьмы" in reminder.text
    async with app.session_factory() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedup_key.startswith("manual:"))
        )
        assert [row.chat_id for row in rows] == [9102]  # not Ярцево, not the institute, not an authority


# --- who is not registered, and an invitation in a tap ---------------------------------------------------


async def invitations_of(app: Runtime, org_id: int) -> list[Invitation]:
    async with app.session_factory() as session:
        rows = await session.scalars(select(Invitation).where(Invitation.organization_id == org_id))
        return list(rows)


async def test_unregistered_institutions_and_an_invitation_in_a_tap(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    region = await seed_region(app, clock, emulator)
    head = persona(emulator, AUTHORITY)
    await head.send("/invite")
    reach = await head.expect(
        contains="Учреждений: 3, из них без единого зарегистрированного представителя: 2."
    )
    assert labels(reach) == ["✉️ ДЮСШ Вязьмы", "✉️ ЦДО Вязьмы"]
    await head.click(reach, "ДЮСШ Вязьмы")
    assert "Приглашение готово" in ((await head.expect_callback_answer()).text or "")
    invitation = await head.expect(contains="Приглашение для организации «ДЮСШ Вязьмы»")
    assert "действует до" in invitation.text
    newcomer = emulator.add_user(9301, "Ольга")
    await newcomer.send(f"/start {invite_code(invitation)}")
    await newcomer.expect(contains="представитель организации «ДЮСШ Вязьмы»")
    await head.send("/invite")
    assert labels(await head.expect(contains="Учреждений: 3")) == ["✉️ ЦДО Вязьмы"]

    # A second tap on the same institution: the earlier link stops working.
    cdo = region.orgs["ЦДО Вязьмы"]
    await head.click_data(reach, ReachInvite(org_id=cdo).pack())
    first = invite_code(await head.expect(contains="«ЦДО Вязьмы»"))
    await head.click_data(reach, ReachInvite(org_id=cdo).pack())
    assert "прежнее неиспользованное отозвано" in ((await head.expect_callback_answer()).text or "")
    await head.expect(contains="«ЦДО Вязьмы»")
    late = emulator.add_user(9302, "Пётр")
    await late.send(f"/start {first}")
    await late.expect(contains="отозвано")


async def test_forged_invitations_outside_the_municipality_are_refused(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    region = await seed_region(app, clock, emulator)
    head = persona(emulator, AUTHORITY)
    await head.send("/status")
    listing = await head.expect(contains="выберите резолюцию")
    outside = ("ДШИ Ярцево", "Филиал СОИРО в Вязьме", "Отдел образования Ярцево")
    for name in outside:
        await refused(head, listing, ReachInvite(org_id=region.orgs[name]).pack())
        assert await invitations_of(app, region.orgs[name]) == []
    # The region's people have no such screen: theirs are /orgs and /letters.
    anna = await admin(emulator)
    await anna.send("/invite")
    await anna.expect(contains="вам недоступна")


async def test_the_unregistered_list_is_reachable_from_status(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await seed_region(app, clock, emulator)
    head = persona(emulator, AUTHORITY)
    await head.send("/status")
    await head.click(await head.expect(contains="выберите резолюцию"), "24.08.2021")
    await head.click(await head.expect(contains="Организаций: 4"), f"{VYAZMA}: организации")
    await head.click(await head.expect(contains="стр. 1 из 1"), "Кто не зарегистрирован")
    await head.expect(contains="без единого зарегистрированного представителя: 2")


# --- menus -----------------------------------------------------------------------------------------------


def menu(emulator: BotAPIEmulator, chat_id: int) -> list[str]:
    return [c["command"] for c in emulator.commands_for("chat", chat_id=chat_id)]


def menu_button(emulator: BotAPIEmulator, chat_id: int) -> str | None:
    button = emulator.engine.bot_settings.get(("menu_button", chat_id))
    return button["type"] if button else None


async def new_invitation(runtime: Runtime, org_name: str, clock: FrozenClock) -> str:
    async with runtime.session_factory() as session:
        repo = Repositories(session)
        org = await repo.orgs.get(
            await session.scalar(select(Organization.id).where(Organization.name == org_name)) or 0
        )
        assert org is not None
        service = InvitationService(repo, 7, PublicationService(repo, runtime.renderer))
        made = await service.create(InviteKind.MEMBER, ADMIN_ID, clock.now(), org.id)
        await session.commit()
        return made.code


async def test_menus_follow_the_scope(tmp_path: Path, emulator: BotAPIEmulator, database_url: str) -> None:
    settings = make_settings(tmp_path, emulator.base_url, database_url, webapp_url=WEBAPP_URL, web_port=0)
    clock = FrozenClock(START)
    async with running_bot(settings, clock) as runtime:
        await seed_region(runtime, clock, emulator)
        # Joining a municipal authority after start-up: its commands and the dashboard at once.
        olga = emulator.add_user(9401, "Ольга")
        await olga.send(f"/start {await new_invitation(runtime, 'Отдел образования Вязьмы', clock)}")
        await olga.expect(contains="Готово")
        assert menu(emulator, 9401) == list(MUNICIPAL_MENU)
        assert menu_button(emulator, 9401) == "web_app"
        await olga.send("/help")
        assert "/remind" in (await olga.expect(contains="/invite")).text
        # Moving to an institution: a member's menu, and the dashboard button goes.
        await olga.send(f"/start {await new_invitation(runtime, 'ДДТ Вязьмы', clock)}")
        await olga.expect(contains="«ДДТ Вязьмы»")
        assert menu(emulator, 9401) == list(MENUS[Role.MEMBER])
        assert menu_button(emulator, 9401) == "default"
        # An official granted and revoked: the dashboard button comes and goes with the role.
        anna = await admin(emulator)
        await anna.send("/grant 9202 official")
        await anna.click(await anna.expect(contains="ДДТ Ярцево"), "Да, выдать роль")
        await anna.expect(contains="теперь — сотрудник департамента")
        assert menu_button(emulator, 9202) == "web_app"
        await anna.send("/revoke 9202")
        await anna.expect(contains="больше нет роли")
        assert menu_button(emulator, 9202) == "default"
    # A restart gives every municipal member their commands again.
    async with running_bot(settings, clock):
        assert menu(emulator, AUTHORITY) == list(MUNICIPAL_MENU)
        assert menu_button(emulator, AUTHORITY) == "web_app"
