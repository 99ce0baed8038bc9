"""Telegram's two send limits as one object the whole process shares: ~30 messages/s overall (a token
bucket) and ~1 message/s to one chat (each chat's next send is scheduled after its previous one).

The outbox pump, the progress message and the bot's direct answers all take their tokens here, so a
burst of replies and a publication never add up to more than Telegram allows.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable, Iterator


class TokenBucket:
    def __init__(
        self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, burst if burst is not None else rate)
        self._tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Telegram said retry_after to everyone: nobody sends until then, and the bucket restarts empty."""
        until = self._clock() + seconds
        if until > self._paused_until:
            self._paused_until = until
            self._tokens = 0.0

    def _refill(self, now: float) -> None:
        start = max(self._updated, self._paused_until)
        if now > start:
            self._tokens = min(self.capacity, self._tokens + (now - start) * self.rate)
        self._updated = max(now, self._updated)

    def delay(self) -> float:
        """Seconds until a token is free, taking it if one is free now (0.0)."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        self._refill(now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate

    async def acquire(self) -> None:
        async with self._lock:
            # The wait is computed, not signalled: nothing but time frees a token.
            while (wait := self.delay()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)


# How often the pump looks again at a chat that a direct answer is on its way to.
ANSWER_RECHECK = 0.05
# Telegram counts arrivals, we count departures: network jitter can bring sends closer together at its
# end than they left ours. Keeping a few messages of the burst unused leaves Telegram's bucket that much
# ahead of ours, which absorbs about 100 ms of jitter at 30 messages/s.
JITTER_HEADROOM = 3.0


class SendLimiter:
    """The global bucket plus a per-chat schedule; `per_chat_interval` 0 turns the per-chat part off."""

    def __init__(
        self, rate: float, per_chat_interval: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.bucket = TokenBucket(rate, burst=max(1.0, rate - JITTER_HEADROOM), clock=clock)
        self.per_chat_interval = per_chat_interval
        self._clock = clock
        self._chat_ready: dict[int, float] = {}
        self._last_sent: dict[int, float] = {}
        self._answering: Counter[int] = Counter()

    async def acquire(self) -> None:
        await self.bucket.acquire()

    def pause(self, seconds: float) -> None:
        self.bucket.pause(seconds)

    @contextlib.contextmanager
    def answering(self, chat_id: int | None) -> Iterator[None]:
        """A direct answer is on its way to `chat_id` (429 waits included): the outbox holds that chat's
        messages back, so a person sees "Готово" before the messages their action queued."""
        if chat_id is None:
            yield
            return
        self._answering[chat_id] += 1
        try:
            yield
        finally:
            self._answering[chat_id] -= 1
            if not self._answering[chat_id]:
                del self._answering[chat_id]

    def chat_wait(self, chat_id: int) -> float:
        """Seconds before `chat_id` may get its next outbox message (0.0: now)."""
        wait = max(0.0, self._chat_ready.get(chat_id, 0.0) - self._clock())
        return max(wait, ANSWER_RECHECK) if chat_id in self._answering else wait

    def waiting_chats(self) -> dict[int, float]:
        """Chats the outbox must not send to yet, with the seconds left; forgets the ones that may."""
        now = self._clock()
        ready = {chat: at - now for chat, at in self._chat_ready.items() if at > now}
        if len(ready) < len(self._chat_ready):
            self._chat_ready = {chat: now + wait for chat, wait in ready.items()}
        return ready | {chat: max(ready.get(chat, 0.0), ANSWER_RECHECK) for chat in self._answering}

    def sent(self, chat_id: int) -> None:
        """A send to `chat_id` was answered: the next one waits a full interval from here. Counting from
        the answer, not the request, keeps two sends apart at Telegram's end whatever the latency."""
        now = self._clock()
        self._last_sent[chat_id] = now
        if len(self._last_sent) > 10_000:
            self._forget_old(now)
        self.defer_chat(chat_id, self.per_chat_interval)

    def defer_chat(self, chat_id: int, seconds: float) -> None:
        until = self._clock() + seconds
        if until > self._chat_ready.get(chat_id, 0.0):
            self._chat_ready[chat_id] = until

    def too_many_requests(self, chat_id: int | None, retry_after: float) -> bool:
        """Honours a 429 and says whether it was global. Telegram does not say which limit refused: one
        chat sent to within the per-chat interval is taken as that chat's limit and defers that chat only;
        otherwise nothing but the overall limit can explain it, and everyone pauses."""
        now = self._clock()
        recent = chat_id is not None and now - self._last_sent.get(chat_id, -1e9) < self.per_chat_interval
        if chat_id is not None:
            self.defer_chat(chat_id, retry_after)
        if recent:
            return False
        self.pause(retry_after)
        return True

    def _forget_old(self, now: float) -> None:
        horizon = max(self.per_chat_interval, 1.0) * 2
        self._last_sent = {chat: at for chat, at in self._last_sent.items() if now - at < horizon}
