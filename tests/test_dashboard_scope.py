"""The dashboard counts in SQL what the digest counts from its matrix, and keeps a municipal authority to the
bodies it supervises: its own authority and the institutions of its municipality, never an institute or a
department that happens to be located there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.documents.figures import build_figures
from bot.documents.ranking import municipal_ranking
from bot.domain import EvidenceKind, ExtensionState, OrgKind, ReportStatus, ResolutionStatus, ReviewState
from bot.domain.scope import REGION, ViewScope
from bot.services.dashboard import Thresholds
from bot.services.dashboard_overview import count_overview
from storage.db import create_engine, create_session_factory
from storage.models import (
    AddresseeGroup,
    DeadlineExtension,
    Evidence,
    Organization,
    Recommendation,
    Report,
    Resolution,
)
from storage.repositories.dashboard import DashboardRepo
from storage.repositories.digest import DigestRepo, Scope
from tests.conftest import ADMIN_ID, START, make_settings
from tests.dashboard_data import NORTH, NORTH_AUTHORITY_ID, DashboardSite, init_data
from tests.test_dashboard_api import get

INSTITUTE = "Институт развития образования"
TODAY = START.date()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[DashboardSite]:
    settings: Settings = make_settings(
        tmp_path, "http://127.0.0.1:9", f"sqlite+aiosqlite:///{tmp_path / 'dash.sqlite3'}"
    )
    with DashboardSite(settings) as running:
        yield running


async def _in_session(site: DashboardSite, work: Any) -> Any:
    engine = create_engine(site.settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


async def _add_institute_and_department(site: DashboardSite) -> dict[str, int]:
    """An institute and a department located in the northern municipality, a group of the resolution
    addressed to institutes, the institute's answer to it with a stored file."""

    async def work(session: Any) -> dict[str, int]:
        resolution_id = await session.scalar(
            select(AddresseeGroup.resolution_id)
            .join(Recommendation, Recommendation.group_id == AddresseeGroup.id)
            .where(Recommendation.id == site.seeded.rec_ids[0])
        )
        group = AddresseeGroup(
            resolution_id=resolution_id, position=3, heading="Институтам", kind=OrgKind.INSTITUTE
        )
        group.recommendations = [Recommendation(position=1, text="Провести курсы для директоров")]
        institute = Organization(name=INSTITUTE, kind=OrgKind.INSTITUTE, municipality=NORTH, dedup_key="i")
        department = Organization(
            name="Министерство образования", kind=OrgKind.DEPARTMENT, municipality=NORTH, dedup_key="d"
        )
        session.add_all([group, institute, department])
        await session.flush()
        rec_id = group.recommendations[0].id
        report = Report(
            organization_id=institute.id,
            recommendation_id=rec_id,
            status=ReportStatus.DONE,
            review_state=ReviewState.PENDING,
            comment="Курсы проведены",
        )
        session.add(report)
        await session.flush()
        stored = Path(site.settings.evidence_dir) / "institute.pdf"
        stored.write_bytes(b"%PDF institute")
        evidence = Evidence(
            report_id=report.id,
            revision_version=1,
            kind=EvidenceKind.DOCUMENT,
            file_name="Курсы.pdf",
            stored_path=str(stored),
            sha256="0" * 64,
            file_size=14,
        )
        session.add(evidence)
        await session.flush()
        return {
            "institute": institute.id,
            "department": department.id,
            "rec": rec_id,
            "group": group.id,
            "evidence": evidence.id,
        }

    return await _in_session(site, work)


async def test_a_municipal_authority_never_sees_an_institute_located_in_its_municipality(
    site: DashboardSite,
) -> None:
    auth = init_data(NORTH_AUTHORITY_ID)
    _, before = await get(site, "overview", auth)
    ids = await _add_institute_and_department(site)
    _, after = await get(site, "overview", auth)
    assert after["overall"] == before["overall"] and after["review"] == before["review"]
    assert [g["kind"] for g in after["groups"]] == ["municipal", "institution"]
    _, filters = await get(site, "filters", auth)
    assert {g["kind"] for g in filters["groups"]} == {"municipal", "institution"}
    _, matrix = await get(site, "matrix", auth)
    assert INSTITUTE not in {row["name"] for row in matrix["rows"]} and matrix["total"] == 3
    _, searched = await get(site, "matrix", auth, q="Институт")
    assert searched["total"] == 0
    status, body = await get(site, "matrix", auth, group=ids["group"])
    assert status == 404 and body["code"] == "web.not_found"
    for org in ("institute", "department"):
        status, body = await get(site, f"organizations/{ids[org]}", auth)
        assert status == 403 and body["code"] == "web.out_of_scope"
    status, _ = await get(site, f"recommendations/{ids['rec']}", auth)
    assert status == 404
    status, body = await get(site, f"evidence/{ids['evidence']}", auth)
    assert status == 403 and body["code"] == "web.out_of_scope"
    # The region sees the institute, its answer and its file.
    admin = init_data(ADMIN_ID)
    _, region = await get(site, "overview", admin)
    assert region["overall"]["total"] == 14 + 1  # the seeded cells and the institute's one
    status, page = await get(site, f"organizations/{ids['institute']}", admin)
    assert status == 200 and page["items"][0]["status"] == "done"
    status, data = await get(site, f"evidence/{ids['evidence']}", admin)
    assert status == 200 and data == b"%PDF institute"


async def _extend_and_review(site: DashboardSite) -> None:
    """An accepted answer, and approved extensions: one that takes an open cell out of the overdue, one
    that moves a done cell (nothing changes), one replaced by a later decision."""

    async def work(session: Any) -> None:
        org = site.seeded.org_ids
        r1, r2, r3 = site.seeded.rec_ids
        gymnasium = await session.scalar(
            select(Report).where(
                Report.organization_id == org["Гимназия № 3"], Report.recommendation_id == r1
            )
        )
        gymnasium.review_state = ReviewState.ACCEPTED
        for org_id, rec_id, day, decided in (
            (org["Школа № 2"], r3, dt.date(2027, 1, 1), 1),
            (org["Лицей № 4"], r2, dt.date(2027, 1, 1), 1),
            (org["Лицей № 4"], r2, dt.date(2026, 8, 1), 2),  # the later decision wins: still overdue
            (org["Гимназия № 3"], r1, dt.date(2027, 1, 1), 1),
        ):
            session.add(
                DeadlineExtension(
                    organization_id=org_id,
                    recommendation_id=rec_id,
                    new_deadline=day,
                    reason="Ремонт",
                    state=ExtensionState.APPROVED,
                    decided_at=START + dt.timedelta(hours=decided),
                )
            )

    await _in_session(site, work)


async def _add_second_resolution(site: DashboardSite) -> None:
    """Another published resolution addressed to institutions (a second group of that kind), with answers
    that count and answers that do not, and a draft one: the overview of every resolution counts such
    groups by recommendation."""

    async def work(session: Any) -> None:
        org = dict(site.seeded.org_ids)
        closed = Organization(
            name="Школа № 5", kind=OrgKind.INSTITUTION, municipality=NORTH, dedup_key="5", is_active=False
        )
        session.add(closed)
        await session.flush()
        org["Школа № 5"] = closed.id
        for title, status in (
            ("Резолюция 2025", ResolutionStatus.PUBLISHED),
            ("Черновик", ResolutionStatus.DRAFT),
        ):
            group = AddresseeGroup(position=1, heading="Учреждениям", kind=OrgKind.INSTITUTION)
            group.recommendations = [
                Recommendation(position=1, text="Обновить сайт", deadline=dt.date(2026, 8, 1)),
                Recommendation(position=2, text="Провести родительское собрание"),
            ]
            resolution = Resolution(title=title, status=status, created_by=ADMIN_ID, groups=[group])
            session.add(resolution)
            await session.flush()
            first, second = group.recommendations
            for name, rec, done, review in (
                ("Школа № 1", first, ReportStatus.DONE, ReviewState.ACCEPTED),
                ("Гимназия № 3", second, ReportStatus.IN_PROGRESS, ReviewState.RETURNED),
                # Neither counts: a closed school's answer, and one kept from before a group was re-addressed.
                ("Школа № 5", first, ReportStatus.DONE, ReviewState.ACCEPTED),
                ("Управление образования Северного района", second, ReportStatus.DONE, ReviewState.PENDING),
            ):
                session.add(
                    Report(
                        organization_id=org[name],
                        recommendation_id=rec.id,
                        status=done,
                        review_state=review,
                        comment="",
                    )
                )

    await _in_session(site, work)


@pytest.mark.parametrize("scope", [REGION, ViewScope(NORTH), ViewScope("Южный район")])
async def test_the_overview_counts_what_the_digest_counts(site: DashboardSite, scope: ViewScope) -> None:
    await _extend_and_review(site)
    await _add_second_resolution(site)

    async def compare(session: Any, resolution_id: int | None) -> dict[int, int]:
        digest = DigestRepo(session)
        expected = await build_figures(digest, resolution_id, scope.municipality, TODAY)
        digest_scope = Scope(await digest.published_ids(resolution_id), scope.municipality)
        groups = await digest.groups(digest_scope)
        counted = await count_overview(
            DashboardRepo(session), groups, await digest.recommendations(digest_scope), scope, TODAY
        )
        assert counted.overall == expected.overall
        assert counted.groups == expected.groups
        assert dict(sorted(counted.municipalities.items())) == expected.municipalities
        late = {o.org_id: o.overdue for o in counted.late}
        assert late == {o.org_id: o.overdue for o in expected.overdue}
        return late

    async def work(session: Any) -> None:
        first = min(await DigestRepo(session).published_ids(None))
        late = await compare(session, first)
        if scope.is_region:
            # An extension took one of the school's three open cells out; the lyceum's later one did not.
            assert late[site.seeded.org_ids["Школа № 2"]] == 2 and late[site.seeded.org_ids["Лицей № 4"]] == 3
        everything = await compare(session, None)
        if scope.is_region:
            # The second resolution's late item is open for every school but the first.
            assert everything[site.seeded.org_ids["Школа № 2"]] == 3

    await _in_session(site, work)


def test_a_municipality_covers_its_authority_and_institutions_only() -> None:
    north = ViewScope(NORTH)
    assert north.covers_org(OrgKind.MUNICIPAL, NORTH) and north.covers_org("institution", NORTH)
    assert not north.covers_org(OrgKind.INSTITUTE, NORTH)
    assert not north.covers_org(OrgKind.DEPARTMENT, NORTH)
    assert not north.covers_org(OrgKind.INSTITUTION, "Южный район")
    assert all(REGION.covers_org(kind, "") for kind in OrgKind)


def test_traffic_lights_follow_the_digest_rule() -> None:
    lights = Thresholds(green=80, yellow=50)
    assert lights.light(90, overdue=0) == "green"
    assert lights.light(90, overdue=1) == "yellow"  # anything overdue keeps a municipality from green
    assert lights.light(60, overdue=5) == "yellow"
    assert lights.light(49.9, overdue=0) == "red"


async def test_the_dashboards_ranking_is_the_digests_with_an_institute_in_a_municipality(
    site: DashboardSite,
) -> None:
    """An institute and a department located in a named municipality count in neither ranking: the same
    municipality gets the same share, overdue items and light on the dashboard and in the digest."""
    ids = await _add_institute_and_department(site)

    async def accept_the_institutes_report(session: Any) -> None:
        report = await session.scalar(select(Report).where(Report.organization_id == ids["institute"]))
        report.review_state = ReviewState.ACCEPTED  # would lift the northern share if it counted

    await _in_session(site, accept_the_institutes_report)

    async def digest_ranking(session: Any) -> list[tuple[str, str, float, int]]:
        figures = await build_figures(DigestRepo(session), None, None, TODAY)
        ranking = municipal_ranking(figures, {}, site.settings.ranking)
        return [
            (r.standing.name, r.light.value, round(r.standing.percent, 1), r.standing.overdue)
            for r in ranking.items
        ]

    expected = await _in_session(site, digest_ranking)
    _, body = await get(site, "overview", init_data(ADMIN_ID))
    shown = [(m["name"], m["light"], m["accepted_percent"], m["overdue"]) for m in body["municipalities"]]
    assert shown == expected
    north = next(m for m in body["municipalities"] if m["name"] == NORTH)
    assert north["total"] == 7  # the authority's and the schools' items, not the institute's
