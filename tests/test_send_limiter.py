"""The process-wide send limiter: the overall bucket, the per-chat schedule, and which 429 means whom."""

from __future__ import annotations

from bot.delivery.rate_limit import SendLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_chat_waits_its_interval_after_each_answered_send() -> None:
    clock = Clock()
    limiter = SendLimiter(rate=30, per_chat_interval=1.0, clock=clock)
    limiter.sent(1)
    assert limiter.chat_wait(1) == 1.0
    assert limiter.chat_wait(2) == 0.0
    clock.now += 0.4
    assert abs(limiter.waiting_chats()[1] - 0.6) < 1e-9
    clock.now += 0.6
    assert limiter.chat_wait(1) == 0.0
    assert limiter.waiting_chats() == {}


def test_a_429_right_after_a_send_to_that_chat_defers_that_chat_only() -> None:
    clock = Clock()
    limiter = SendLimiter(rate=30, per_chat_interval=1.0, clock=clock)
    limiter.sent(1)
    clock.now += 0.5
    assert limiter.too_many_requests(1, 3) is False
    assert limiter.chat_wait(1) == 3.0
    assert limiter.chat_wait(2) == 0.0
    assert limiter.bucket.delay() == 0.0  # everyone else goes on at once


def test_a_429_the_chat_limit_cannot_explain_pauses_everyone() -> None:
    clock = Clock()
    limiter = SendLimiter(rate=30, per_chat_interval=1.0, clock=clock)
    limiter.sent(1)
    clock.now += 5
    assert limiter.too_many_requests(1, 2) is True
    assert limiter.bucket.delay() == 2.0
    assert limiter.too_many_requests(None, 2) is True
    # Without a per-chat interval every 429 is the overall limit's.
    plain = SendLimiter(rate=30, per_chat_interval=0.0, clock=clock)
    plain.sent(1)
    assert plain.too_many_requests(1, 1) is True
