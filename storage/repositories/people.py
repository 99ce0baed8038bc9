from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, bindparam, case, or_, select, update
from sqlalchemy.orm import joinedload

from bot.domain import OrgKind, Role
from storage.models import FsmRecord, Organization, Person
from storage.repositories.base import Repository
from storage.repositories.reports import prefetch_target, with_target

# Built once, as every update runs one of them: a prebuilt statement is neither put together nor given a
# cache key again (SQLAlchemy memoizes both on the object).
_BY_TELEGRAM_ID = (
    select(Person)
    .options(joinedload(Person.organization))
    .where(Person.telegram_id == bindparam("telegram_id"))
)
_WITH_DIALOG: dict[str, Select[Any]] = {}


def _with_dialog(dialect: str) -> Select[Any]:
    """The person, the dialog's row, and when the dialog is a report (ReportDraft names its recommendation
    in the data) the report target as well: each of the dialog's steps after the first asks for it next.
    One per dialect, built on first use."""
    statement = _WITH_DIALOG.get(dialect)
    if statement is None:
        statement = _WITH_DIALOG[dialect] = with_target(
            select(Person, FsmRecord.state, FsmRecord.data)
            .select_from(Person)
            .outerjoin(FsmRecord, FsmRecord.key == bindparam("dialog_key"))
            .options(joinedload(Person.organization))
            .where(Person.telegram_id == bindparam("telegram_id")),
            Person.organization_id,
            _dialog_rec_id(dialect),
        )
    return statement


def _dialog_rec_id(dialect: str) -> ColumnElement[int]:
    """The recommendation the dialog's data names. This read is every update's first: PostgreSQL's cast,
    which fails on anything but an integer in range, is made only when the value is one (SQLite's never
    fails). Anything else names no recommendation."""
    rec_id = FsmRecord.data["rec_id"]
    if dialect != "postgresql":
        return rec_id.as_integer()
    return case((rec_id.as_string().regexp_match("^[0-9]{1,9}$"), rec_id.as_integer()))


class CallerRow(NamedTuple):
    person: Person
    dialog_state: str | None
    dialog_data: dict[str, Any] | None


class PersonRepo(Repository):
    async def by_telegram_id(self, telegram_id: int) -> Person | None:
        """The person with their organization, in one statement: every update needs both for its scope."""
        return await self.session.scalar(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})

    async def by_telegram_id_with_dialog(self, telegram_id: int, dialog_key: str) -> CallerRow | None:
        """`by_telegram_id` and the dialog (FSM) row of `dialog_key` in one statement: the two reads every
        update starts with. In a report dialog the report target comes with them, kept for the step's
        ReportRepo.target (prefetch_target). None when there is no such person (the dialog row is then
        not read)."""
        params = {"telegram_id": telegram_id, "dialog_key": dialog_key}
        # Every row (one per evidence item of the report) fills the report's evidence; they fold into one,
        # told apart by the person (the default uniqueness would hash the dialog's data, a dict).
        statement = _with_dialog(self.session.get_bind().dialect.name)
        rows = (await self.session.execute(statement, params)).unique(itemgetter(0)).all()
        if not rows:
            return None
        person, state, data, rec, report, own_deadline = rows[0]
        rec_id = data.get("rec_id") if isinstance(data, dict) else None
        if type(rec_id) is int:  # not a bool, which the database does not read as a number
            prefetch_target(self.session, person.organization, rec_id, rec, report, own_deadline)
        return CallerRow(person, state, data)

    async def get(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def add(
        self,
        telegram_id: int,
        full_name: str,
        role: Role,
        username: str | None = None,
        organization_id: int | None = None,
        language: str | None = None,
    ) -> Person:
        person = Person(
            telegram_id=telegram_id,
            full_name=full_name,
            role=role,
            username=username,
            organization_id=organization_id,
            language=language,
        )
        self.session.add(person)
        await self.session.flush()
        return person

    async def delete(self, person: Person) -> None:
        await self.session.delete(person)
        await self.session.flush()

    async def members_of(self, org_id: int) -> list[Person]:
        rows = await self.session.scalars(
            select(Person)
            .where(Person.organization_id == org_id, Person.role == Role.MEMBER)
            .order_by(Person.id)
        )
        return list(rows)

    async def with_role(self, role: Role) -> list[Person]:
        rows = await self.session.scalars(select(Person).where(Person.role == role).order_by(Person.id))
        return list(rows)

    async def by_telegram_ids(self, ids: Sequence[int]) -> list[Person]:
        if not ids:
            return []
        rows = await self.session.scalars(select(Person).where(Person.telegram_id.in_(ids)))
        return list(rows)

    async def everyone(self) -> list[Person]:
        return list(await self.session.scalars(select(Person).order_by(Person.id)))

    async def members_of_kinds(self, kinds: Sequence[OrgKind]) -> list[tuple[Person, Organization]]:
        rows = await self.session.execute(
            select(Person, Organization)
            .join(Organization, Person.organization_id == Organization.id)
            .where(
                Person.role == Role.MEMBER,
                Organization.kind.in_(kinds),
                Organization.is_active.is_(True),
            )
            .order_by(Person.id)
        )
        return [(p, o) for p, o in rows]

    async def mark_unreachable(self, telegram_id: int, when: dt.datetime) -> None:
        await self.session.execute(
            update(Person)
            .where(Person.telegram_id == telegram_id, Person.unreachable_since.is_(None))
            .values(unreachable_since=when)
        )

    async def unreachable(self) -> list[Person]:
        rows = await self.session.scalars(select(Person).where(Person.unreachable_since.is_not(None)))
        return list(rows)

    async def force_language(self, language: str) -> int:
        """Everyone reads `language` from now on (LOCALE forces one); how many people changed."""
        result = await self.session.execute(
            update(Person)
            .where(or_(Person.language.is_(None), Person.language != language))
            .values(language=language)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
