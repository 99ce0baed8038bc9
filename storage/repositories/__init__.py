"""The repository holder: one object per unit of work, every repository on the same session."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.dashboard import DashboardRepo
from storage.repositories.documents import DocumentsRepo
from storage.repositories.extensions import ExtensionRepo
from storage.repositories.invitations import InvitationRepo
from storage.repositories.journal import UpdateJournalRepo
from storage.repositories.menus import MenuRepo
from storage.repositories.organizations import OrganizationRepo
from storage.repositories.outbox import OutboxRepo
from storage.repositories.people import PersonRepo
from storage.repositories.reports import ProgressRepo, ReportRepo
from storage.repositories.resolutions import ResolutionRepo
from storage.repositories.schedule import ScheduleRepo
from storage.repositories.workcalendar import CalendarRepo, SnoozeRepo


class Repositories:
    def __init__(self, session: AsyncSession, *, on_enqueue: Callable[[], None] | None = None) -> None:
        self.session = session
        # Told when outbox rows are queued in this session (the unit of work wakes the pump after commit).
        self.on_enqueue = on_enqueue

    @cached_property
    def orgs(self) -> OrganizationRepo:
        return OrganizationRepo(self.session)

    @cached_property
    def people(self) -> PersonRepo:
        return PersonRepo(self.session)

    @cached_property
    def invitations(self) -> InvitationRepo:
        return InvitationRepo(self.session)

    @cached_property
    def resolutions(self) -> ResolutionRepo:
        return ResolutionRepo(self.session)

    @cached_property
    def outbox(self) -> OutboxRepo:
        return OutboxRepo(self.session, on_enqueue=self.on_enqueue)

    @cached_property
    def reports(self) -> ReportRepo:
        return ReportRepo(self.session)

    @cached_property
    def schedule(self) -> ScheduleRepo:
        return ScheduleRepo(self.session)

    @cached_property
    def menus(self) -> MenuRepo:
        return MenuRepo(self.session)

    @cached_property
    def journal(self) -> UpdateJournalRepo:
        return UpdateJournalRepo(self.session)

    @cached_property
    def extensions(self) -> ExtensionRepo:
        return ExtensionRepo(self.session)

    @cached_property
    def progress(self) -> ProgressRepo:
        return ProgressRepo(self.session)

    @cached_property
    def documents(self) -> DocumentsRepo:
        return DocumentsRepo(self.session)

    @cached_property
    def dashboard(self) -> DashboardRepo:
        return DashboardRepo(self.session)

    @cached_property
    def calendar(self) -> CalendarRepo:
        return CalendarRepo(self.session)

    @cached_property
    def snoozes(self) -> SnoozeRepo:
        return SnoozeRepo(self.session)

    async def commit(self) -> None:
        await self.session.commit()


__all__ = ["Repositories"]
