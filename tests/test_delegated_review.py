"""Issue 14, point 2, end to end: delegated review. When the department switches it on (per resolution or
by REVIEW_DELEGATION), a municipal authority accepts or returns its own institutions' reports through
/review; the department sees everything and overrides; forged buttons across municipalities change
nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.domain import OrgKind, ReviewState, RevisionEvent, Role
from bot.domain.clock import FrozenClock
from bot.domain.delegation import delegation_on, open_decisions, refusal
from bot.domain.errors import DomainError
from bot.domain.scope import REGION, ViewScope
from bot.runtime.app import Runtime
from bot.services.publication import PublicationService
from bot.services.review import require_reviewer, reviewer_refusal
from bot.services.seed import seed_org, seed_resolution
from bot.telegram.callbacks import (
    DelegationMode,
    DelegationSwitch,
    MunicipalDecisions,
    ReviewAct,
    ReviewDecide,
    ReviewHistory,
    ReviewNav,
)
from storage.models import Organization, Report, ReportRevision, Resolution
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID, make_settings
from tests.helpers import admin, eventually
from tests.test_report_flows import SAMPLE_2021
from tests.test_review_flows import official, submit
from tg_emulator import BotAPIEmulator, Persona, SentMessage

VYAZMA, SAFONOVO = "Вяземский район", "Сафоновский район"
VYAZMA_AUTHORITY = "Управление образования Вяземского района"
# Telegram id → (organization, kind, municipality, the person's name).
PEOPLE = {
    8101: ("МБУ ДО ДДТ", OrgKind.INSTITUTION, VYAZMA, "Анна"),
    8102: ("МБУ ДО ЦДТ", OrgKind.INSTITUTION, VYAZMA, "Борис"),
    8103: (VYAZMA_AUTHORITY, OrgKind.MUNICIPAL, VYAZMA, "Иванова И. И."),
    8201: ("МБУ ДО ДЮЦ", OrgKind.INSTITUTION, SAFONOVO, "Вера"),
    8203: ("Комитет по образованию Сафоновского района", OrgKind.MUNICIPAL, SAFONOVO, "Петров П. П."),
}
DEPARTMENT_REVIEWS = "Отчёты учреждений проверяет департамент"
OFF_BY_SETTING = "Отчёты всех организаций проверяет департамент.\nТак задано общей настройкой бота"


@pytest.fixture
def settings(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    emulator: BotAPIEmulator,
    database_url: str,
    redis_url: str | None,
) -> Settings:
    """The usual settings; a test parametrized indirectly with True runs with REVIEW_DELEGATION on."""
    delegation = bool(getattr(request, "param", False))
    return make_settings(
        tmp_path, emulator.base_url, database_url, redis_url=redis_url, review_delegation=delegation
    )


async def two_municipalities(
    app: Runtime, emulator: BotAPIEmulator, clock: FrozenClock
) -> dict[int, Persona]:
    """Two municipalities, each with its authority and institutions, the 2021 resolution delivered to
    all; the department's official is 9001."""
    async with app.session_factory() as session:
        repo = Repositories(session)
        for telegram_id, (name, kind, municipality, _) in PEOPLE.items():
            await seed_org(repo, name, kind, municipality, [telegram_id])
        resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021.md")
        await PublicationService(repo, app.renderer).publish(resolution.id, ADMIN_ID, clock.now())
        # The seed names people after the organization; the cards name them as they are.
        for telegram_id, (*_, person_name) in PEOPLE.items():
            person = await repo.people.by_telegram_id(telegram_id)
            assert person is not None
            person.full_name = person_name
        await session.commit()
    app.pump.poke()
    people = {tid: emulator.add_user(tid, PEOPLE[tid][3], started=True) for tid in PEOPLE}
    for tid, persona in people.items():
        number = "2.4" if PEOPLE[tid][1] is OrgKind.MUNICIPAL else "4.4"
        await persona.expect(contains=f"Рекомендация {number}", timeout=10)
    # Submissions come after the scheduler's first tick (its horizon), as they would in life.
    clock.advance(dt.timedelta(minutes=1))
    people[9001] = await official(app, emulator)
    return people


async def report_of(app: Runtime, org_name: str) -> Report:
    async with app.session_factory() as session:
        report = await session.scalar(
            select(Report)
            .join(Organization, Report.organization_id == Organization.id)
            .where(Organization.name == org_name)
        )
    assert report is not None
    return report


async def decisions(app: Runtime, org_name: str) -> list[tuple[RevisionEvent, str | None]]:
    """Each decision on the organization's report with the body it was taken for (None: department)."""
    report = await report_of(app, org_name)
    async with app.session_factory() as session:
        revisions = await session.scalars(
            select(ReportRevision)
            .where(ReportRevision.report_id == report.id, ReportRevision.event != RevisionEvent.SUBMITTED)
            .order_by(ReportRevision.version)
        )
        bodies = {o.id: o.name for o in await session.scalars(select(Organization))}
        return [(r.event, bodies.get(r.acting_org_id or 0)) for r in revisions]


def labels(message: SentMessage) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


async def switch_on_for_the_resolution(olga: Persona) -> None:
    """The department's official filters /review by the resolution and hands its review over."""
    await olga.send("/review")
    await olga.click(await olga.expect(contains="Отчёты на проверке"), "Резолюция ▾")
    choose = await olga.expect(contains="Выберите резолюцию")
    await olga.click(choose, choose.buttons[0][0][0])
    filtered = await olga.expect(contains="Отчёты всех организаций проверяет департамент")
    await olga.click(filtered, "Передать проверку муниципальным органам")
    switched = await olga.expect(contains="Отчёты учреждений проверяют муниципальные органы")
    assert "общей настройкой" not in switched.text and "Как в общей настройке" in str(switched.buttons)


async def municipal_accepts_one_and_returns_another(ivanova: Persona) -> None:
    await ivanova.send("/review")
    queue = await ivanova.expect(contains="Отчёт 1 из 2")
    assert "Учреждения муниципалитета: Вяземский район" in queue.text and "МБУ ДО ДДТ" in queue.text
    assert not any(label.startswith(("Муниципалитет", "🗓")) for label in labels(queue))
    await ivanova.click(queue, "➡️ Следующий")
    second = await ivanova.expect(contains="Отчёт 2 из 2")
    assert "МБУ ДО ЦДТ" in second.text
    await ivanova.click(second, "➡️ Следующий")
    await ivanova.click(await ivanova.expect(contains="Отчёт 1 из 2"), "Принять")
    accepted = await ivanova.expect(contains="Принят отчёт «МБУ ДО ДДТ» по рекомендации 4.1")
    assert "Отчёт 1 из 1" in accepted.text and "МБУ ДО ЦДТ" in accepted.text
    await ivanova.click(accepted, "Вернуть на доработку")
    await ivanova.expect(contains="Напишите одним сообщением, что нужно исправить")
    await ivanova.send("Приложите приказ об открытии кружка")
    done = await ivanova.expect(contains="Отчёт «МБУ ДО ЦДТ» по рекомендации 4.2 возвращён на доработку")
    assert "Все отчёты проверены" in done.text


async def institutions_hear_from_their_authority(people: dict[int, Persona]) -> None:
    ack = await people[8101].expect(contains="Отчёт принят", timeout=10)
    assert f"Решение муниципального органа «{VYAZMA_AUTHORITY}»" in ack.text
    returned = await people[8102].expect(contains="Отчёт возвращён на доработку", timeout=10)
    assert f"Решение муниципального органа «{VYAZMA_AUTHORITY}»" in returned.text
    assert "Комментарий муниципального органа" in returned.text and "Приложите приказ" in returned.text
    await people[8102].click(returned, "📝 Доработать")
    picker = await people[8102].expect(contains="Выберите статус")
    assert f"Комментарий муниципального органа «{VYAZMA_AUTHORITY}»" in picker.text
    await people[8102].send("/cancel")
    await people[8102].expect(contains="отмен")


async def department_overrides_from_status(olga: Persona) -> None:
    """The department reaches the returned report through /status and accepts it."""
    await olga.send("/status")
    await olga.click(await olga.expect(contains="выберите резолюцию"), "Резолюция")
    await olga.click(await olga.expect(contains="По группам"), "🏙 По муниципалитетам")
    await olga.click(await olga.expect(contains="По муниципалитетам:"), VYAZMA)
    await olga.click(await olga.expect(contains="выполнено позиций / всего"), "МБУ ДО ЦДТ")
    await olga.click(await olga.expect(contains="Муниципалитет"), "4.2")
    card = await olga.expect(contains="Статус:")
    assert f"Возвращено на доработку: Иванова И. И., {VYAZMA_AUTHORITY}" in card.text
    await olga.click(card, "Принять")
    await olga.expect(contains="Принят отчёт «МБУ ДО ЦДТ» по рекомендации 4.2")


async def history_names_both(olga: Persona, app: Runtime) -> None:
    report = await report_of(app, "МБУ ДО ЦДТ")
    await olga.click_data(olga.messages[-1], ReviewHistory(report_id=report.id).pack())
    history = await olga.expect(contains="История отчёта")
    assert f"Иванова И. И., {VYAZMA_AUTHORITY}: ↩️ возвращён на доработку" in history.text
    assert "Ольга Проверяева, департамент: ✅ отчёт принят" in history.text


async def test_delegated_review_with_the_department_overriding(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    people = await two_municipalities(app, emulator, clock)
    olga, ivanova = people[9001], people[8103]
    await submit(people[8101], "4.1", "Открыли кружок робототехники")
    clock.advance(dt.timedelta(minutes=1))
    await submit(people[8102], "4.2", "Открыли кружок")
    await submit(people[8201], "4.1", "Сафоново: открыли кружок")
    await submit(ivanova, "2.1", "Провели совещание")

    # Delegation off: the municipal authority is told who reviews, politely.
    await ivanova.send("/review")
    await ivanova.expect(contains=DEPARTMENT_REVIEWS)

    await switch_on_for_the_resolution(olga)
    await municipal_accepts_one_and_returns_another(ivanova)
    await institutions_hear_from_their_authority(people)
    assert (await report_of(app, "МБУ ДО ДДТ")).review_state is ReviewState.ACCEPTED
    ivanova_id = (await report_of(app, "МБУ ДО ДДТ")).reviewed_by
    assert ivanova_id is not None

    # The department still sees the rest (another municipality's, the authority's own) in /review.
    await olga.send("/review")
    rest = await olga.expect(contains="Отчёт 1 из 2")
    assert "МБУ ДО ДЮЦ" in rest.text

    await department_overrides_from_status(olga)
    await people[8102].expect(contains="Департамент принял ваш отчёт", timeout=10)
    await history_names_both(olga, app)
    assert await decisions(app, "МБУ ДО ЦДТ") == [
        (RevisionEvent.RETURNED, VYAZMA_AUTHORITY),
        (RevisionEvent.ACCEPTED, None),
    ]
    assert await decisions(app, "МБУ ДО ДДТ") == [(RevisionEvent.ACCEPTED, VYAZMA_AUTHORITY)]


async def test_forged_buttons_outside_the_remit_are_refused(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    people = await two_municipalities(app, emulator, clock)
    olga, ivanova = people[9001], people[8103]
    await submit(people[8201], "4.1", "Сафоново: открыли кружок")
    await submit(ivanova, "2.1", "Провели совещание")
    await submit(people[8101], "4.1", "Вязьма: открыли кружок")
    await switch_on_for_the_resolution(olga)
    await ivanova.send("/review")
    own_queue = await ivanova.expect(contains="Отчёт 1 из 1")
    assert "МБУ ДО ДДТ" in own_queue.text and "ДЮЦ" not in own_queue.text

    other_municipality = await report_of(app, "МБУ ДО ДЮЦ")
    own_authority = await report_of(app, VYAZMA_AUTHORITY)
    for report in (other_municipality, own_authority):
        for act in ReviewAct:
            forged = ReviewDecide(action=act, report_id=report.id, version=report.version)
            await ivanova.click_data(own_queue, forged.pack())
            answer = await ivanova.expect_callback_answer()
            assert answer.show_alert and "только отчёты учреждений своего муниципалитета" in (
                answer.text or ""
            )
        await ivanova.click_data(own_queue, ReviewHistory(report_id=report.id).pack())
        assert "своего муниципалитета" in ((await ivanova.expect_callback_answer()).text or "")
    # No municipality filter of another municipality either.
    await ivanova.click_data(own_queue, ReviewNav(muni="deadbeef").pack())
    assert (await ivanova.expect_callback_answer()).show_alert

    async def nothing_changed() -> bool:
        reports = [await report_of(app, name) for name in ("МБУ ДО ДЮЦ", VYAZMA_AUTHORITY)]
        return all(r.review_state is ReviewState.PENDING and r.version == 1 for r in reports)

    await eventually(nothing_changed)
    assert await decisions(app, "МБУ ДО ДЮЦ") == [] and await decisions(app, VYAZMA_AUTHORITY) == []
    # An institution's member is told who reviews its reports, not that the command is not for them.
    await people[8101].send("/review")
    told = await people[8101].expect(contains="Отчёты проверяют департамент и, если он так решил")
    assert "муниципальный орган" in told.text and "недоступна" not in told.text


def test_whoever_is_refused_review_hears_what_is_true_for_them() -> None:
    assert reviewer_refusal(Role.MEMBER, OrgKind.INSTITUTION) == "review.institution_refused"
    assert reviewer_refusal(Role.MEMBER, OrgKind.INSTITUTE) == "review.member_refused"
    assert reviewer_refusal(None, None) == "review.staff_only"
    with pytest.raises(DomainError) as refused:
        require_reviewer(Role.MEMBER, None, OrgKind.INSTITUTION)
    assert refused.value.key == "review.institution_refused"


@pytest.mark.parametrize("settings", [True], indirect=True)
async def test_the_global_setting_delegates_and_a_resolution_may_take_it_back(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    people = await two_municipalities(app, emulator, clock)
    olga, ivanova, petrov = people[9001], people[8103], people[8203]
    await submit(people[8101], "4.1", "Вязьма: открыли кружок")
    await submit(people[8201], "4.1", "Сафоново: открыли кружок")

    # Each municipal authority hears of its own institutions' submissions; the department of all.
    assert (await app.jobs.tick()).review_notices == 3
    vyazma = await ivanova.expect(contains="На проверку поступил 1 отчёт", timeout=10)
    assert "МБУ ДО ДДТ" in vyazma.text and "ДЮЦ" not in vyazma.text
    safonovo = await petrov.expect(contains="На проверку поступил 1 отчёт", timeout=10)
    assert "МБУ ДО ДЮЦ" in safonovo.text
    await olga.expect(contains="На проверку поступило 2 отчёта", timeout=10)

    await ivanova.click(vyazma, "Открыть очередь проверки")
    queue = await ivanova.expect(contains="Отчёт 1 из 1")
    assert "МБУ ДО ДДТ" in queue.text

    # The department takes this resolution's review back: the authority is told, a stale button refused.
    await olga.send("/review")
    await olga.click(await olga.expect(contains="Отчёты на проверке"), "Резолюция ▾")
    choose = await olga.expect(contains="Выберите резолюцию")
    await olga.click(choose, choose.buttons[0][0][0])
    by_setting = await olga.expect(contains="Так задано общей настройкой бота")
    assert "Отчёты учреждений проверяют муниципальные органы" in by_setting.text
    await olga.click(by_setting, "Проверять в департаменте")
    await olga.expect(contains="Отчёты всех организаций проверяет департамент")

    await ivanova.click(queue, "Принять")
    answer = await ivanova.expect_callback_answer()
    assert answer.show_alert and "проверка муниципальными органами для неё не включена" in (answer.text or "")
    await ivanova.send("/review")
    await ivanova.expect(contains=DEPARTMENT_REVIEWS)
    report = await report_of(app, "МБУ ДО ДДТ")
    assert report.review_state is ReviewState.PENDING and report.version == 1


async def the_resolution(app: Runtime) -> Resolution:
    async with app.session_factory() as session:
        [resolution] = await Repositories(session).resolutions.published()
    return resolution


async def test_the_admin_switches_it_on_the_resolution_screen_and_nobody_else_can(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    people = await two_municipalities(app, emulator, clock)
    anna = await admin(emulator)
    await anna.send("/resolutions")
    listing = await anna.expect(contains="Резолюции")
    await anna.click(listing, listing.buttons[0][0][0])
    screen = await anna.expect(contains=OFF_BY_SETTING)
    await anna.click(screen, "Передать проверку муниципальным органам")
    switched = await anna.expect(contains="Отчёты учреждений проверяют муниципальные органы")
    assert "общей настройкой" not in switched.text
    assert (await the_resolution(app)).review_delegation is True
    await anna.click(switched, "Как в общей настройке")
    await anna.expect(contains=OFF_BY_SETTING)
    assert (await the_resolution(app)).review_delegation is None

    # A municipal authority's member forging the department's switch: refused, nothing changes.
    ivanova = people[8103]
    res_id = (await the_resolution(app)).id
    await ivanova.send("/review")
    told = await ivanova.expect(contains=DEPARTMENT_REVIEWS)
    await ivanova.click_data(told, DelegationSwitch(res_id=res_id, mode=DelegationMode.ON, queue=True).pack())
    answer = await ivanova.expect_callback_answer()
    assert answer.show_alert and "только департамент" in (answer.text or "")
    await ivanova.click_data(told, DelegationSwitch(res_id=res_id, mode=DelegationMode.ON).pack())
    assert "устарела" in ((await ivanova.expect_callback_answer()).text or "")
    assert (await the_resolution(app)).review_delegation is None


def test_who_may_decide_what() -> None:
    vyazma = ViewScope(VYAZMA)
    assert refusal(REGION, OrgKind.MUNICIPAL, SAFONOVO, delegated=False) is None
    assert refusal(vyazma, OrgKind.INSTITUTION, VYAZMA, delegated=True) is None
    assert refusal(vyazma, OrgKind.INSTITUTION, SAFONOVO, delegated=True) == "review.not_yours"
    assert refusal(vyazma, OrgKind.MUNICIPAL, VYAZMA, delegated=True) == "review.not_yours"
    assert refusal(vyazma, OrgKind.INSTITUTE, "", delegated=True) == "review.not_yours"
    assert refusal(vyazma, OrgKind.INSTITUTION, VYAZMA, delegated=False) == "review.not_delegated"
    assert delegation_on(None, True) and not delegation_on(False, True) and delegation_on(True, False)

    accept, ret, reopen = RevisionEvent.ACCEPTED, RevisionEvent.RETURNED, RevisionEvent.REOPENED
    pending, accepted, returned = ReviewState.PENDING, ReviewState.ACCEPTED, ReviewState.RETURNED
    # Everyone decides on a pending report; only the department overrides a municipal decision.
    for by_region in (True, False):
        assert open_decisions(pending, by_region, last_by_municipal=False) == (accept, ret)
    assert open_decisions(returned, by_region=True, last_by_municipal=True) == (accept,)
    assert open_decisions(accepted, by_region=True, last_by_municipal=True) == (ret, reopen)
    assert open_decisions(returned, by_region=False, last_by_municipal=True) == ()
    assert open_decisions(accepted, by_region=False, last_by_municipal=True) == (reopen,)
    # The department's own decisions stand as before; a municipal authority cannot reopen them.
    assert open_decisions(returned, by_region=True, last_by_municipal=False) == ()
    assert open_decisions(accepted, by_region=True, last_by_municipal=False) == (reopen,)
    assert open_decisions(accepted, by_region=False, last_by_municipal=False) == ()


async def test_the_department_checks_and_overrides_municipal_decisions(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    people = await two_municipalities(app, emulator, clock)
    olga, ivanova = people[9001], people[8103]
    await submit(people[8101], "4.1", "Открыли кружок робототехники")
    await submit(people[8102], "4.2", "Открыли кружок")
    await submit(people[8201], "4.1", "Сафоново: открыли кружок")
    await switch_on_for_the_resolution(olga)
    await municipal_accepts_one_and_returns_another(ivanova)

    # The department's queue filtered by the resolution offers the municipal authorities' decisions.
    await olga.click(olga.messages[-1], "🏙 Решения муниципальных органов")
    listed = await olga.expect(contains="Решения муниципальных органов")
    assert "Отчёт 1 из 2, сначала самые новые" in listed.text and "МБУ ДО ЦДТ" in listed.text
    assert f"Возвращено на доработку: Иванова И. И., {VYAZMA_AUTHORITY}" in listed.text
    assert "МБУ ДО ДЮЦ" not in listed.text  # still pending: the department's own queue has it
    await olga.click(listed, "➡️ Следующий")
    second = await olga.expect(contains="Отчёт 2 из 2")
    assert "МБУ ДО ДДТ" in second.text and f"Принято: Иванова И. И., {VYAZMA_AUTHORITY}" in second.text
    await olga.click(second, "➡️ Следующий")
    first_again = await olga.expect(contains="Отчёт 1 из 2")
    await olga.click(first_again, "Принять")  # the override: accept what the authority returned
    await olga.expect(contains="Принят отчёт «МБУ ДО ЦДТ» по рекомендации 4.2")
    assert await decisions(app, "МБУ ДО ЦДТ") == [
        (RevisionEvent.RETURNED, VYAZMA_AUTHORITY),
        (RevisionEvent.ACCEPTED, None),
    ]
    async with app.session_factory() as session:
        res_id = await session.scalar(select(Resolution.id))
    assert res_id is not None
    await olga.click_data(olga.messages[-1], MunicipalDecisions(res=res_id).pack())
    left = await olga.expect(contains="Отчёт 1 из 1")
    assert "МБУ ДО ДДТ" in left.text and "ЦДТ" not in left.text

    # Only the department opens the list; forged or out-of-range data changes nothing.
    await ivanova.click_data(ivanova.messages[-1], MunicipalDecisions(res=res_id).pack())
    answer = await ivanova.expect_callback_answer()
    assert answer.show_alert and "проверяет департамент" in (answer.text or "")
    for forged in (MunicipalDecisions(res=res_id + 100).pack(), "rmd:99999999999999999999999:0", "rmd:1:-1"):
        await olga.click_data(olga.messages[-1], forged)
        assert (await olga.expect_callback_answer()).show_alert
    assert await decisions(app, "МБУ ДО ДДТ") == [(RevisionEvent.ACCEPTED, VYAZMA_AUTHORITY)]
