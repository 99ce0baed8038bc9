"""Keeps aiogram's parsed-response models alive, so they are built once per method and not per call."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

# aiogram parses every answer with `Response[method.__returning__]`. Pydantic caches such parametrized
# models only weakly, and a model class lives in reference cycles, so each garbage collection drops it
# and the next call rebuilds it: about 5 ms of schema building per API call, most of the bot's CPU per
# update (bench/updates.py). One strong reference per returning type keeps the cache entry alive.
_PINNED: dict[Any, type[Response[Any]]] = {}


class PinResponseTypes(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _PINNED:
            _PINNED[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
