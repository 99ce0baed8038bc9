"""Named leases in the `leases` table: at most one process at a time does what a lease guards.

The outbox pump and the scheduler's tick must run in one process only, even when several serve the
webhook. Each process keeps trying to take the lease "background"; the holder renews it well before it
expires, and if the holder dies without releasing it (SIGKILL, power loss), another process takes over
once it has expired — or at once, when the holder ran on the same machine and its process is gone (a
single bot restarted after a crash need not wait out the lease it left behind).

Times are wall-clock UTC from this machine, not the bot's injectable Clock: a lease coordinates real
processes in real time. Processes on several machines need their clocks in sync (NTP) to within a
small part of the TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Lease
from storage.upsert import insert_ignore

log = logging.getLogger(__name__)

BACKGROUND = "background"
DEFAULT_TTL = 15.0
DEFAULT_RENEW_EVERY = 5.0

Now = Callable[[], dt.datetime]
Hook = Callable[[], Awaitable[None]]


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@functools.cache
def process_scope() -> str:
    """Where a pid means one process: this kernel boot and this pid namespace (a container has its own).
    "-" where that cannot be known; such holders are only ever taken over on expiry."""
    try:
        boot_id = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return "-"
    return hashlib.sha256(f"{boot_id}/{namespace}".encode()).hexdigest()[:12]


# Holder ids made by this process: with our pid and not among these, a holder is an earlier life of it.
_MADE_HERE: set[str] = set()


def make_holder_id() -> str:
    """Unique per process start, and readable in the table: host, pid, process scope and a random tail."""
    holder = f"{socket.gethostname()[:60]}:{os.getpid()}:{process_scope()}:{uuid.uuid4().hex[:8]}"
    _MADE_HERE.add(holder)
    return holder


def holder_is_gone(holder: str) -> bool:
    """True only when `holder` is certainly a dead process: one of this scope whose pid is free now, or
    that had this very process's pid (so it is an earlier life of it). A reused pid only delays."""
    parts = holder.rsplit(":", 3)
    if len(parts) != 4 or not parts[1].isdigit():
        return False
    _host, pid_text, scope, _tail = parts
    if scope == "-" or scope != process_scope():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return holder not in _MADE_HERE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


async def try_acquire(
    session: AsyncSession, name: str, holder: str, ttl: dt.timedelta, now: dt.datetime
) -> bool:
    """Takes or renews the lease; True if `holder` holds it until now + ttl. The caller commits.

    The conditional UPDATE is the whole protocol: on PostgreSQL a concurrent UPDATE of the same row
    waits and then re-checks the WHERE against the winner's row, so two contenders cannot both see
    an expired lease; SQLite serialises writers outright."""
    expires = now + ttl

    async def take_if(*condition: ColumnElement[bool]) -> bool:
        result = await session.execute(
            update(Lease)
            .where(Lease.name == name, or_(*condition))
            .values(holder=holder, expires_at=expires)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    # The holder's renewal (every few seconds) is this one statement.
    if await take_if(Lease.holder == holder, Lease.expires_at < now):
        return True
    current = await current_holder(session, name)
    if current is not None:
        # Held by someone else and not expired: taken over only from a process certainly dead.
        if holder_is_gone(current[0]) and await take_if(Lease.holder == current[0]):
            log.info("lease %s: taken over from %s, a process of this machine that is gone", name, current[0])
            return True
        return False
    # No row yet (first start ever): whoever inserts first holds it; the others' inserts do nothing.
    inserted = await insert_ignore(
        session, Lease, [{"name": name, "holder": holder, "expires_at": expires}], ["name"]
    )
    return inserted == 1


async def release(session: AsyncSession, name: str, holder: str) -> bool:
    """Gives the lease up at once so a standby need not wait for the expiry. The caller commits."""
    result = await session.execute(
        delete(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def current_holder(session: AsyncSession, name: str) -> tuple[str, dt.datetime] | None:
    row = (await session.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name))).first()
    return (row[0], row[1]) if row is not None else None


class LeaseKeeper:
    """Keeps trying to hold lease `name`; runs `on_acquired` when it gets it and `on_lost` when it
    loses it, fails to renew it, or stops. `stop()` releases it after `on_lost` has finished."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        name: str,
        *,
        on_acquired: Hook,
        on_lost: Hook,
        holder: str | None = None,
        ttl: float = DEFAULT_TTL,
        renew_every: float = DEFAULT_RENEW_EVERY,
        now: Now = wall_clock,
    ) -> None:
        if not 0 < renew_every < ttl:
            raise ValueError("the lease must be renewed more often than it expires")
        self.session_factory = session_factory
        self.name = name
        self.holder = holder or make_holder_id()
        self.ttl = ttl
        self.renew_every = renew_every
        self.now = now
        self.on_acquired = on_acquired
        self.on_lost = on_lost
        self.held = False
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"lease-{self.name}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            # Not cancelled: on_lost must stop the pump between two sends, then the lease is released.
            await asyncio.shield(self._task)

    async def attempt(self) -> bool:
        async with self.session_factory() as session:
            ok = await try_acquire(
                session, self.name, self.holder, dt.timedelta(seconds=self.ttl), self.now()
            )
            await session.commit()
        return ok

    async def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    # A renewal slower than the interval is as good as a failed one: by the time it
                    # returned, the lease might have passed on.
                    ok = await asyncio.wait_for(self.attempt(), timeout=self.renew_every)
                except Exception as exc:
                    log.warning("lease %s: cannot take or renew it: %s", self.name, _first_line(exc))
                    ok = False
                if ok and not self.held:
                    await self._set_held(True)
                elif not ok and self.held:
                    log.warning("lease %s: lost; stopping what it guards", self.name)
                    await self._set_held(False)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=self.renew_every)
        finally:
            await self._shut_down()

    async def _set_held(self, held: bool) -> None:
        self.held = held
        if held:
            log.info("lease %s: acquired by %s", self.name, self.holder)
            try:
                await self.on_acquired()
            except Exception:
                log.exception("lease %s: starting what it guards failed", self.name)
        else:
            try:
                await self.on_lost()
            except Exception:
                log.exception("lease %s: stopping what it guards failed", self.name)

    async def _shut_down(self) -> None:
        if self.held:
            await self._set_held(False)
        try:
            # Bounded: with the database gone, a stop must not hang on it; the lease expires anyway.
            released = await asyncio.wait_for(self._release(), timeout=self.renew_every)
        except Exception as exc:
            # It expires on its own; a standby only waits a little longer.
            log.warning("lease %s: cannot release it: %s", self.name, _first_line(exc))
            return
        if released:
            log.info("lease %s: released by %s", self.name, self.holder)

    async def _release(self) -> bool:
        async with self.session_factory() as session:
            released = await release(session, self.name, self.holder)
            await session.commit()
        return released


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
