"""Who may do what: roles come from the database, admins also from ADMIN_IDS."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Role
from bot.domain.errors import DomainError
from storage.models import Person
from storage.repositories import Repositories


def effective_role(person: Person | None, telegram_id: int, admin_ids: frozenset[int]) -> Role | None:
    if telegram_id in admin_ids:
        return Role.ADMIN
    if person is None:
        return None
    if person.role is Role.MEMBER and person.organization_id is None:
        return None
    return person.role


@dataclass(frozen=True)
class RoleChange:
    person: Person
    role: Role | None


@dataclass(frozen=True)
class GrantWarning:
    """A grant that would take a member away from her organization: nothing changed, ask first."""

    person: Person
    role: Role
    organization: str


class RoleService:
    GRANTABLE = (Role.ADMIN, Role.OFFICIAL)

    def __init__(self, repo: Repositories, admin_ids: frozenset[int]) -> None:
        self.repo = repo
        self.admin_ids = admin_ids

    async def grant(self, telegram_id: int, role: Role, confirmed: bool = False) -> RoleChange | GrantWarning:
        """Grant a role; a member of an organization leaves it, so unless `confirmed` that is a warning."""
        if role not in self.GRANTABLE:
            raise DomainError("roles.not_grantable")
        person = await self.repo.people.by_telegram_id(telegram_id)
        if person is None:
            raise DomainError("roles.unknown_person", telegram_id=telegram_id)
        if person.organization_id is not None and not confirmed:
            organization = await self.repo.orgs.get(person.organization_id)
            return GrantWarning(person, role, organization.name if organization else "")
        person.role = role
        person.organization_id = None
        await self.repo.session.flush()
        return RoleChange(person, role)

    async def revoke(self, telegram_id: int) -> RoleChange:
        if telegram_id in self.admin_ids:
            raise DomainError("roles.env_admin", telegram_id=telegram_id)
        person = await self.repo.people.by_telegram_id(telegram_id)
        if person is None or person.role not in self.GRANTABLE:
            raise DomainError("roles.nothing_to_revoke", telegram_id=telegram_id)
        person.role = Role.MEMBER
        person.organization_id = None
        await self.repo.session.flush()
        return RoleChange(person, None)

    async def remember(
        self, telegram_id: int, full_name: str, username: str | None, language: str | None
    ) -> Person:
        """Keep a record of anyone who started the bot, so an admin can grant them a role by id."""
        person = await self.repo.people.by_telegram_id(telegram_id)
        if person is None:
            role = Role.ADMIN if telegram_id in self.admin_ids else Role.MEMBER
            return await self.repo.people.add(telegram_id, full_name, role, username, None, language)
        person.full_name = full_name
        person.username = username
        person.unreachable_since = None
        return person
