"""Webhook mode: an aiohttp server Telegram POSTs updates to, with health and readiness endpoints.

Several processes may serve the same webhook URL behind a reverse proxy: updates go to whichever
process the proxy picks, and the "background" lease (bot/leases.py) keeps the outbox pump and the
scheduler in one of them.

Shutdown on SIGTERM/SIGINT: stop listening, let the HTTP requests in hand finish, wait for the update
handlers already running (aiogram answers Telegram before the handler ends), then the Runtime closes
the pump, the lease, the bot sessions and the engine. The webhook itself is left registered: another
process may still be serving it, and Telegram keeps the updates while nobody answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import signal
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from sqlalchemy import text

from bot.config import ConfigError, Settings
from bot.delivery.update_journal import JOURNALED, UpdateJournal
from bot.runtime.logs import log_context
from bot.texts.i18n import translator
from bot.web.app import add_dashboard_routes

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from bot.domain.clock import Clock
    from bot.runtime.app import Runtime

log = logging.getLogger(__name__)

# Telegram's own rule for secret_token: 1–256 characters of A-Z, a-z, 0-9, _ and -.
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Ceilings for a stop (with the pump's own 10 s, within deploy/'s 45 s): an orderly stop takes a fraction.
HTTP_GRACE = 5.0
HANDLER_GRACE = 20.0
CHECK_TIMEOUT = 3.0


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram must echo in X-Telegram-Bot-Api-Secret-Token; without it anyone who finds the
    URL could post forged updates, so webhook mode refuses to start without one."""
    t = translator(settings.default_locale)
    secret = settings.webhook_secret.get_secret_value().strip() if settings.webhook_secret else ""
    if not secret:
        raise ConfigError(t.plain("webhook.secret_missing"))
    if not _SECRET_RE.fullmatch(secret):
        raise ConfigError(t.plain("webhook.secret_bad"))
    return secret


def check_webhook_settings(settings: Settings) -> None:
    """Raises ConfigError before anything is opened, so a mistake costs one line and no traceback."""
    webhook_secret(settings)
    t = translator(settings.default_locale)
    if not (settings.webhook_url or "").startswith(("http://", "https://")):
        raise ConfigError(t.plain("webhook.url_bad"))
    if not settings.webhook_path.startswith("/"):
        raise ConfigError(t.plain("webhook.path_bad"))


def webhook_target(base_url: str, path: str) -> str:
    """The URL given to setWebhook: WEBHOOK_URL followed by WEBHOOK_PATH (unless it already ends so)."""
    base = base_url.rstrip("/")
    return base if base.endswith(path) else base + path


class UpdateHandler(SimpleRequestHandler):
    """aiogram's handler, plus: each update is journaled before Telegram gets its 200 (bot/update_journal),
    and an exception in a handler is logged with its update instead of vanishing in an unobserved task."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, journal: UpdateJournal, **kwargs: Any) -> None:
        # The flag reaches every update's data through aiogram's own **data of the handler.
        super().__init__(dispatcher, bot, **kwargs, **{JOURNALED: True})
        self.journal = journal

    async def _handle_request_background(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            update = await request.json(loads=bot.session.json_loads)
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400, text="not an update")
        try:
            # Telegram sends a call again when it got no 200: this update may have been handled already.
            await self.journal.record([update], first=True)
        except Exception:
            # Not acknowledged, so Telegram sends it again later: nothing is lost while the database is away.
            log.exception("update %s could not be journaled; Telegram will retry it", update["update_id"])
            return web.Response(status=503, text="try again")
        task = asyncio.create_task(self._background_feed_update(bot=bot, update=update))
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        return web.json_response({}, dumps=bot.session.json_dumps)

    async def _background_feed_update(self, bot: Bot, update: dict[str, Any]) -> None:
        with log_context(update.get("update_id"), None):
            try:
                await super()._background_feed_update(bot, update)
            except Exception:
                log.exception("update %s failed", update.get("update_id"))

    @property
    def in_hand(self) -> int:
        return len(self._background_feed_update_tasks)

    async def wait_idle(self, timeout: float) -> bool:  # noqa: ASYNC109 - a grace period, then cancel
        """Waits for the updates being handled; True if all finished, False if some were cancelled."""
        tasks = set(self._background_feed_update_tasks)
        if not tasks:
            return True
        _done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        return not pending


class WebhookServer:
    """The HTTP side of webhook mode; `start()` binds (port 0 picks a free port), `stop()` is graceful."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        host: str | None = None,
        port: int | None = None,
        handler_grace: float = HANDLER_GRACE,
    ) -> None:
        self.runtime = runtime
        settings = runtime.settings
        self.host = host if host is not None else settings.webhook_host
        self.requested_port = port if port is not None else settings.webhook_port
        self.path = settings.webhook_path
        self.secret = webhook_secret(settings)
        # What goes wrong while starting is read by the operator, in the department's language.
        self._t = translator(settings.default_locale)
        self.handler_grace = handler_grace
        self.handler = UpdateHandler(
            runtime.dp, runtime.bot, runtime.journal, handle_in_background=True, secret_token=self.secret
        )
        self.port = 0
        self.stopping = False
        self._runner: web.AppRunner | None = None
        self._redis: Redis | None = None

    def build_app(self) -> web.Application:
        app = web.Application()
        # Registered by hand, not with handler.register(): that would close the bot's session when the
        # server stops, before the updates still in hand have sent their answers.
        app.router.add_post(self.path, self.handler.handle)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        if self.runtime.settings.webapp_url:
            add_dashboard_routes(app, self.runtime.web_context())
        return app

    async def start(self) -> None:
        runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=HTTP_GRACE)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.requested_port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            address = f"{self.host}:{self.requested_port}"
            reason = exc.strerror or str(exc)
            raise ConfigError(self._t.plain("webhook.listen_failed", address=address, reason=reason)) from exc
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("webhook: listening on %s:%d%s", self.host, self.port, self.path)

    @property
    def local_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}"

    async def register(self, base_url: str | None = None) -> str:
        """setWebhook for `base_url` (default WEBHOOK_URL) + WEBHOOK_PATH; returns the URL registered."""
        url = webhook_target(base_url or self.runtime.settings.webhook_url or self.local_url, self.path)
        dp = self.runtime.dp
        try:
            await self.runtime.bot.set_webhook(
                url=url,
                secret_token=self.secret,
                allowed_updates=dp.resolve_used_update_types(),
                # Updates that arrived while the bot was down are work people did; they are handled.
                drop_pending_updates=False,
            )
        except TelegramBadRequest as exc:
            raise ConfigError(self._t.plain("webhook.refused", url=url, reason=exc.message)) from exc
        log.info("webhook: registered %s", url)
        return url

    async def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        if self._runner is not None:
            # Stops listening first, then gives the requests in hand HTTP_GRACE to be answered.
            await self._runner.cleanup()
            self._runner = None
        in_hand = self.handler.in_hand
        if in_hand:
            log.info("webhook: finishing %d update(s) in hand", in_hand)
        if not await self.handler.wait_idle(self.handler_grace):
            log.warning("webhook: updates still running after %ss were cancelled", self.handler_grace)
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    # -- endpoints -------------------------------------------------------------------------------

    async def _healthz(self, _request: web.Request) -> web.Response:
        return _json(200, {"status": "ok"})

    async def _readyz(self, _request: web.Request) -> web.Response:
        ready, body = await self.readiness()
        return _json(200 if ready else 503, body)

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        if self.stopping:
            return False, {"status": "shutting down"}
        checks = {"database": await _check(self._ping_database())}
        if self.runtime.settings.redis_url:
            checks["redis"] = await _check(self._ping_redis())
        ready = all(value == "ok" for value in checks.values())
        lease = self.runtime.lease
        body: dict[str, Any] = {
            "status": "ready" if ready else "unavailable",
            "checks": checks,
            # Informational: a standby is as ready for updates as the process that sends.
            "background": "active" if lease is not None and lease.held else "standby",
        }
        return ready, body

    async def _ping_database(self) -> None:
        async with self.runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def _ping_redis(self) -> None:
        if self._redis is None:
            from redis.asyncio import Redis

            url = self.runtime.settings.redis_url or ""
            self._redis = Redis.from_url(
                url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT
            )
        await self._redis.ping()


async def _check(probe: Any) -> str:
    try:
        await asyncio.wait_for(probe, timeout=CHECK_TIMEOUT)
    except TimeoutError:
        return f"error: no answer within {CHECK_TIMEOUT:g} s"
    except Exception as exc:
        first = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        return f"error: {first}"
    return "ok"


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


async def start_webhook(
    runtime: Runtime, *, host: str | None = None, port: int | None = None, local: bool = False
) -> WebhookServer:
    """Everything webhook mode does before it waits: dispatcher start-up, server, background, setWebhook
    (last: Telegram starts posting the moment it is registered), then the menus' refresh in the
    background. `local` registers the address the server listens on instead of WEBHOOK_URL."""
    server = WebhookServer(runtime, host=host, port=port)
    await runtime.journal.replay(runtime.dp, runtime.bot)
    await runtime.dp.emit_startup(**_workflow(runtime))
    # Bound before the background starts: a port already taken stops the process before it sends.
    await server.start()
    runtime.start_background()
    try:
        await server.register(server.local_url if local else None)
    except BaseException:
        await server.stop()
        raise
    runtime.start_menu_sync()
    return server


async def stop_webhook(runtime: Runtime, server: WebhookServer) -> None:
    await server.stop()
    await runtime.dp.emit_shutdown(**_workflow(runtime))


def _workflow(runtime: Runtime) -> dict[str, Any]:
    # What start_polling hands the dispatcher's startup and shutdown handlers, for the same handlers.
    dp = runtime.dp
    return {"dispatcher": dp, "bots": [runtime.bot], **dp.workflow_data, "bot": runtime.bot}


async def serve(runtime: Runtime, *, handle_signals: bool = True, stop: asyncio.Event | None = None) -> None:
    """Runs webhook mode until SIGTERM/SIGINT (or `stop` is set), then stops gracefully."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT) if handle_signals else ()
    for sig in signals:
        loop.add_signal_handler(sig, _stop_on_signal, stop, sig)
    try:
        server = await start_webhook(runtime)
        try:
            await stop.wait()
        finally:
            await stop_webhook(runtime, server)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


def _stop_on_signal(stop: asyncio.Event, sig: signal.Signals) -> None:
    log.info("webhook: %s received, stopping", sig.name)
    stop.set()


@contextlib.asynccontextmanager
async def running_webhook(
    settings: Settings,
    clock: Clock | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    **runtime_options: Any,
) -> AsyncIterator[tuple[Runtime, WebhookServer]]:
    """Webhook mode in this process for tests, the demo and benchmarks: a free port unless one is
    given, and setWebhook to the address it listens on rather than WEBHOOK_URL."""
    from bot.runtime.app import Runtime

    async with Runtime(settings, clock=clock, **runtime_options) as runtime:
        server = await start_webhook(runtime, host=host, port=port, local=True)
        try:
            yield runtime, server
        finally:
            await stop_webhook(runtime, server)
