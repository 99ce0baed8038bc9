"""The Bot API's size limits and the send-rate limiter (token buckets on an injectable clock)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION = 256
MAX_KEYBOARD_BUTTONS = 100
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_DOCUMENT_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_PHOTO_UPLOAD_BYTES = 10 * 1024 * 1024
# Room above the largest upload for the other multipart fields; anything bigger is refused unread.
MAX_REQUEST_BYTES = MAX_DOCUMENT_UPLOAD_BYTES + 1024 * 1024

Clock = Callable[[], float]


@dataclass
class TokenBucket:
    """`rate` tokens per second, holding at most `capacity`; starts full like an idle bot's allowance."""

    rate: float
    capacity: float
    clock: Clock
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.capacity <= 0:
            raise ValueError("rate and capacity must be positive")
        self.tokens = self.capacity
        self.updated = self.clock()

    def _refill(self) -> None:
        now = self.clock()
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = max(self.updated, now)

    def wait_time(self, cost: float = 1.0) -> float:
        """Seconds until `cost` tokens are available (0.0 when they are now)."""
        self._refill()
        # A batch larger than the bucket (a 10-item album under burst 5) passes once the bucket is full,
        # leaving it in debt, instead of never passing at all.
        needed = min(cost, self.capacity)
        if self.tokens >= needed:
            return 0.0
        return (needed - self.tokens) / self.rate

    def consume(self, cost: float = 1.0) -> None:
        self._refill()
        self.tokens -= cost


def retry_after_seconds(wait: float) -> int:
    """Telegram answers whole seconds, never less than one."""
    return max(1, math.ceil(wait))


class SendRateLimiter:
    """Global and optional per-chat limits on message sends; `check` then `consume` so refusals are free.

    As at Telegram, a 429 is a penalty to honour, not a hint: a sender refused by the overall limit is
    refused everywhere until its `retry_after` has passed, and one refused by a chat's limit is refused
    in that chat (only) until then. A send during the penalty is refused again and changes nothing.
    """

    def __init__(
        self,
        rate_limit: float | None,
        burst: float | None = None,
        per_chat_rate: float | None = None,
        per_chat_burst: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.clock: Clock = clock or time.monotonic
        self.rate_limit = rate_limit
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst if per_chat_burst is not None else max(1.0, per_chat_rate or 1.0)
        self.global_bucket = (
            TokenBucket(rate_limit, burst if burst is not None else rate_limit, self.clock)
            if rate_limit is not None
            else None
        )
        self.chat_buckets: dict[int, TokenBucket] = {}
        self.blocked_until = 0.0
        self.chat_blocked_until: dict[int, float] = {}
        self.global_refusals = 0
        self.chat_refusals = 0

    def _chat_bucket(self, chat_id: int) -> TokenBucket | None:
        if self.per_chat_rate is None:
            return None
        bucket = self.chat_buckets.get(chat_id)
        if bucket is None:
            bucket = TokenBucket(self.per_chat_rate, self.per_chat_burst, self.clock)
            self.chat_buckets[chat_id] = bucket
        return bucket

    def check(self, chat_id: int, cost: int = 1) -> int | None:
        """None when the send may go now, else the `retry_after` Telegram would answer."""
        now = self.clock()
        blocked = max(self.blocked_until, self.chat_blocked_until.get(chat_id, 0.0))
        if now < blocked:
            return retry_after_seconds(blocked - now)
        if self.global_bucket is not None and (wait := self.global_bucket.wait_time(cost)) > 0:
            retry_after = retry_after_seconds(wait)
            self.blocked_until = now + retry_after
            self.global_refusals += 1
            return retry_after
        chat_bucket = self._chat_bucket(chat_id)
        if chat_bucket is not None and (wait := chat_bucket.wait_time(cost)) > 0:
            retry_after = retry_after_seconds(wait)
            self.chat_blocked_until[chat_id] = now + retry_after
            self.chat_refusals += 1
            return retry_after
        return None

    def consume(self, chat_id: int, cost: int = 1) -> None:
        for bucket in (self.global_bucket, self._chat_bucket(chat_id)):
            if bucket is not None:
                bucket.consume(cost)
