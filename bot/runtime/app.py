"""The running application: database, bot, dispatcher and the background workers around them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from aiogram.types import User
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.composition import create_bot, create_dispatcher, create_renderer
from bot.config import ConfigError, Settings
from bot.delivery import leases
from bot.delivery.outbox_pump import OutboxPump
from bot.delivery.progress import DeliveryProgress
from bot.delivery.rate_limit import SendLimiter
from bot.delivery.update_journal import JOURNALED, UPDATE_JOURNAL, UpdateJournal
from bot.domain.clock import Clock, SystemClock
from bot.runtime import heap
from bot.services.digests import DigestDelivery
from bot.telegram.evidence_store import EvidenceStore
from bot.telegram.menu_sync import MenuSync
from bot.telegram.middlewares import JournalFetchedUpdates
from bot.texts.i18n import Translator, translator
from scheduler.jobs import DigestStep, SchedulerJobs
from scheduler.service import BotScheduler
from storage.db import DatabaseUrlError, create_engine, create_reader_engine, create_session_factory
from storage.migrate import upgrade

if TYPE_CHECKING:
    # The dashboard's web server (aiohttp.web) is loaded only when it is served: WEBAPP_URL set, or the
    # webhook's server.
    from bot.web.app import DashboardServer
    from bot.web.context import WebContext

log = logging.getLogger(__name__)

Worker = Callable[[], Awaitable[None]]


class Runtime:
    """Owns every long-lived resource; `async with Runtime(settings) as rt` opens and closes them in order."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        lease_ttl: float | None = None,
        lease_renew_every: float | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.lease_ttl = lease_ttl or settings.lease_ttl_seconds
        # Three renewals per lifetime: one lost to a slow database does not cost the lease.
        self.lease_renew_every = lease_renew_every or self.lease_ttl / 3
        self.lease: leases.LeaseKeeper | None = None
        self._pump_task: asyncio.Task[None] | None = None
        # Polling mode's dashboard server, while it runs (WEBAPP_URL set).
        self.dashboard: DashboardServer | None = None
        self._reader_sessions: async_sessionmaker[AsyncSession] | None = None
        self._background_runs = 0
        # Set by the dispatcher's start-up: what an earlier run left in the journal has been handled and
        # updates are being received (polling, or the webhook server).
        self.started = asyncio.Event()
        self._stack = AsyncExitStack()
        self._workers: list[asyncio.Task[None]] = []
        self.engine: AsyncEngine
        self.session_factory: async_sessionmaker[AsyncSession]
        self.bot: Bot
        self.dp: Dispatcher
        self.me: User

    async def __aenter__(self) -> Runtime:
        await self._stack.__aenter__()
        try:
            await self._open()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        # Cancelling the pump could cut a delivered send from the commit that records it (a duplicate
        # after the restart) or a transaction in half; it stops between two sends of its own accord.
        await self.pump.stop()
        if self.lease is not None:
            # Stops the pump and the scheduler if this process held the lease, then releases it.
            await self.lease.stop()
        await self.stop_workers()
        await self._stack.aclose()

    @property
    def _t(self) -> Translator:
        # Start-up problems are read by the operator, in the department's language.
        return translator(self.settings.default_locale)

    async def _open(self) -> None:
        token = self.settings.require_token()
        try:
            self.engine = create_engine(self.settings.database_url)
        except DatabaseUrlError as exc:
            raise ConfigError(self._t.plain(exc.key, **exc.params)) from exc
        self._stack.push_async_callback(self.engine.dispose)
        try:
            await upgrade(self.engine)
        except (SQLAlchemyError, OSError) as exc:
            raise ConfigError(self._t.plain("cli.database_failed", reason=_first_line(exc))) from exc
        self.session_factory = create_session_factory(self.engine)
        # One limiter for everything this process sends: direct answers, the pump, the progress message.
        self.limiter = SendLimiter(self.settings.send_rate, self.settings.per_chat_interval)
        self.bot = create_bot(self.settings, token, limiter=self.limiter)
        self._stack.push_async_callback(self.bot.session.close)
        self.journal = UpdateJournal(self.session_factory)
        self.bot.session.middleware(JournalFetchedUpdates(self.journal))
        try:
            self.me = await self.bot.me()
        except TelegramUnauthorizedError as exc:
            raise ConfigError(self._t.plain("startup.token_rejected")) from exc
        except TelegramNetworkError as exc:
            reason = _first_line(exc)
            url = self.settings.telegram_api_url
            raise ConfigError(self._t.plain("startup.api_unreachable", url=url, reason=reason)) from exc
        self.sender = create_bot(self.settings, token, retry=False)
        self._stack.push_async_callback(self.sender.session.close)
        self.pump = OutboxPump(self.sender, self.session_factory, self.settings, self.clock, self.limiter)
        self.renderer = create_renderer(self.settings)
        self.progress = DeliveryProgress(
            self.bot,
            self.session_factory,
            self.clock,
            self.pump.limiter,
            self.renderer,
            self.settings.locale,
            self.pump.poke,
        )
        self.pump.after_round.append(self.progress)
        self.jobs = SchedulerJobs(
            self.session_factory,
            self.settings,
            self.clock,
            self.renderer,
            digest_step=self.digest_step(),
            on_outbox=self.pump.poke,
        )
        self.scheduler = BotScheduler(self.jobs, self.settings)
        self.dp = create_dispatcher(
            self.settings,
            self.session_factory,
            clock=self.clock,
            on_outbox=self.pump.poke,
            renderer=self.renderer,
            **self.services(),
        )
        self._stack.push_async_callback(self.dp.storage.close)
        self.dp.startup.register(self._started)
        self.menus = MenuSync(self.bot, self.session_factory, self.settings, self.limiter, self.clock)

    async def _started(self) -> None:
        heap.settle()  # start-up is over: what it built is kept out of the collector's way
        self.started.set()

    def services(self) -> dict[str, Any]:
        """Long-lived services handed to handlers through the dispatcher's workflow data."""
        return {
            "outbox": self.pump,
            "evidence_store": EvidenceStore(self.settings.evidence_dir),
            UPDATE_JOURNAL: self.journal,
        }

    def digest_step(self) -> DigestStep:
        return DigestDelivery(self.settings, self.renderer).scheduled

    def start_background(self) -> None:
        """The workers beside the update handlers: the outbox pump and the scheduler's tick. They run only
        while this process holds the "background" lease, so that of several processes one sends."""
        if self.lease is not None:
            return
        self.lease = leases.LeaseKeeper(
            self.session_factory,
            leases.BACKGROUND,
            on_acquired=self._background_acquired,
            on_lost=self._background_lost,
            ttl=self.lease_ttl,
            renew_every=self.lease_renew_every,
        )
        self.lease.start()

    async def _background_acquired(self) -> None:
        if self._background_runs:
            # Taken again after losing it: a stopped pump and a shut-down scheduler do not restart.
            self.pump.rearm()
            self.scheduler = BotScheduler(self.jobs, self.settings)
        self._background_runs += 1
        self._pump_task = asyncio.create_task(self.pump.run(), name="outbox-pump")
        self.scheduler.start()

    async def _background_lost(self) -> None:
        await self.scheduler.shutdown()
        await self.pump.stop()
        if self._pump_task is not None:
            # Cancelled only after stop() had its grace period (see __aexit__ for why not before).
            self._pump_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump_task
            self._pump_task = None

    def start_worker(self, worker: Worker, name: str) -> None:
        self._workers.append(asyncio.create_task(worker(), name=name))

    async def stop_workers(self) -> None:
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("worker %s failed while stopping", task.get_name())
        self._workers.clear()

    def start_menu_sync(self) -> None:
        """Menus are per chat and survive restarts on Telegram's side; the refresh sends only what changed,
        in the background once updates are being received (see bot/telegram/menu_sync.py), and stops
        with the other workers."""
        self.start_worker(lambda: self.menus.run(self.started), "menu-sync")

    async def run_webhook(self, *, handle_signals: bool = True) -> None:
        """Webhook mode (WEBHOOK_URL set): serves until SIGTERM/SIGINT, then stops gracefully."""
        from bot.runtime.webhook import serve

        await serve(self, handle_signals=handle_signals)

    async def run_polling(self, *, handle_signals: bool = True) -> None:
        # After webhook mode Telegram answers getUpdates with 409 until the webhook is removed.
        await self.bot.delete_webhook(drop_pending_updates=False)
        self.start_menu_sync()
        await self.journal.replay(self.dp, self.bot)
        self.start_background()
        self.dashboard = await self.start_dashboard()
        try:
            await self.dp.start_polling(
                self.bot,
                handle_signals=handle_signals,
                allowed_updates=self.dp.resolve_used_update_types(),
                close_bot_session=False,
                **{JOURNALED: True},
            )
        finally:
            if self.dashboard is not None:
                await self.dashboard.stop()
                self.dashboard = None

    def web_context(self) -> WebContext:
        from bot.web.context import WebContext

        if self._reader_sessions is None:
            reader = create_reader_engine(self.settings.database_url)
            if reader is not None:
                self._stack.push_async_callback(reader.dispose)
                self._reader_sessions = create_session_factory(reader)
        return WebContext(
            self.settings, self.session_factory, self.clock, self.renderer, self._reader_sessions
        )

    async def start_dashboard(self) -> DashboardServer | None:
        """Polling mode's dashboard server on WEB_HOST:WEB_PORT, only when WEBAPP_URL is set."""
        if not self.settings.webapp_url:
            return None
        from bot.web.app import DashboardServer

        server = DashboardServer(self.web_context(), self.settings.web_host, self.settings.web_port)
        await server.start()
        return server


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
