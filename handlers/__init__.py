"""aiogram routers: thin, one module per area; the order here is the order of matching."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    admin_files,
    admin_orgs,
    admin_reminders,
    admin_resolutions,
    admin_roles,
    common,
    errors,
    fallback,
    member_reports,
    official_digest,
    official_status,
)


def get_routers() -> list[Router]:
    return [
        errors.create_router(),
        common.create_router(),
        admin_orgs.create_router(),
        admin_roles.create_router(),
        admin_resolutions.create_router(),
        admin_reminders.create_router(),
        admin_files.create_router(),
        member_reports.create_router(),
        official_status.create_router(),
        official_digest.create_router(),
        fallback.create_router(),
    ]
