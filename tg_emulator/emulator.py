"""BotAPIEmulator: a local Telegram Bot API server for tests, and how to point aiogram at it."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, Self

from aiohttp import web

from tg_emulator.commands import scope_key
from tg_emulator.dispatch import call_method
from tg_emulator.engine import EmulatorEngine, RequestHook
from tg_emulator.limits import Clock
from tg_emulator.personas import Persona
from tg_emulator.request_parsing import RequestParams
from tg_emulator.server import build_app
from tg_emulator.state import EmulatorStats, Fault, UserState

if TYPE_CHECKING:
    # aiogram takes seconds to import; the standalone server does not need it at all.
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession


class BotAPIEmulator:
    """Serves the Bot API over real HTTP on 127.0.0.1; use as `async with BotAPIEmulator(...) as emu`."""

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_username: str = "test_bot",
        bot_name: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: float | None = 30.0,
        burst: float | None = None,
        per_chat_rate: float | None = None,
        per_chat_burst: float | None = None,
        poll_hold: float = 1.0,
        clock: Clock | None = None,
        webhook_retries: int = 3,
        webhook_backoff: float = 0.05,
    ) -> None:
        self.engine = EmulatorEngine(
            token=token,
            bot_username=bot_username,
            bot_name=bot_name or bot_username.removesuffix("_bot").replace("_", " ").title() or "Bot",
            rate_limit=rate_limit,
            burst=burst,
            per_chat_rate=per_chat_rate,
            per_chat_burst=per_chat_burst,
            poll_hold=poll_hold,
            clock=clock,
            webhook_retries=webhook_retries,
            webhook_backoff=webhook_backoff,
        )
        self.engine.deliverer.reply_handler = self._run_webhook_reply
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._personas: dict[int, Persona] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        self.engine.updates.closed = False
        # A short shutdown timeout: a held long poll must not delay the end of a test.
        runner = web.AppRunner(build_app(self.engine), shutdown_timeout=0.5, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self._base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        self.engine.updates.close()
        await self.engine.deliverer.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- connecting a bot -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the emulator is not running; use `async with BotAPIEmulator(...)`")
        return self._base_url

    @property
    def token(self) -> str:
        return self.engine.token

    @property
    def bot_id(self) -> int:
        return self.engine.bot_id

    def session(self, **session_kwargs: Any) -> AiohttpSession:
        return emulator_session(self, **session_kwargs)

    def create_bot(self, **bot_kwargs: Any) -> Bot:
        """An aiogram Bot talking to this emulator (remember to close its session)."""
        from aiogram import Bot

        return Bot(self.token, session=self.session(), **bot_kwargs)

    # -- users -----------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_premium: bool | None = None,
        started: bool = False,
    ) -> Persona:
        """A Telegram user the bot can meet; `started=True` as if they had written to the bot before."""
        user = UserState(
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
            started=started,
        )
        self.engine.add_user(user)
        persona = Persona(self.engine, user)
        self._personas[user_id] = persona
        return persona

    def find_user(self, user_id: int) -> Persona | None:
        return self._personas.get(user_id)

    @property
    def users(self) -> Mapping[int, Persona]:
        return MappingProxyType(self._personas)

    # -- observation -------------------------------------------------------------------------------

    @property
    def stats(self) -> EmulatorStats:
        return self.engine.stats

    @property
    def sent_log(self) -> list[tuple[float, int, int]]:
        """(clock time, chat_id, message_id) of every successful send, in order."""
        return self.engine.sent_log

    def duplicates(self) -> int:
        """Successful sends that repeated an earlier (chat_id, text or caption, reply_markup) exactly."""
        return self.engine.duplicates()

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.engine.files.get(file_id)
        if stored is None:
            raise KeyError(f"no file with file_id {file_id!r}")
        return stored.read()

    def commands_for(
        self,
        scope_type: str = "default",
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
        language_code: str = "",
    ) -> list[dict[str, str]]:
        """The commands a user would see in that scope, falling back like Telegram
        (chat → all_private_chats → default)."""
        scope: dict[str, Any] = {"type": scope_type}
        if chat_id is not None:
            scope["chat_id"] = chat_id
        if user_id is not None:
            scope["user_id"] = user_id
        return self.engine.commands.resolve(scope_key(scope), language_code)

    @property
    def webhook_url(self) -> str:
        return self.engine.webhook.url

    @property
    def pending_updates(self) -> int:
        return self.engine.updates.pending_count

    # -- fault injection -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 500,
        count: int = 1,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        after_handling: bool = False,
    ) -> None:
        """The next `count` calls of `method` fail with `status`. With `after_handling=True` each call
        still takes effect and only its answer is lost, the window in which a sender cannot know."""
        if count < 1:
            raise ValueError("count must be at least 1")
        fault = Fault(status, count, description, retry_after, after_handling)
        self.engine.faults.setdefault(method.lower(), deque()).append(fault)

    @property
    def on_request(self) -> RequestHook | None:
        """Called with (method, params) before each API call is handled; may be async. An exception in
        it answers the call with 500."""
        return self.engine.on_request

    @on_request.setter
    def on_request(self, hook: RequestHook | None) -> None:
        self.engine.on_request = hook

    # -- internals ---------------------------------------------------------------------------------

    async def _run_webhook_reply(self, method: str, params: RequestParams) -> None:
        await call_method(self.engine, method, params)

    async def wait_idle(self, timeout: float = 5.0) -> bool:  # noqa: ASYNC109 - a deadline, not a cancel
        """True once every queued update has been taken by the bot (polled or delivered)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.engine.updates.pending_count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await self.engine.updates.changed.wait(min(remaining, 0.05))
        return True


def emulator_session(emulator: BotAPIEmulator, **session_kwargs: Any) -> AiohttpSession:
    """An aiogram session whose every call goes to the emulator instead of api.telegram.org."""
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    return AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url), **session_kwargs)
