"""The unit of work of one update: its session, its repositories, its services, and when it commits.

Services and repositories never commit; the unit of work does, at three moments only:
- before the bot makes a Bot API request while handling the update (`commit`, called by the request
  middleware), so what the bot tells a person is already durable and no transaction stays open across
  a network round trip or a 429 wait;
- when the handler returns (`__aexit__` without an exception);
- never when the handler raises before its first request: the whole update rolls back.
Each commit first writes the dialog (FSM) changes the update made, and after it the outbox pump is woken
if the update queued messages (the outbox repository reports it through `on_enqueue`). A journaled
update (bot/delivery/update_journal.py) is taken (marked handled) in the same transaction as its effects
(`claim`): on PostgreSQL by the first commit, in one statement with the dialog's write, so that a dialog
step that writes nothing else is one statement, with no BEGIN and COMMIT (storage/lazy_begin.py).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.fsm import DialogChanges
from storage.models import Person
from storage.repositories import Repositories

ServicesFactory = Callable[[Repositories], Any]

# The one bridge from a Bot API request to the update that makes it: aiogram's request middlewares get
# the bot and the method, never the handler data. Set for the task handling an update, and only there
# (a task started from a handler inherits it, as it inherits the update's session).
_active: ContextVar[UnitOfWork | None] = ContextVar("active_unit_of_work", default=None)


class HandledElsewhere(Exception):
    """The update was no longer waiting in the journal at its first commit: handled already (by another
    process, or before Telegram sent it again). Nothing this unit of work did is committed, and the Bot
    API request that was about to go is not made."""

    def __init__(self, update_id: int) -> None:
        super().__init__(f"update {update_id} was handled by another process")
        self.update_id = update_id


def active_unit() -> UnitOfWork | None:
    """The unit of work of the update this task is handling, if any."""
    return _active.get()


class UnitOfWork:
    """`async with UnitOfWork(...) as uow`: commits on a clean exit, rolls back on an exception."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        services: ServicesFactory | None = None,
        on_outbox: Callable[[], None] | None = None,
    ) -> None:
        self.session: AsyncSession = session_factory()
        self.repo = Repositories(self.session, on_enqueue=self._enqueued)
        self.fsm = DialogChanges(self.session)
        self.services: Any = services(self.repo) if services is not None else None
        self._on_outbox = on_outbox
        self._outbox_rows = False
        self._token: Any = None
        self._callers: dict[int, Person | None] = {}
        self._journaled: int | None = None  # PostgreSQL: taken with the first commit (`claim`)
        self._take_sent = False

    async def claim(self, update_id: int) -> bool:
        """Takes a journaled update (marks it handled) as part of this unit of work; False if it was not
        waiting (handled already). On PostgreSQL the take goes with the first commit, in one statement
        with the dialog's write. On SQLite it is the first statement, as it always was: the one write
        lock, taken then, orders this update after every update still writing, and with no row locks in
        SQLite the read-then-write of, say, a review decision relies on that."""
        if self.session.get_bind().dialect.name == "postgresql":
            self._journaled = update_id
            return True
        return await self.repo.journal.take(update_id)

    @property
    def take_pending(self) -> bool:
        """Whether this unit of work is to take a journaled update at its first commit and has not yet
        tried to: if the update is no longer waiting in the journal now, someone else handled it."""
        return self._journaled is not None and not self._take_sent

    async def caller(self, telegram_id: int, dialog_key: str | None = None) -> Person | None:
        """The person writing (with the organization), read once per unit of work. Given the key of the
        update's dialog, its row comes in the same statement and the FSM storage reads no more."""
        if telegram_id in self._callers:
            return self._callers[telegram_id]
        if dialog_key is None or self.fsm.known(dialog_key):
            person = await self.repo.people.by_telegram_id(telegram_id)
        else:
            row = await self.repo.people.by_telegram_id_with_dialog(telegram_id, dialog_key)
            person = row.person if row is not None else None
            if row is not None:
                self.fsm.prime(dialog_key, row.dialog_state, row.dialog_data)
        self._callers[telegram_id] = person
        return person

    def _enqueued(self) -> None:
        self._outbox_rows = True

    async def commit(self) -> None:
        # The handler's own changes first: the journal's take and the dialog's write come last, so on
        # PostgreSQL they are one statement (and alone, when they are all the update writes).
        await self.session.flush()
        journaled = self._journaled
        self._take_sent = journaled is not None
        if not await self.fsm.write_back(journaled):
            assert journaled is not None
            raise HandledElsewhere(journaled)
        if self.session.in_transaction():
            await self.session.commit()
        self._journaled = None  # taken for good only now: a failed commit leaves it to be taken again
        if self._outbox_rows:
            self._outbox_rows = False
            if self._on_outbox is not None:
                self._on_outbox()

    async def __aenter__(self) -> UnitOfWork:
        self._token = _active.set(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _active.reset(self._token)
        try:
            if exc_type is None:
                await self.commit()
        finally:
            # Closing rolls back whatever was not committed: the changes of a failed update.
            await self.session.close()
