from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.domain import Role
from bot.domain.scope import ViewScope


class HasRole(Filter):
    """Passes when the identity middleware found one of the roles; otherwise the fallback router refuses."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, role: Role | None = None, **_: Any) -> bool:
        return role in self.roles


class HasScope(Filter):
    """Passes for those who supervise others' work: officials and admins (the region) and members of a
    municipal authority (their municipality). Handlers then take `scope` and pass it to the service."""

    async def __call__(self, event: TelegramObject, scope: ViewScope | None = None, **_: Any) -> bool:
        return scope is not None


class HasLocalScope(Filter):
    """Passes for members of a municipal authority only (a scope of one municipality): the screens made
    for them, such as their institutions with nobody registered."""

    async def __call__(self, event: TelegramObject, scope: ViewScope | None = None, **_: Any) -> bool:
        return scope is not None and not scope.is_region


ADMIN = HasRole(Role.ADMIN)
STAFF = HasRole(Role.ADMIN, Role.OFFICIAL)
MEMBER = HasRole(Role.MEMBER)
SUPERVISOR = HasScope()
MUNICIPAL_AUTHORITY = HasLocalScope()
