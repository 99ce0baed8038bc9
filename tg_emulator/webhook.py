"""Webhook mode: the emulator POSTs each update to the bot's URL, retrying failures like Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from tg_emulator.request_parsing import RequestParams, UploadedFile
from tg_emulator.state import EmulatorStats
from tg_emulator.updates import UpdateQueue

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Answering a webhook call with a method in the body is a Bot API feature; the emulator executes it.
ReplyMethodHandler = Callable[[str, RequestParams], Awaitable[None]]


@dataclass
class WebhookSettings:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.url)


class WebhookDeliverer:
    def __init__(
        self,
        queue: UpdateQueue,
        settings: WebhookSettings,
        stats: EmulatorStats,
        *,
        retries: int = 3,
        backoff: float = 0.05,
        request_timeout: float = 10.0,
    ) -> None:
        self.queue = queue
        self.settings = settings
        self.stats = stats
        self.retries = retries
        self.backoff = backoff
        self.request_timeout = request_timeout
        self.reply_handler: ReplyMethodHandler | None = None
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="emulator-webhook-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        while self.settings.active and not self.queue.closed:
            update = self.queue.peek()
            if update is None:
                await self.queue.changed.wait(1.0)
                continue
            await self._deliver(update)
            self.queue.remove(update["update_id"])

    async def _deliver(self, update: dict[str, Any]) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.request_timeout))
        headers = {"Content-Type": "application/json"}
        if self.settings.secret_token:
            headers[SECRET_HEADER] = self.settings.secret_token
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        error = "unknown error"
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                async with self._session.post(self.settings.url, data=body, headers=headers) as response:
                    if 200 <= response.status < 300:
                        self.stats.webhook_deliveries += 1
                        await self._run_reply_method(response)
                        return
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection error: {type(exc).__name__}: {exc}"
            log.info("webhook delivery of update %s failed: %s", update["update_id"], error)
        # Telegram would go on retrying for hours; tests need a bounded attempt, then the update is dropped.
        self.stats.webhook_failures += 1
        self.settings.last_error_date = int(time.time())
        self.settings.last_error_message = error

    async def _run_reply_method(self, response: aiohttp.ClientResponse) -> None:
        if self.reply_handler is None:
            return
        params = await _reply_params(response)
        method = params.string("method") if params is not None else None
        if params is not None and method:
            del params.values["method"]
            await self.reply_handler(method, params)


async def _reply_params(response: aiohttp.ClientResponse) -> RequestParams | None:
    """The method call in a webhook answer: JSON, or multipart form data as aiogram writes it."""
    if response.content_type == "multipart/form-data":
        params = RequestParams()
        reader = aiohttp.MultipartReader.from_response(response)
        while (part := await reader.next()) is not None:
            if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                continue
            content = await part.read()
            if part.filename is not None:
                params.files[part.name] = UploadedFile(part.name, part.filename, bytes(content))
            else:
                params.values[part.name] = bytes(content).decode(part.get_charset(default="utf-8"))
        return params
    try:
        body = json.loads(await response.read() or b"null")
    except ValueError:
        return None
    return RequestParams(body) if isinstance(body, dict) else None
