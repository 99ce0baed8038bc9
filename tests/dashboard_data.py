"""A small region for the dashboard's tests: two municipalities, their authorities, four schools, one
published resolution, reports in every status and review state, and one stored evidence file.

`DashboardSite` serves it from a thread of its own, so a synchronous browser driver can use it too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.composition import create_renderer
from bot.config import Settings
from bot.domain import EvidenceKind, OrgKind, ReportStatus, ResolutionStatus, ReviewState, RevisionEvent, Role
from bot.domain.clock import FrozenClock
from bot.web.app import DashboardServer
from bot.web.context import WebContext
from bot.web.init_data import sign
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import (
    AddresseeGroup,
    Evidence,
    Organization,
    Person,
    Recommendation,
    Report,
    ReportRevision,
    Resolution,
)
from tests.conftest import ADMIN_ID, START, TOKEN

OFFICIAL_ID = 2001
MEMBER_ID = 2002  # a school's head: no dashboard
NORTH_AUTHORITY_ID = 2003  # a member of the northern municipal authority
STRANGER_ID = 2004  # never registered
NORTH = "Северный район"
SOUTH = "Южный район"
EVIDENCE_BYTES = b"%PDF-1.4 protocol of the teachers' council\n"


@dataclass
class Seeded:
    org_ids: dict[str, int] = field(default_factory=dict)
    rec_ids: list[int] = field(default_factory=list)
    municipal_rec_id: int = 0
    evidence_id: int = 0
    south_evidence_id: int = 0


def init_data(telegram_id: int, *, age: dt.timedelta = dt.timedelta(minutes=5), token: str = TOKEN) -> str:
    user = {"id": telegram_id, "first_name": "Тест", "language_code": "ru"}
    return sign(token, user, START - age)


async def seed(settings: Settings) -> Seeded:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            seeded = await _fill(session, settings.evidence_dir)
            await session.commit()
        return seeded
    finally:
        await engine.dispose()


async def _fill(session: Any, evidence_dir: Path) -> Seeded:
    out = Seeded()
    municipal, schools = _add_resolution(session)
    await _add_organizations(session, out)
    out.municipal_rec_id = municipal.recommendations[0].id
    out.rec_ids = [r.id for r in schools.recommendations]
    await _add_people(session, out)
    reports = await _add_reports(session, out)
    r1 = out.rec_ids[0]
    out.evidence_id = await _evidence(
        session, reports[("Школа № 1", r1)].id, evidence_dir, "Протокол педсовета.pdf"
    )
    out.south_evidence_id = await _evidence(
        session, reports[("Гимназия № 3", r1)].id, evidence_dir, "Отчёт.pdf"
    )
    return out


def _add_resolution(session: Any) -> tuple[AddresseeGroup, AddresseeGroup]:
    res = Resolution(
        title="Резолюция августовского педагогического форума",
        status=ResolutionStatus.PUBLISHED,
        created_by=ADMIN_ID,
        deadline=dt.date(2026, 8, 20),  # before START: open items are overdue
        published_at=START - dt.timedelta(days=30),
    )
    municipal = AddresseeGroup(
        position=1, heading="Муниципальным органам управления образованием", kind=OrgKind.MUNICIPAL
    )
    schools = AddresseeGroup(position=2, heading="Образовательным организациям", kind=OrgKind.INSTITUTION)
    municipal.recommendations = [Recommendation(position=1, text="Утвердить муниципальный план мероприятий")]
    schools.recommendations = [
        Recommendation(position=i, text=text)
        for i, text in enumerate(
            ["Провести педагогический совет", "Обновить рабочие программы", "Организовать наставничество"], 1
        )
    ]
    res.groups = [municipal, schools]
    session.add(res)
    return municipal, schools


async def _add_organizations(session: Any, out: Seeded) -> None:
    orgs = [
        ("Управление образования Северного района", OrgKind.MUNICIPAL, NORTH),
        ("Управление образования Южного района", OrgKind.MUNICIPAL, SOUTH),
        ("Школа № 1", OrgKind.INSTITUTION, NORTH),
        ("Школа № 2", OrgKind.INSTITUTION, NORTH),
        ("Гимназия № 3", OrgKind.INSTITUTION, SOUTH),
        ("Лицей № 4", OrgKind.INSTITUTION, SOUTH),
    ]
    for name, kind, place in orgs:
        org = Organization(name=name, kind=kind, municipality=place, dedup_key=name)
        session.add(org)
        await session.flush()
        out.org_ids[name] = org.id


async def _add_people(session: Any, out: Seeded) -> None:
    people = [
        (OFFICIAL_ID, Role.OFFICIAL, None),
        (MEMBER_ID, Role.MEMBER, out.org_ids["Школа № 1"]),
        (NORTH_AUTHORITY_ID, Role.MEMBER, out.org_ids["Управление образования Северного района"]),
    ]
    for tid, role, org_id in people:
        session.add(Person(telegram_id=tid, full_name=f"Сотрудник {tid}", role=role, organization_id=org_id))
    await session.flush()


async def _add_reports(session: Any, out: Seeded) -> dict[tuple[str, int], Report]:
    r1, r2, _ = out.rec_ids
    cells = [
        ("Школа № 1", r1, ReportStatus.DONE, ReviewState.ACCEPTED),
        ("Школа № 1", r2, ReportStatus.IN_PROGRESS, ReviewState.PENDING),
        ("Школа № 2", r1, ReportStatus.NOT_STARTED, ReviewState.RETURNED),
        ("Гимназия № 3", r1, ReportStatus.DONE, ReviewState.PENDING),
        ("Гимназия № 3", r2, ReportStatus.NOT_APPLICABLE, ReviewState.ACCEPTED),
        (
            "Управление образования Северного района",
            out.municipal_rec_id,
            ReportStatus.DONE,
            ReviewState.PENDING,
        ),
    ]
    reports = {}
    for name, rec_id, status, review in cells:
        report = Report(
            organization_id=out.org_ids[name],
            recommendation_id=rec_id,
            status=status,
            review_state=review,
            comment=f"Комментарий: {name}",
            reason="Нет профильных классов" if status is ReportStatus.NOT_APPLICABLE else None,
            review_comment="Приложите протокол" if review is ReviewState.RETURNED else None,
            updated_at=START - dt.timedelta(days=2),
        )
        session.add(report)
        await session.flush()
        reports[(name, rec_id)] = report
        session.add(
            ReportRevision(report_id=report.id, version=1, status=status, event=RevisionEvent.SUBMITTED)
        )
    return reports


async def _evidence(session: Any, report_id: int, evidence_dir: Path, name: str) -> int:
    data = EVIDENCE_BYTES + name.encode()
    digest = hashlib.sha256(data).hexdigest()
    path = evidence_dir / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    item = Evidence(
        report_id=report_id,
        revision_version=1,
        kind=EvidenceKind.DOCUMENT,
        file_name=name,
        stored_path=str(path),
        sha256=digest,
        file_size=len(data),
    )
    session.add(item)
    await session.flush()
    return item.id


class DashboardSite:
    """The dashboard over the seeded database, served from a thread with its own event loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.seeded = Seeded()
        self.url = ""
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> DashboardSite:
        self._thread.start()
        self.seeded, self._server, self._engine = self._call(self._open())
        self.url = self._server.local_url
        return self

    def __exit__(self, *exc: object) -> None:
        self._call(self._close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    async def _open(self) -> tuple[Seeded, DashboardServer, Any]:
        seeded = await seed(self.settings)
        engine = create_engine(self.settings.database_url)
        context = WebContext(
            self.settings, create_session_factory(engine), FrozenClock(START), create_renderer(self.settings)
        )
        server = DashboardServer(context, "127.0.0.1", 0)
        await server.start()
        return seeded, server, engine

    async def _close(self) -> None:
        await self._server.stop()
        await self._engine.dispose()
