"""What the use cases need from the outside and do not build themselves.

The chat side implements `MessageRenderer` (TelegramRenderer, in the Telegram package's outgoing
module); the composition root hands one to the `Services` holder, the periodic jobs and the delivery
progress.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from bot.services.intents import BatchProgress, MessageIntent

# An outbox row as repositories.outbox.enqueue takes it (see bot/delivery/outgoing.Outgoing.row).
OutboxRow = dict[str, Any]


class MessageRenderer(Protocol):
    def rows(self, intents: Iterable[MessageIntent]) -> list[OutboxRow]:
        """Outbox rows for the intents, in order, each in its recipient's locale."""
        ...

    def progress_text(self, progress: BatchProgress) -> str:
        """The text of the admin's progress message of a batch."""
        ...
