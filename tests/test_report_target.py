"""ReportRepo.target: organization, recommendation, resolution and report with evidence, one statement; in
a report dialog, read ahead with the caller (PersonRepo.by_telegram_id_with_dialog)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from importlib import resources

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import EvidenceKind, ExtensionState, OrgKind, ReportStatus, ResolutionStatus, Role
from bot.services.seed import seed_org, seed_resolution
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import DeadlineExtension, Evidence, FsmRecord, Report
from storage.repositories import Repositories

SAMPLE = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_session_factory(engine)
    await engine.dispose()


async def seeded(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int, int]:
    """An institution, the 2021 resolution, and a report with two evidence items on its first
    recommendation for institutions; returns (org id, that recommendation's id, another one's id)."""
    async with sessions() as session:
        repo = Repositories(session)
        org = (await seed_org(repo, "ДДТ", OrgKind.INSTITUTION, "Смоленский район")).org
        resolution = await seed_resolution(repo, SAMPLE, "smolensk-2021-forum.md")
        first, second = (
            await repo.resolutions.recommendations_for_kind(OrgKind.INSTITUTION, resolution.status)
        )[:2]
        report = await repo.reports.add(
            Report(organization_id=org.id, recommendation_id=first.id, status=ReportStatus.IN_PROGRESS)
        )
        await repo.reports.add_evidence(
            [
                Evidence(
                    report_id=report.id, revision_version=1, kind=EvidenceKind.LINK, url="https://a.example"
                ),
                Evidence(report_id=report.id, revision_version=1, kind=EvidenceKind.TEXT, text="протокол"),
            ]
        )
        await session.commit()
        return org.id, first.id, second.id


@contextmanager
def statements_in(session: AsyncSession) -> Iterator[list[str]]:
    """The statements the session sends while the block runs."""
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_everything_a_dialog_step_needs_in_one_statement(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    org_id, rec_id, _ = await seeded(sessions)
    async with sessions() as session:
        with statements_in(session) as statements:
            org, rec, report = await Repositories(session).reports.target(org_id, rec_id)
            assert org is not None and org.id == org_id
            assert rec is not None and rec.id == rec_id
            assert rec.group.kind is OrgKind.INSTITUTION
            assert rec.group.resolution.status is ResolutionStatus.DRAFT
            assert report is not None and report.status is ReportStatus.IN_PROGRESS
            assert [e.kind for e in report.evidence] == [EvidenceKind.LINK, EvidenceKind.TEXT]
        assert len(statements) == 1


async def test_missing_parts_are_none(sessions: async_sessionmaker[AsyncSession]) -> None:
    org_id, rec_id, other_id = await seeded(sessions)
    async with sessions() as session:
        reports = Repositories(session).reports
        org, rec, report = await reports.target(org_id, other_id)
        assert org is not None and rec is not None and rec.id == other_id and report is None
        org, rec, report = await reports.target(org_id, 10**9)
        assert org is not None and rec is None and report is None
        assert await reports.target(10**9, rec_id) == (None, None, None)


async def approve_extension(repo: Repositories, org_id: int, rec_id: int, day: dt.date) -> None:
    """An extension to `day` requested and approved in the session."""
    extension = await repo.extensions.add(
        DeadlineExtension(organization_id=org_id, recommendation_id=rec_id, new_deadline=day, reason="-")
    )
    decided = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert await repo.extensions.decide(extension.id, ExtensionState.APPROVED, None, decided, None)


async def approved_extensions(
    sessions: async_sessionmaker[AsyncSession], org_id: int, rec_id: int, days: list[dt.date]
) -> list[int]:
    """Extension requests for (org, rec), approved one after another in the order given."""
    ids = []
    async with sessions() as session:
        repo = Repositories(session)
        for n, day in enumerate(days):
            extension = await repo.extensions.add(
                DeadlineExtension(
                    organization_id=org_id, recommendation_id=rec_id, new_deadline=day, reason="-"
                )
            )
            decided = dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(days=n)
            assert await repo.extensions.decide(extension.id, ExtensionState.APPROVED, None, decided, None)
            ids.append(extension.id)
        await session.commit()
    return ids


async def test_the_own_deadline_comes_with_the_target_and_is_the_latest_approved(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    org_id, rec_id, other_id = await seeded(sessions)
    await approved_extensions(sessions, org_id, rec_id, [dt.date(2026, 9, 1), dt.date(2026, 8, 1)])
    async with sessions() as session:
        expected = await Repositories(session).extensions.own_deadlines([org_id], [rec_id])
    assert expected == {(org_id, rec_id): dt.date(2026, 8, 1)}
    for rec, own in ((rec_id, expected), (other_id, {})):
        async with sessions() as session:
            repo = Repositories(session)
            await repo.reports.target(org_id, rec)
            with statements_in(session) as statements:
                assert await repo.extensions.own_deadlines([org_id], [rec]) == own
            assert statements == []  # read with the target
            # Taken once: asked again, the database answers.
            assert await repo.extensions.own_deadlines([org_id], [rec]) == own


async def test_an_extension_written_in_the_session_drops_the_deadline_read_with_the_target(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    org_id, rec_id, _ = await seeded(sessions)
    async with sessions() as session:
        repo = Repositories(session)
        await repo.reports.target(org_id, rec_id)
        await approve_extension(repo, org_id, rec_id, dt.date(2026, 10, 1))
        assert await repo.extensions.own_deadlines([org_id], [rec_id]) == {
            (org_id, rec_id): dt.date(2026, 10, 1)
        }


MEMBER = 777


async def in_dialog(sessions: async_sessionmaker[AsyncSession], org_id: int, data: dict[str, object]) -> None:
    """A member of the organization with a dialog row ("k") holding `data`."""
    async with sessions() as session:
        repo = Repositories(session)
        await repo.people.add(MEMBER, "Руководитель", Role.MEMBER, organization_id=org_id)
        session.add(FsmRecord(key="k", state="ReportDialog:status", data=data))
        await session.commit()


async def test_a_report_dialog_step_reads_its_target_with_the_caller(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    org_id, rec_id, _ = await seeded(sessions)
    await approved_extensions(sessions, org_id, rec_id, [dt.date(2026, 9, 1)])
    await in_dialog(sessions, org_id, {"rec_id": rec_id, "status": "done"})
    async with sessions() as session:
        repo = Repositories(session)
        caller = await repo.people.by_telegram_id_with_dialog(MEMBER, "k")
        assert caller is not None and caller.dialog_data == {"rec_id": rec_id, "status": "done"}
        with statements_in(session) as seen:
            org, rec, report = await repo.reports.target(org_id, rec_id)
            own = await repo.extensions.own_deadlines([org_id], [rec_id])
        assert seen == []
        assert org is caller.person.organization
        assert rec is not None and rec.id == rec_id and rec.group.resolution.status is ResolutionStatus.DRAFT
        # Both evidence rows of the one statement fill the report, as the target's own read does.
        assert report is not None and [e.kind for e in report.evidence] == [
            EvidenceKind.LINK,
            EvidenceKind.TEXT,
        ]
        assert own == {(org_id, rec_id): dt.date(2026, 9, 1)}
        with statements_in(session) as seen:
            assert (await repo.reports.target(org_id, rec_id)).rec is rec
        assert len(seen) == 1  # taken once: asked again, the database answers


# Not what a report dialog writes, but a dialog row holding it must not fail the caller's read, every
# update's first statement (PostgreSQL's cast to integer would).
NOT_A_REC_ID = ["x", 1.5, True, 2**40, [1], {"a": 1}, None]


@pytest.mark.parametrize("data", [{}, {"ext_rec": 1}, *({"rec_id": value} for value in NOT_A_REC_ID)])
async def test_other_dialogs_read_no_target(
    sessions: async_sessionmaker[AsyncSession], data: dict[str, object]
) -> None:
    org_id, rec_id, _ = await seeded(sessions)
    await in_dialog(sessions, org_id, data)
    async with sessions() as session:
        repo = Repositories(session)
        assert await repo.people.by_telegram_id_with_dialog(MEMBER, "k") is not None
        with statements_in(session) as seen:
            assert (await repo.reports.target(org_id, rec_id)).rec is not None
        assert len(seen) == 1


async def test_the_target_read_ahead_serves_only_its_own_recommendation(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    org_id, rec_id, other_id = await seeded(sessions)
    await in_dialog(sessions, org_id, {"rec_id": rec_id})
    async with sessions() as session:
        repo = Repositories(session)
        await repo.people.by_telegram_id_with_dialog(MEMBER, "k")
        with statements_in(session) as seen:
            _, rec, report = await repo.reports.target(org_id, other_id)
        assert len(seen) == 1 and rec is not None and rec.id == other_id and report is None


async def test_a_missing_recommendation_read_ahead_is_none(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    org_id, _, _ = await seeded(sessions)
    await in_dialog(sessions, org_id, {"rec_id": 10**6})
    async with sessions() as session:
        repo = Repositories(session)
        await repo.people.by_telegram_id_with_dialog(MEMBER, "k")
        with statements_in(session) as seen:
            org, rec, report = await repo.reports.target(org_id, 10**6)
        assert seen == [] and org is not None and org.id == org_id and rec is None and report is None


@pytest.mark.parametrize("write", ["report", "extension"])
async def test_a_write_in_the_session_drops_the_target_read_ahead(
    sessions: async_sessionmaker[AsyncSession], write: str
) -> None:
    """Read ahead on a recommendation with no report and no extension; then the step writes one."""
    org_id, _, rec_id = await seeded(sessions)
    await in_dialog(sessions, org_id, {"rec_id": rec_id})
    async with sessions() as session:
        repo = Repositories(session)
        await repo.people.by_telegram_id_with_dialog(MEMBER, "k")
        if write == "report":
            await repo.reports.add(
                Report(organization_id=org_id, recommendation_id=rec_id, status=ReportStatus.IN_PROGRESS)
            )
        else:
            await approve_extension(repo, org_id, rec_id, dt.date(2026, 9, 1))
        with statements_in(session) as seen:
            _, _, report = await repo.reports.target(org_id, rec_id)
            own = await repo.extensions.own_deadlines([org_id], [rec_id])
        assert len(seen) == 1  # read again, with the deadline
        if write == "report":
            assert report is not None and report.status is ReportStatus.IN_PROGRESS
        else:
            assert own == {(org_id, rec_id): dt.date(2026, 9, 1)}
