"""Updates of one chat are handled one at a time and in the order Telegram sent them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey


@dataclass
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0


class OrderedIsolation(BaseEventIsolation):
    """A fair in-process lock per chat, then the shared lock of several processes (if any).

    The click on «В работе» and the comment typed right after it must be handled in that order, or the
    comment meets a dialog still waiting for a status. Redis's lock is not fair: whichever of two tasks
    polls first wins it. asyncio.Lock wakes waiters in arrival order, and polling starts the tasks of
    one batch in update order, so taking it first keeps a chat's updates in sequence. Idle locks are
    dropped, so memory follows the chats in flight, not every chat ever seen.
    """

    def __init__(self, shared: BaseEventIsolation | None = None) -> None:
        self.shared = shared
        self._slots: dict[StorageKey, _Slot] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        slot.holders += 1
        try:
            async with slot.lock:
                if self.shared is None:
                    yield
                else:
                    async with self.shared.lock(key):
                        yield
        finally:
            slot.holders -= 1
            if slot.holders == 0:
                del self._slots[key]

    @property
    def chats_in_flight(self) -> int:
        return len(self._slots)

    async def close(self) -> None:
        if self.shared is not None:
            await self.shared.close()
