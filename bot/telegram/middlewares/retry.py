"""The bot's direct answers under Telegram's limits: a reply the person waits for is never given up on a 429.

Every message send and edit takes a token of the process-wide `SendLimiter` the outbox pump also uses,
so answers and a publication together stay within the overall limit. A 429 is honoured (the chat, or
everyone, waits `retry_after`) and the request goes again, for as long as `patience` allows: Telegram
always lets a patient sender through, so only an outage longer than that ends in an error. 5xx and
network errors get a few quick retries. The outbox pump has its own policy and a session without this.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.delivery.rate_limit import SendLimiter

log = logging.getLogger(__name__)

# Methods Telegram counts against the send limits; chat actions, callback answers and reads are free.
UNLIMITED = frozenset({"sendChatAction"})
LIMITED_PREFIXES = ("send", "editMessage", "copyMessage", "forwardMessage")


def is_limited(method: TelegramMethod[TelegramType]) -> bool:
    name = method.__api_method__
    return name.startswith(LIMITED_PREFIXES) and name not in UNLIMITED


def target_chat(method: TelegramMethod[TelegramType]) -> int | None:
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int) else None


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        limiter: SendLimiter | None = None,
        *,
        attempts: int = 4,
        patience: float = 300.0,
        base_delay: float = 0.3,
    ) -> None:
        self.limiter = limiter
        self.attempts = attempts
        self.patience = patience
        self.base_delay = base_delay

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if self.limiter is None or not is_limited(method):
            return await self._request(make_request, bot, method, None)
        with self.limiter.answering(target_chat(method)):
            return await self._request(make_request, bot, method, self.limiter)

    async def _request(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
        limiter: SendLimiter | None,
    ) -> Response[TelegramType]:
        chat_id = target_chat(method)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.patience
        failures = 0
        while True:
            if limiter is not None:
                await limiter.acquire()
            try:
                response = await make_request(bot, method)
            except TelegramRetryAfter as exc:
                delay: float = exc.retry_after
                if loop.time() + delay > deadline:
                    raise
                if limiter is not None:
                    limiter.too_many_requests(chat_id, exc.retry_after)
                log.info("%s: 429, waiting %ss", type(method).__name__, delay)
            except (TelegramServerError, TelegramNetworkError) as exc:
                failures += 1
                if failures >= self.attempts:
                    raise
                delay = self.base_delay * 2 ** (failures - 1)
                log.info("%s failed (%s); retry %d in %.1fs", type(method).__name__, exc, failures, delay)
            else:
                if limiter is not None and chat_id is not None:
                    limiter.sent(chat_id)
                return response
            await asyncio.sleep(delay)
