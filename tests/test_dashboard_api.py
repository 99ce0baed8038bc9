"""The dashboard's JSON API over real HTTP: initData checked on every request, scopes enforced,
numbers equal to the database's, bad input answered in Russian."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.domain import ReportStatus, RevisionEvent
from storage.db import create_engine, create_session_factory
from storage.models import Person, Report, ReportRevision
from tests.conftest import ADMIN_ID, START, make_settings
from tests.dashboard_data import (
    EVIDENCE_BYTES,
    MEMBER_ID,
    NORTH,
    NORTH_AUTHORITY_ID,
    OFFICIAL_ID,
    STRANGER_ID,
    DashboardSite,
    init_data,
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[DashboardSite]:
    settings: Settings = make_settings(
        tmp_path, "http://127.0.0.1:9", f"sqlite+aiosqlite:///{tmp_path / 'dash.sqlite3'}"
    )
    with DashboardSite(settings) as running:
        yield running


async def get(site: DashboardSite, path: str, auth: str | None, **params: Any) -> tuple[int, Any]:
    headers = {"X-Telegram-Init-Data": auth} if auth is not None else {}
    async with (
        aiohttp.ClientSession() as http,
        http.get(site.url + "api/" + path, headers=headers, params=params) as response,
    ):
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.read()


async def test_signed_official_sees_the_region_with_the_databases_numbers(site: DashboardSite) -> None:
    status, body = await get(site, "overview", init_data(OFFICIAL_ID))
    assert status == 200
    overall = body["overall"]
    assert (overall["total"], overall["done"], overall["in_progress"]) == (14, 3, 1)
    assert (overall["not_started"], overall["not_applicable"], overall["no_answer"]) == (1, 1, 8)
    assert overall["percent"] == round(100 * 3 / 13, 1)
    assert body["review"] == {"pending": 3, "accepted": 2, "returned": 1}
    assert body["overdue"]["cells"] == 10 and body["overdue"]["organizations"] == 5
    assert [m["name"] for m in body["municipalities"]] == [NORTH, "Южный район"]
    assert [m["light"] for m in body["municipalities"]] == ["red", "red"]
    assert [g["total"] for g in body["groups"]] == [2, 12]


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        (None, "Откройте панель из Telegram"),
        ("", "Откройте панель из Telegram"),
        ("garbage", "Telegram не подтвердил данные входа"),
        (init_data(OFFICIAL_ID, token="654321:OTHER_token_abcdefghijklmnopqrstuv"), "не подтвердил"),
        (init_data(OFFICIAL_ID, age=dt.timedelta(hours=25)), "Данные входа устарели"),
    ],
)
async def test_missing_forged_or_stale_init_data_gets_401_and_no_data(
    site: DashboardSite, auth: str | None, expected: str
) -> None:
    for path in ("overview", "matrix", f"organizations/{site.seeded.org_ids['Школа № 1']}"):
        status, body = await get(site, path, auth)
        assert status == 401
        assert expected in body["error"]
        assert set(body) == {"error", "code"}


async def test_tampered_init_data_gets_401(site: DashboardSite) -> None:
    # The user id changed after signing: the member pretends to be the official.
    tampered = init_data(MEMBER_ID).replace(f"%22id%22%3A{MEMBER_ID}", f"%22id%22%3A{OFFICIAL_ID}")
    assert tampered != init_data(MEMBER_ID)
    status, body = await get(site, "overview", tampered)
    assert status == 401 and "overall" not in body


@pytest.mark.parametrize("telegram_id", [MEMBER_ID, STRANGER_ID])
async def test_school_member_and_stranger_get_403(site: DashboardSite, telegram_id: int) -> None:
    for path in ("overview", "matrix", f"evidence/{site.seeded.evidence_id}"):
        status, body = await get(site, path, init_data(telegram_id))
        assert status == 403
        assert "У вас к ней доступа нет" in body["error"]


async def test_municipal_authority_sees_only_its_municipality(site: DashboardSite) -> None:
    auth = init_data(NORTH_AUTHORITY_ID)
    _, me = await get(site, "me", auth)
    assert me == {"municipality": NORTH}
    _, body = await get(site, "overview", auth)
    assert [m["name"] for m in body["municipalities"]] == [NORTH]
    assert (body["overall"]["total"], body["overall"]["done"]) == (7, 2)
    assert body["review"] == {"pending": 2, "accepted": 1, "returned": 1}
    _, matrix = await get(site, "matrix", auth)
    assert {row["municipality"] for row in matrix["rows"]} == {NORTH}
    assert matrix["total"] == 3
    _, other = await get(site, "matrix", auth, municipality="Южный район")
    assert other["code"] == "web.out_of_scope"
    south_school = site.seeded.org_ids["Гимназия № 3"]
    status, _ = await get(site, f"organizations/{south_school}", auth)
    assert status == 403
    _, rec = await get(site, f"recommendations/{site.seeded.rec_ids[0]}", auth)
    assert {a["municipality"] for a in rec["answers"]} == {NORTH}
    status, _ = await get(site, f"evidence/{site.seeded.south_evidence_id}", auth)
    assert status == 403
    status, data = await get(site, f"evidence/{site.seeded.evidence_id}", auth)
    assert status == 200 and data.startswith(EVIDENCE_BYTES)


async def test_matrix_filters_search_and_pages(site: DashboardSite) -> None:
    auth = init_data(ADMIN_ID)
    _, everything = await get(site, "matrix", auth)
    assert everything["total"] == 6
    assert len(everything["columns"]) == 4
    school1 = next(r for r in everything["rows"] if r["name"] == "Школа № 1")
    assert school1["cells"] == ["-", "done", "in_progress", "no_answer"]
    assert school1["reviews"] == [None, "accepted", "pending", None]
    _, filters = await get(site, "filters", auth)
    schools = next(g["id"] for g in filters["groups"] if g["kind"] == "institution")
    _, by_group = await get(site, "matrix", auth, group=schools)
    assert by_group["total"] == 4 and len(by_group["columns"]) == 3
    _, returned = await get(site, "matrix", auth, review="returned")
    assert [r["name"] for r in returned["rows"]] == ["Школа № 2"]
    _, done = await get(site, "matrix", auth, status="done")
    assert {r["name"] for r in done["rows"]} == {
        "Школа № 1",
        "Гимназия № 3",
        "Управление образования Северного района",
    }
    _, silent = await get(site, "matrix", auth, status="no_answer")
    assert {r["name"] for r in silent["rows"]} == {"Лицей № 4", "Управление образования Южного района"}
    _, found = await get(site, "matrix", auth, q="гимназия")
    assert [r["name"] for r in found["rows"]] == ["Гимназия № 3"]
    _, wildcard = await get(site, "matrix", auth, q="%")
    assert wildcard["total"] == 0
    _, later = await get(site, "matrix", auth, page=1)
    assert later["rows"] == [] and later["total"] == 6


@pytest.mark.parametrize(
    "params", [{"status": "finished"}, {"review": "maybe"}, {"page": "-1"}, {"group": "x"}, {"q": "я" * 201}]
)
async def test_bad_filters_get_a_russian_400(site: DashboardSite, params: dict[str, str]) -> None:
    status, body = await get(site, "matrix", init_data(OFFICIAL_ID), **params)
    assert status == 400
    assert body["error"] == "Запрос не понят. Сбросьте фильтры и попробуйте ещё раз."


async def test_organization_and_recommendation_pages(site: DashboardSite) -> None:
    auth = init_data(OFFICIAL_ID)
    school2 = site.seeded.org_ids["Школа № 2"]
    _, org = await get(site, f"organizations/{school2}", auth)
    assert org["organization"]["name"] == "Школа № 2"
    first = org["items"][0]
    assert (first["status"], first["review"], first["review_comment"]) == (
        "not_started",
        "returned",
        "Приложите протокол",
    )
    assert [h["event"] for h in first["history"]] == ["submitted"]
    assert [item["status"] for item in org["items"][1:]] == ["no_answer", "no_answer"]
    _, rec = await get(site, f"recommendations/{site.seeded.rec_ids[0]}", auth)
    assert [a["status"] for a in rec["answers"]] == ["done", "not_started", "done", "no_answer"]
    status, body = await get(site, "organizations/999999", auth)
    assert status == 404 and body["code"] == "web.not_found"
    for path in ("organizations/abc", "recommendations/-1", "evidence/1e3"):
        status, body = await get(site, path, auth)
        assert status == 400 and body["error"].startswith("Запрос не понят")


async def test_evidence_download_is_authorized_per_file(site: DashboardSite) -> None:
    status, data = await get(site, f"evidence/{site.seeded.south_evidence_id}", init_data(OFFICIAL_ID))
    assert status == 200 and data.startswith(EVIDENCE_BYTES)
    status, _ = await get(site, f"evidence/{site.seeded.evidence_id}", None)
    assert status == 401
    status, _ = await get(site, "evidence/424242", init_data(OFFICIAL_ID))
    assert status == 404


async def test_page_and_texts_need_no_secret_in_the_url(site: DashboardSite) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(site.url) as page:
            assert page.status == 200
            html = await page.text()
            assert "static/app.js" in html and "https://" not in html
            assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        async with http.get(site.url + "api/texts") as texts:
            body = await texts.json()
    assert body["locale"] == "ru"
    assert body["texts"]["web.tab_matrix"] == "Матрица"


async def test_overview_follows_new_reports(site: DashboardSite) -> None:
    auth = init_data(OFFICIAL_ID)
    _, before = await get(site, "overview", auth)
    lyceum = site.seeded.org_ids["Лицей № 4"]
    await _report_done(site, lyceum)
    _, after = await get(site, "overview", auth)
    assert after["overall"]["done"] == before["overall"]["done"] + 1
    assert after["review"]["pending"] == before["review"]["pending"] + 1


async def _report_done(site: DashboardSite, org_id: int) -> None:
    engine = create_engine(site.settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            session.add(
                Report(
                    organization_id=org_id,
                    recommendation_id=site.seeded.rec_ids[2],
                    status=ReportStatus.DONE,
                    updated_at=START,
                )
            )
            await session.commit()
    finally:
        await engine.dispose()


async def record_decision(
    site: DashboardSite, school: str, event: RevisionEvent, by: tuple[int, str | None]
) -> None:
    """A decision on the school's answer to the first recommendation, as the review service records it:
    `by` is the reviewer's Telegram id and the municipal authority they acted for (None: the department)."""
    telegram_id, body = by
    engine = create_engine(site.settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            report = await session.scalar(
                select(Report).where(
                    Report.organization_id == site.seeded.org_ids[school],
                    Report.recommendation_id == site.seeded.rec_ids[0],
                )
            )
            reviewer = await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
            assert report is not None and reviewer is not None
            submitted = await session.scalar(
                select(func.max(ReportRevision.created_at)).where(ReportRevision.report_id == report.id)
            )
            report.version += 1
            session.add(
                ReportRevision(
                    report_id=report.id,
                    version=report.version,
                    status=report.status,
                    event=event,
                    review_state=report.review_state,
                    author_id=reviewer.id,
                    acting_org_id=site.seeded.org_ids[body] if body else None,
                    created_at=submitted + dt.timedelta(hours=1),
                )
            )
            await session.commit()
    finally:
        await engine.dispose()


async def test_organization_history_names_the_deciding_body(site: DashboardSite) -> None:
    north_authority = "Управление образования Северного района"
    await record_decision(site, "Школа № 1", RevisionEvent.ACCEPTED, (NORTH_AUTHORITY_ID, north_authority))
    await record_decision(site, "Школа № 2", RevisionEvent.RETURNED, (OFFICIAL_ID, None))
    auth = init_data(OFFICIAL_ID)
    _, school1 = await get(site, f"organizations/{site.seeded.org_ids['Школа № 1']}", auth)
    first = school1["items"][0]
    name = f"Сотрудник {NORTH_AUTHORITY_ID}"
    assert first["decided"] == {"event": "accepted", "author": name, "body": north_authority}
    assert [(h["event"], h["body"]) for h in first["history"]] == [
        ("submitted", None),
        ("accepted", north_authority),
    ]
    assert school1["items"][1]["decided"] is None  # pending: no decision stands
    _, school2 = await get(site, f"organizations/{site.seeded.org_ids['Школа № 2']}", auth)
    assert school2["items"][0]["decided"] == {
        "event": "returned",
        "author": f"Сотрудник {OFFICIAL_ID}",
        "body": None,  # the department
    }
    # The page words it as the chat card does: «Принято: <person>, <body>».
    _, texts = await get(site, "texts", None, lang="ru")
    words = texts["texts"]
    assert (
        words["review.decided.accepted"] == "Принято: {who}" and words["review.department"] == "департамент"
    )
    assert words["review.decider"] == "{name}, {body}"
