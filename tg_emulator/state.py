"""Data the emulator keeps: users, chats, the bot's messages, files, callback queries, statistics."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from tg_emulator.markup import Button, buttons_of


class ChangeSignal:
    """Wakes every waiter on each change; waiters re-check their condition, so nothing is missed."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Returns on the next change or after `seconds`, whichever comes first."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            return


@dataclass
class UserState:
    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool | None = None
    # Telegram lets a bot write only to users who wrote to it first.
    started: bool = False
    blocked: bool = False
    deactivated: bool = False

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def to_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code", "is_premium"):
            if (value := getattr(self, key)) is not None:
                user[key] = value
        return user

    def chat_api(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.user_id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if (value := getattr(self, key)) is not None:
                chat[key] = value
        return chat


FileKind = Literal["document", "photo", "voice", "sticker", "audio", "video"]


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: FileKind
    size: int
    content: bytes | None = field(default=None, repr=False)
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    file_path: str | None = None

    def read(self) -> bytes:
        # A file created from metadata alone ("claims 25 MB") downloads as zeros of the claimed size.
        return self.content if self.content is not None else bytes(self.size)

    def document_api(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name is not None:
            document["file_name"] = self.file_name
        if self.mime_type is not None:
            document["mime_type"] = self.mime_type
        return document

    def photo_size_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width or 0,
            "height": self.height or 0,
            "file_size": self.size,
        }


@dataclass
class SentMessage:
    """A message the bot sent, as tests see it; edits change it in place and keep the old versions."""

    message_id: int
    chat_id: int
    date: int
    text: str | None = None
    html: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    media_group_id: str | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    deleted: bool = False
    edits: list[SentMessage] = field(default_factory=list, repr=False)
    content: bytes | None = field(default=None, repr=False)

    @property
    def edited(self) -> bool:
        return bool(self.edits)

    @property
    def buttons(self) -> list[list[Button]]:
        return buttons_of(self.reply_markup)

    @property
    def body(self) -> str:
        """Text or caption, whichever the message has ("" for a bare file)."""
        return self.text if self.text is not None else self.caption or ""

    def snapshot(self) -> SentMessage:
        return dataclasses.replace(
            self,
            entities=list(self.entities),
            caption_entities=list(self.caption_entities),
            edits=list(self.edits),
        )


@dataclass(frozen=True)
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None
    cache_time: int = 0


@dataclass
class PendingCallback:
    query_id: str
    chat_id: int
    message_id: int
    data: str
    answer: CallbackAnswer | None = None


EventKind = Literal[
    "user_message",
    "user_click",
    "bot_message",
    "bot_edit",
    "bot_delete",
    "callback_answer",
    "blocked",
    "unblocked",
]


@dataclass(frozen=True)
class ChatEvent:
    """One line of a chat's history, in the order things happened."""

    kind: EventKind
    message: SentMessage | None = None
    user_message: dict[str, Any] | None = None
    detail: str = ""

    @property
    def from_bot(self) -> bool:
        return self.kind in ("bot_message", "bot_edit")


@dataclass
class ChatState:
    chat_id: int
    next_message_id: int = 1
    bot_messages: dict[int, SentMessage] = field(default_factory=dict)
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    log: list[ChatEvent] = field(default_factory=list)
    changed: ChangeSignal = field(default_factory=ChangeSignal)

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def record(self, event: ChatEvent) -> None:
        self.log.append(event)
        self.changed.notify()


@dataclass
class EmulatorStats:
    requests: Counter[str] = field(default_factory=Counter)
    sent_messages: int = 0
    edited_messages: int = 0
    rate_limited: int = 0
    errors: Counter[int] = field(default_factory=Counter)
    webhook_deliveries: int = 0
    webhook_failures: int = 0


@dataclass
class Fault:
    status: int
    remaining: int
    description: str | None = None
    retry_after: int | None = None
    # True: the call takes effect and only the answer is an error, like a response lost on the way back.
    after_handling: bool = False
