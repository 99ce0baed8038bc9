"""Building outbox rows: what to send, to whom, and the key that makes it unique."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram.types import InlineKeyboardMarkup


@dataclass(frozen=True)
class Outgoing:
    dedup_key: str
    chat_id: int
    text: str = ""
    reply_markup: InlineKeyboardMarkup | None = None
    person_id: int | None = None
    batch: str | None = None
    method: str = "sendMessage"
    # For documents and photos: a path in our own storage or a Telegram file_id, plus a caption.
    file_path: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": self.text, **self.extra}
        if self.reply_markup is not None:
            payload["reply_markup"] = self.reply_markup.model_dump(mode="json", exclude_none=True)
        if self.file_path:
            payload["file_path"] = self.file_path
        if self.file_id:
            payload["file_id"] = self.file_id
        if self.file_name:
            payload["file_name"] = self.file_name
        return {
            "dedup_key": self.dedup_key,
            "chat_id": self.chat_id,
            "person_id": self.person_id,
            "batch": self.batch,
            "method": self.method,
            "payload": payload,
        }
