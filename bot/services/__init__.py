"""Use cases. No Bot API library, no views: a service takes plain values, works through the repositories
of one unit of work and returns plain results, or message intents (intents.py) that the renderer port
(ports.py) turns into outbox rows.

`Services` is the holder handlers receive in their data (``services``): one per update, every service on
the same repositories, built on first use. The renderer comes from the composition root.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.domain.clock import Clock
    from bot.services.dashboard import DashboardService
    from bot.services.digests import DigestDelivery
    from bot.services.execution_report import ExecutionReportService
    from bot.services.extensions import ExtensionService
    from bot.services.invitations import InvitationService
    from bot.services.letters import LetterService
    from bot.services.organizations import OrganizationService
    from bot.services.ports import MessageRenderer
    from bot.services.publication import PublicationService
    from bot.services.reminders import ReminderService
    from bot.services.repeats import RepeatService
    from bot.services.reports import ReportService
    from bot.services.resolutions import ResolutionService
    from bot.services.review import ReviewService
    from bot.services.roles import RoleService
    from bot.services.status import StatusService
    from bot.services.workcalendar import CalendarService
    from storage.repositories import Repositories


class Services:
    """The use cases of one unit of work; each is built the first time a handler asks for it."""

    def __init__(
        self, repo: Repositories, settings: Settings, clock: Clock, renderer: MessageRenderer
    ) -> None:
        self.repo = repo
        self.settings = settings
        self.clock = clock
        self.renderer = renderer

    def today(self) -> dt.date:
        """Today in the department's time zone: deadlines are calendar days there."""
        return self.clock.now().astimezone(self.settings.tz).date()

    @cached_property
    def extensions(self) -> ExtensionService:
        from bot.services.extensions import ExtensionService

        return ExtensionService(self.repo, self.renderer)

    @cached_property
    def execution_report(self) -> ExecutionReportService:
        from bot.services.execution_report import ExecutionReportService

        return ExecutionReportService(self.repo, self.settings.tz)

    @cached_property
    def invitations(self) -> InvitationService:
        from bot.services.invitations import InvitationService

        return InvitationService(self.repo, self.settings.invite_ttl_days, self.publication)

    @cached_property
    def letters(self) -> LetterService:
        from bot.services.letters import LetterService

        return LetterService(self.repo, self.settings.invite_ttl_days, self.settings.tz)

    @cached_property
    def organizations(self) -> OrganizationService:
        from bot.services.organizations import OrganizationService

        return OrganizationService(self.repo)

    @cached_property
    def publication(self) -> PublicationService:
        from bot.services.publication import PublicationService

        return PublicationService(self.repo, self.renderer)

    @cached_property
    def reminders(self) -> ReminderService:
        from bot.services.reminders import ReminderService

        return ReminderService(self.repo, self.settings, self.renderer)

    @cached_property
    def reports(self) -> ReportService:
        from bot.services.reports import ReportService

        return ReportService(self.repo)

    @cached_property
    def resolutions(self) -> ResolutionService:
        from bot.services.resolutions import ResolutionService

        return ResolutionService(self.repo)

    @cached_property
    def review(self) -> ReviewService:
        from bot.services.review import ReviewService

        return ReviewService(self.repo, self.settings, self.renderer)

    @cached_property
    def repeats(self) -> RepeatService:
        from bot.services.repeats import RepeatService

        return RepeatService(self.repo, self.settings.repeat_threshold, self.resolutions)

    @cached_property
    def roles(self) -> RoleService:
        from bot.services.roles import RoleService

        return RoleService(self.repo, self.settings.admin_ids)

    @cached_property
    def status(self) -> StatusService:
        from bot.services.status import StatusService

        return StatusService(self.repo)

    @cached_property
    def calendar(self) -> CalendarService:
        from bot.services.workcalendar import CalendarService

        return CalendarService(self.repo, self.settings)

    @cached_property
    def digests(self) -> DigestDelivery:
        from bot.services.digests import DigestDelivery

        return DigestDelivery(self.settings, self.renderer)

    @cached_property
    def dashboard(self) -> DashboardService:
        from bot.services.dashboard import DashboardService

        return DashboardService(self.repo, self.settings.admin_ids, self.settings.ranking)
