"""The emulator's state and the operations API methods and personas share (who may be written to,
how a message is stored, how an update is queued)."""

from __future__ import annotations

import json
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from tg_emulator.api_objects import bot_message_api, bot_user_api, member_update_api
from tg_emulator.commands import CommandRegistry
from tg_emulator.errors import ApiError, bad_request, forbidden, too_many_requests
from tg_emulator.files import FileStore
from tg_emulator.limits import Clock, SendRateLimiter
from tg_emulator.request_parsing import RequestParams
from tg_emulator.state import (
    ChatEvent,
    ChatState,
    EmulatorStats,
    Fault,
    PendingCallback,
    SentMessage,
    UserState,
)
from tg_emulator.updates import UpdateQueue
from tg_emulator.webhook import WebhookDeliverer, WebhookSettings

RequestHook = Callable[[str, dict[str, Any]], Awaitable[None] | None]


def bot_id_from_token(token: str) -> int:
    head, separator, tail = token.partition(":")
    if not separator or not head.isdigit() or not tail:
        raise ValueError(f"not a bot token: {token!r} (expected '<digits>:<secret>')")
    return int(head)


class EmulatorEngine:
    def __init__(
        self,
        *,
        token: str,
        bot_username: str,
        bot_name: str,
        rate_limit: float | None,
        burst: float | None,
        per_chat_rate: float | None,
        per_chat_burst: float | None,
        poll_hold: float,
        clock: Clock | None,
        webhook_retries: int,
        webhook_backoff: float,
    ) -> None:
        self.token = token
        self.bot_id = bot_id_from_token(token)
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.clock: Clock = clock or time.monotonic
        self.limiter = SendRateLimiter(rate_limit, burst, per_chat_rate, per_chat_burst, self.clock)
        self.poll_hold = poll_hold
        self.users: dict[int, UserState] = {}
        self.chats: dict[int, ChatState] = {}
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.commands = CommandRegistry()
        # (setting, language code or chat id) → value, for descriptions, names and menu buttons.
        self.bot_settings: dict[tuple[str, str | int | None], Any] = {}
        self.callbacks: dict[str, PendingCallback] = {}
        self.stats = EmulatorStats()
        self.sent_log: list[tuple[float, int, int]] = []
        self.faults: dict[str, deque[Fault]] = {}
        self.on_request: RequestHook | None = None
        self.webhook = WebhookSettings()
        self.deliverer = WebhookDeliverer(
            self.updates, self.webhook, self.stats, retries=webhook_retries, backoff=webhook_backoff
        )
        self._send_keys: set[str] = set()
        self._duplicates = 0
        self._media_groups = 0

    # -- identities -------------------------------------------------------------------------------

    @property
    def bot_user(self) -> dict[str, Any]:
        return bot_user_api(self.bot_id, self.bot_name, self.bot_username)

    @staticmethod
    def now() -> int:
        return int(time.time())

    def add_user(self, user: UserState) -> None:
        if user.user_id in self.users or user.user_id == self.bot_id:
            raise ValueError(f"user {user.user_id} already exists")
        self.users[user.user_id] = user
        self.chats[user.user_id] = ChatState(user.user_id)

    def chat(self, chat_id: int) -> ChatState:
        return self.chats[chat_id]

    # -- who may be written to ----------------------------------------------------------------------

    def chat_id_param(self, params: RequestParams) -> int:
        raw = params.string("chat_id")
        if not raw:
            raise bad_request("chat_id is empty")
        try:
            return int(raw)
        except ValueError:
            # Only channels and groups have @usernames as chat ids; every emulated chat is private.
            raise bad_request("chat not found") from None

    def known_user(self, chat_id: int) -> UserState:
        user = self.users.get(chat_id)
        if user is None:
            raise bad_request("chat not found")
        return user

    def writable_user(self, chat_id: int) -> UserState:
        user = self.known_user(chat_id)
        if user.deactivated:
            raise forbidden("user is deactivated")
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        if not user.started:
            raise forbidden("bot can't initiate conversation with a user")
        return user

    def check_rate(self, chat_id: int, cost: int = 1) -> None:
        retry_after = self.limiter.check(chat_id, cost)
        if retry_after is not None:
            raise too_many_requests(retry_after)
        self.limiter.consume(chat_id, cost)

    def reply_target(self, chat_id: int, params: RequestParams) -> int | None:
        """The message being replied to, from `reply_parameters` or the older `reply_to_message_id`."""
        reply = params.json("reply_parameters", "reply parameters")
        allow_missing = params.boolean("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        else:
            message_id = params.integer("reply_to_message_id")
        if message_id is None:
            return None
        chat = self.chat(chat_id)
        exists = message_id in chat.user_messages or (
            message_id in chat.bot_messages and not chat.bot_messages[message_id].deleted
        )
        if exists:
            return int(message_id)
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")

    # -- the bot's messages ----------------------------------------------------------------------

    def new_bot_message(self, chat_id: int, **fields: Any) -> SentMessage:
        chat = self.chat(chat_id)
        return SentMessage(message_id=chat.allocate_message_id(), chat_id=chat_id, date=self.now(), **fields)

    def next_media_group_id(self) -> str:
        self._media_groups += 1
        return f"{13_000_000_000_000_000 + self._media_groups}"

    def commit_sent(self, message: SentMessage) -> None:
        chat = self.chat(message.chat_id)
        chat.bot_messages[message.message_id] = message
        self.stats.sent_messages += 1
        self.sent_log.append((self.clock(), message.chat_id, message.message_id))
        key = json.dumps(
            [message.chat_id, message.body, message.reply_markup], sort_keys=True, ensure_ascii=False
        )
        if key in self._send_keys:
            self._duplicates += 1
        self._send_keys.add(key)
        chat.record(ChatEvent("bot_message", message=message.snapshot()))

    def commit_edit(self, message: SentMessage, **changes: Any) -> None:
        previous = message.snapshot()
        previous.edits = []
        message.edits.append(previous)
        for name, value in changes.items():
            setattr(message, name, value)
        message.edit_date = self.now()
        self.stats.edited_messages += 1
        self.chat(message.chat_id).record(ChatEvent("bot_edit", message=message.snapshot()))

    def duplicates(self) -> int:
        return self._duplicates

    def bot_message_or_error(self, chat_id: int, message_id: int, missing: str) -> SentMessage:
        chat = self.chat(chat_id)
        message = chat.bot_messages.get(message_id)
        if message is None or message.deleted:
            if message_id in chat.user_messages:
                raise bad_request("message can't be edited")
            raise bad_request(missing)
        return message

    def message_api(self, message: SentMessage) -> dict[str, Any]:
        reply_to = None
        if message.reply_to_message_id is not None:
            reply_to = self.stored_message_api(message.chat_id, message.reply_to_message_id, nested=False)
        chat = self.users[message.chat_id].chat_api()
        return bot_message_api(message, chat=chat, bot_user=self.bot_user, reply_to=reply_to)

    def stored_message_api(
        self, chat_id: int, message_id: int, *, nested: bool = True
    ) -> dict[str, Any] | None:
        """Any message of the chat as an API object; a replied-to message carries no reply of its own."""
        chat = self.chat(chat_id)
        if message_id in chat.user_messages:
            message = dict(chat.user_messages[message_id])
            if not nested:
                message.pop("reply_to_message", None)
            return message
        bot_message = chat.bot_messages.get(message_id)
        if bot_message is None or bot_message.deleted:
            return None
        if nested:
            return self.message_api(bot_message)
        return bot_message_api(bot_message, chat=self.users[chat_id].chat_api(), bot_user=self.bot_user)

    # -- updates from users ----------------------------------------------------------------------

    def push_user_message(
        self, user: UserState, content: dict[str, Any], *, reply_to: int | None = None
    ) -> dict[str, Any]:
        chat = self.chat(user.user_id)
        message: dict[str, Any] = {
            "message_id": chat.allocate_message_id(),
            "from": user.to_api(),
            "chat": user.chat_api(),
            "date": self.now(),
            **content,
        }
        if reply_to is not None:
            replied = self.stored_message_api(user.user_id, reply_to, nested=False)
            if replied is None:
                raise AssertionError(f"message {reply_to} does not exist in the chat with {user.user_id}")
            message["reply_to_message"] = replied
        user.started = True
        chat.user_messages[message["message_id"]] = message
        chat.record(ChatEvent("user_message", user_message=message))
        self.updates.push("message", message)
        return message

    def push_callback(self, user: UserState, message: SentMessage, data: str, label: str) -> str:
        query_id = str(secrets.randbits(63))
        self.callbacks[query_id] = PendingCallback(query_id, user.user_id, message.message_id, data)
        payload = {
            "id": query_id,
            "from": user.to_api(),
            "message": self.message_api(message),
            # Stable per chat, as Telegram's is; the value itself means nothing.
            "chat_instance": str((user.user_id * 7919 + self.bot_id) % 10**18),
            "data": data,
        }
        self.chat(user.user_id).record(ChatEvent("user_click", message=message.snapshot(), detail=label))
        self.updates.push("callback_query", payload)
        return query_id

    def push_member_change(self, user: UserState, *, blocked: bool) -> None:
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        payload = member_update_api(user, self.bot_user, old_status=old, new_status=new, date=self.now())
        self.chat(user.user_id).record(ChatEvent("blocked" if blocked else "unblocked"))
        self.updates.push("my_chat_member", payload)

    # -- fault injection -------------------------------------------------------------------------

    def take_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault

    def record_error(self, error: ApiError) -> None:
        self.stats.errors[error.status] += 1
        if error.status == 429:
            self.stats.rate_limited += 1
