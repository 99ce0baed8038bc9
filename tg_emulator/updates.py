"""The queue of unconfirmed updates and getUpdates' long poll over it."""

from __future__ import annotations

import asyncio
from typing import Any

from tg_emulator.errors import conflict
from tg_emulator.state import ChangeSignal

# What Telegram delivers when allowed_updates is an empty list or was never set.
_OPT_IN_ONLY = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    def __init__(self, first_update_id: int = 1) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = first_update_id
        self._allowed: frozenset[str] | None = None
        self._poll_generation = 0
        self.changed = ChangeSignal()
        self.closed = False

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def allowed_updates(self) -> frozenset[str] | None:
        return self._allowed

    def set_allowed(self, allowed: list[str] | None) -> None:
        """None keeps the previous setting, as Telegram does when the parameter is omitted."""
        if allowed is not None:
            self._allowed = frozenset(allowed) if allowed else None

    def is_allowed(self, update: dict[str, Any]) -> bool:
        kind = update_type(update)
        return kind not in _OPT_IN_ONLY if self._allowed is None else kind in self._allowed

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        self.changed.notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forgets updates below `offset`; a negative offset keeps only the last -offset updates."""
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [update for update in self._pending if update["update_id"] >= offset]

    def clear(self) -> None:
        self._pending.clear()

    def peek(self) -> dict[str, Any] | None:
        self._drop_unwanted()
        return self._pending[0] if self._pending else None

    def remove(self, update_id: int) -> None:
        self._pending = [update for update in self._pending if update["update_id"] != update_id]

    def _drop_unwanted(self) -> None:
        # Updates of types the bot did not ask for are never delivered, so they count as confirmed.
        self._pending = [update for update in self._pending if self.is_allowed(update)]

    def close(self) -> None:
        self.closed = True
        self.changed.notify()

    async def poll(self, offset: int | None, limit: int, hold: float) -> list[dict[str, Any]]:
        """Long poll: answers at once when updates are pending, else waits up to `hold` seconds."""
        if offset is not None:
            self.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        # A newer getUpdates terminates an older one still waiting, like two bot instances on one token.
        self.changed.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + hold
        while True:
            self._drop_unwanted()
            if self._poll_generation != generation:
                raise conflict(
                    "terminated by other getUpdates request; make sure that only one bot instance is running"
                )
            remaining = deadline - loop.time()
            if self._pending or remaining <= 0 or self.closed:
                return self._pending[:limit]
            await self.changed.wait(remaining)
