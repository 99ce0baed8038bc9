"""aiogram routers: thin, one module per area; the order here is the order of matching.

Each module holds module-level handler functions and a `router()` factory that registers them on a fresh
Router (a Router can belong to one dispatcher only, and tests build many)."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    admin_calendar,
    admin_files,
    admin_letters,
    admin_orgs,
    admin_reminders,
    admin_repeats,
    admin_resolutions,
    admin_roles,
    common,
    errors,
    fallback,
    member_extensions,
    member_reports,
    member_snooze,
    member_stray_files,
    municipal_reach,
    official_digest,
    official_documents,
    official_extensions,
    official_review,
    official_status,
)


def get_routers() -> list[Router]:
    return [
        errors.router(),
        common.router(),
        # Members' reports first: most updates are theirs, and the admin routers they would pass over
        # first are for admins only — but for admin_reminders' /remind, which a municipal authority's
        # members share; the members' handlers take no command and no button but their own.
        member_reports.router(),
        member_extensions.router(),
        member_snooze.router(),
        admin_orgs.router(),
        admin_roles.router(),
        admin_resolutions.router(),
        admin_repeats.router(),
        admin_letters.router(),
        admin_reminders.router(),
        admin_calendar.router(),
        admin_files.router(),
        official_status.router(),
        municipal_reach.router(),
        official_review.router(),
        official_extensions.router(),
        official_digest.router(),
        official_documents.router(),
        member_stray_files.router(),
        fallback.router(),
    ]
