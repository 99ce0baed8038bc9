"""A test's stand-in for a Telegram user: sends messages, clicks buttons, waits for the bot's replies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tg_emulator.entities import detect_auto_entities, utf16_len
from tg_emulator.files import guess_mime_type
from tg_emulator.limits import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH
from tg_emulator.markup import find_button
from tg_emulator.state import CallbackAnswer, ChatState, SentMessage, StoredFile, UserState
from tg_emulator.transcript import render_transcript

if TYPE_CHECKING:
    from tg_emulator.engine import EmulatorEngine

MessagePredicate = Callable[[SentMessage], bool]
# ("photo", bytes) or ("document", (file_name, bytes))
AlbumItem = tuple[str, bytes | tuple[str, bytes]]
_TRANSCRIPT_TAIL = 20


class Persona:
    """One private chat with the bot, seen from the user's side."""

    def __init__(self, engine: EmulatorEngine, user: UserState) -> None:
        self._engine = engine
        self._user = user
        # Index into the chat log where the persona's last action happened; expect() looks after it.
        self._cursor = 0
        self._consumed: set[int] = set()
        self._last_query_id: str | None = None

    def __repr__(self) -> str:
        return f"Persona({self.user_id}, {self.name!r})"

    # -- who ------------------------------------------------------------------------------------

    @property
    def user_id(self) -> int:
        return self._user.user_id

    @property
    def chat_id(self) -> int:
        return self._user.user_id

    @property
    def name(self) -> str:
        return self._user.display_name

    @property
    def user(self) -> UserState:
        return self._user

    @property
    def started(self) -> bool:
        return self._user.started

    @property
    def blocked(self) -> bool:
        return self._user.blocked

    @property
    def _chat(self) -> ChatState:
        return self._engine.chat(self.user_id)

    # -- what the bot sent ------------------------------------------------------------------------

    @property
    def messages(self) -> list[SentMessage]:
        """Every message the bot sent here, in order; edited ones show their latest version, deleted
        ones stay with `deleted=True`."""
        return list(self._chat.bot_messages.values())

    @property
    def last_message(self) -> SentMessage | None:
        visible = [message for message in self.messages if not message.deleted]
        return visible[-1] if visible else None

    def transcript(self) -> str:
        return render_transcript(self._chat.log, self.name)

    # -- acting ------------------------------------------------------------------------------------

    def _ensure_can_act(self) -> None:
        if self._user.blocked:
            raise AssertionError(f"{self.name} has blocked the bot; call unblock() first")

    def _mark_action(self) -> None:
        self._cursor = len(self._chat.log)
        self._consumed.clear()

    async def _push(
        self, content: dict[str, Any], reply_to: SentMessage | int | None = None
    ) -> dict[str, Any]:
        self._ensure_can_act()
        self._mark_action()
        reply_id = reply_to.message_id if isinstance(reply_to, SentMessage) else reply_to
        message = self._engine.push_user_message(self._user, content, reply_to=reply_id)
        # Let the server hand the update to a waiting long poll before the test carries on.
        await asyncio.sleep(0)
        return message

    @staticmethod
    def _text_fields(text: str, key: str = "text") -> dict[str, Any]:
        fields: dict[str, Any] = {key: text}
        if entities := detect_auto_entities(text):
            fields["entities" if key == "text" else "caption_entities"] = entities
        return fields

    def _caption_fields(self, caption: str | None) -> dict[str, Any]:
        if caption is None:
            return {}
        if utf16_len(caption) > MAX_CAPTION_LENGTH:
            raise ValueError(f"a caption holds at most {MAX_CAPTION_LENGTH} characters")
        return self._text_fields(caption, "caption")

    async def send(self, text: str, *, reply_to: SentMessage | int | None = None) -> dict[str, Any]:
        """Sends a text message (commands get their bot_command entity) and returns it as the bot sees it."""
        if not text.strip() or utf16_len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"a user message holds 1–{MAX_TEXT_LENGTH} characters")
        return await self._push(self._text_fields(text), reply_to)

    async def start(self, payload: str | None = None) -> dict[str, Any]:
        return await self.send(f"/start {payload}" if payload else "/start")

    def _document(
        self, file_name: str, content: bytes | None, mime_type: str | None, size: int | None
    ) -> StoredFile:
        if content is None and size is None:
            raise ValueError("give the document's content or at least its size")
        return self._engine.files.add(
            "document",
            content=content,
            size=size,
            file_name=file_name,
            mime_type=mime_type or guess_mime_type(file_name),
        )

    async def send_document(
        self,
        file_name: str,
        content: bytes | None = None,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        size: int | None = None,
        reply_to: SentMessage | int | None = None,
    ) -> dict[str, Any]:
        """Uploads a document; with `size` alone it is metadata only (a file that claims that size)."""
        stored = self._document(file_name, content, mime_type, size)
        return await self._push(
            {"document": stored.document_api(), **self._caption_fields(caption)}, reply_to
        )

    async def send_photo(
        self,
        content: bytes,
        *,
        caption: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> dict[str, Any]:
        sizes = self._engine.files.add_photo(content, width=width, height=height)
        photo = [size.photo_size_api() for size in sizes]
        return await self._push({"photo": photo, **self._caption_fields(caption)})

    async def send_album(
        self, items: Sequence[AlbumItem], *, caption: str | None = None
    ) -> list[dict[str, Any]]:
        """Several messages sharing one media_group_id, the caption on the first, as clients send them."""
        if not 2 <= len(items) <= 10:
            raise ValueError("an album holds 2–10 items")
        group_id = self._engine.next_media_group_id()
        sent: list[dict[str, Any]] = []
        for index, (kind, payload) in enumerate(items):
            if kind == "photo" and isinstance(payload, bytes):
                sizes = self._engine.files.add_photo(payload)
                content: dict[str, Any] = {"photo": [size.photo_size_api() for size in sizes]}
            elif kind == "document" and isinstance(payload, tuple):
                file_name, data = payload
                content = {"document": self._document(file_name, data, None, None).document_api()}
            else:
                raise ValueError(
                    f"album items are ('photo', bytes) or ('document', (name, bytes)), not {kind!r}"
                )
            content["media_group_id"] = group_id
            if index == 0:
                content.update(self._caption_fields(caption))
            sent.append(await self._push(content))
        return sent

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        stored = self._engine.files.add("sticker", content=emoji.encode() * 64, width=512, height=512)
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.size,
        }
        return await self._push({"sticker": sticker})

    async def send_voice(self, content: bytes = b"OggS\x00voice", *, duration: int = 2) -> dict[str, Any]:
        stored = self._engine.files.add("voice", content=content, mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        return await self._push({"voice": voice})

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        return await self._push({"location": {"latitude": latitude, "longitude": longitude}})

    async def send_contact(self, phone_number: str, *, first_name: str | None = None) -> dict[str, Any]:
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or self._user.first_name,
            "user_id": self.user_id,
        }
        return await self._push({"contact": contact})

    def _live_message(self, message: SentMessage | int) -> SentMessage:
        message_id = message.message_id if isinstance(message, SentMessage) else message
        live = self._chat.bot_messages.get(message_id)
        if live is None or live.deleted:
            raise AssertionError(f"the bot has no message {message_id} in the chat with {self.name}")
        return live

    async def _push_click(self, live: SentMessage, data: str, label: str) -> str:
        self._ensure_can_act()
        self._mark_action()
        self._last_query_id = self._engine.push_callback(self._user, live, data, label)
        await asyncio.sleep(0)
        return self._last_query_id

    async def click(self, message: SentMessage | int, button: str) -> str:
        """Presses the inline button labelled `button` (or uniquely containing it); returns the query id."""
        live = self._live_message(message)
        found = find_button(live.reply_markup, button)
        if "callback_data" not in found:
            raise AssertionError(f"button {found['text']!r} has no callback_data (it is {found})")
        return await self._push_click(live, found["callback_data"], found["text"])

    async def click_data(self, message: SentMessage | int, data: str) -> str:
        """Sends a callback query with arbitrary data for that message, as a forged client could."""
        return await self._push_click(self._live_message(message), data, f"forged: {data}")

    # -- waiting ---------------------------------------------------------------------------------

    def _describe(self, contains: str | None, predicate: MessagePredicate | None) -> str:
        parts = [f"containing {contains!r}"] if contains is not None else []
        if predicate is not None:
            parts.append("matching the predicate")
        return " and ".join(parts) or "at all"

    def _timeout_error(self, what: str, timeout: float) -> AssertionError:
        recent = render_transcript(self._chat.log[-_TRANSCRIPT_TAIL:], self.name) or "(nothing yet)"
        return AssertionError(f"{self.name}: no {what} within {timeout} s. Recent conversation:\n{recent}")

    async def expect(
        self,
        contains: str | None = None,
        *,
        predicate: MessagePredicate | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the failure is an AssertionError with the transcript
    ) -> SentMessage:
        """The first bot message or edit here since the persona's last action that contains `contains`
        (in its text, caption or file name) and satisfies `predicate`; each is returned only once.

        Returns the message as it was at that moment (a snapshot); later edits show in `messages`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        chat = self._chat
        while True:
            for index in range(self._cursor, len(chat.log)):
                event = chat.log[index]
                if index in self._consumed or not event.from_bot or event.message is None:
                    continue
                if _matches(event.message, contains, predicate):
                    self._consumed.add(index)
                    return event.message
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise self._timeout_error(f"bot message {self._describe(contains, predicate)}", timeout)
            await chat.changed.wait(remaining)

    async def expect_callback_answer(self, timeout: float = 5.0) -> CallbackAnswer:  # noqa: ASYNC109
        """How the bot answered the persona's last click (answerCallbackQuery)."""
        if self._last_query_id is None:
            raise AssertionError(f"{self.name} has not clicked anything yet")
        pending = self._engine.callbacks[self._last_query_id]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while pending.answer is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise self._timeout_error("answer to the last button click", timeout)
            await self._chat.changed.wait(remaining)
        return pending.answer

    # -- relationship with the bot ------------------------------------------------------------------

    def block(self) -> None:
        """Blocks the bot: sends to this chat fail with 403 and the bot gets a my_chat_member update."""
        if not self._user.blocked:
            self._user.blocked = True
            self._mark_action()
            self._engine.push_member_change(self._user, blocked=True)

    def unblock(self) -> None:
        if self._user.blocked:
            self._user.blocked = False
            self._mark_action()
            self._engine.push_member_change(self._user, blocked=False)

    def deactivate(self) -> None:
        """The account is deleted: sends fail with 403 "user is deactivated"."""
        self._user.deactivated = True


def _matches(message: SentMessage, contains: str | None, predicate: MessagePredicate | None) -> bool:
    if contains is not None:
        file_name = (message.document or {}).get("file_name", "")
        if contains not in message.body and contains not in file_name:
            return False
    return predicate is None or predicate(message)
