"""The composition root: production, tests, the demo and the benchmarks all wire the bot here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.event_order import OrderedIsolation
from bot.delivery.rate_limit import SendLimiter
from bot.domain.clock import Clock, SystemClock
from bot.services import Services
from bot.telegram.menus import MenuLedger
from bot.telegram.middlewares import (
    ChatLockMiddleware,
    CommitBeforeRequest,
    FsmContextMiddleware,
    IdentityMiddleware,
    PinResponseTypes,
    RetryMiddleware,
    UnitOfWorkMiddleware,
)
from bot.telegram.middlewares.normalize import NormalizeTextMiddleware
from bot.telegram.outgoing import TelegramRenderer
from handlers import get_routers
from storage.repositories import Repositories
from storage.uow import ServicesFactory


def create_bot(
    settings: Settings, token: str | None = None, *, retry: bool = True, limiter: SendLimiter | None = None
) -> Bot:
    """The bot for direct answers retries 429 and 5xx itself, taking its send tokens from `limiter` (the
    one the outbox pump uses); the outbox pump's bot (retry=False) does neither."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(PinResponseTypes())
    if retry:
        session.middleware(CommitBeforeRequest())
        session.middleware(RetryMiddleware(limiter))
    return Bot(
        token=token or settings.require_token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_renderer(settings: Settings) -> TelegramRenderer:
    """Renders the services' message intents; people who never chose a language read LOCALE."""
    return TelegramRenderer(settings.locale, settings.webapp_url)


def create_fsm_storage(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis when REDIS_URL is set (several processes); otherwise the database, one process."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage

        redis_storage = RedisStorage.from_url(
            settings.redis_url, key_builder=DefaultKeyBuilder(with_destiny=True)
        )
        return redis_storage, OrderedIsolation(redis_storage.create_isolation())
    from storage.fsm import SqlStorage

    return SqlStorage(session_factory), OrderedIsolation()


def services_factory(settings: Settings, clock: Clock, renderer: TelegramRenderer) -> ServicesFactory:
    """How each unit of work builds the services holder: the one place that knows its arguments."""

    def build(repo: Repositories) -> Services:
        return Services(repo, settings, clock, renderer)

    return build


def create_dispatcher(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    *,
    clock: Clock | None = None,
    fsm: tuple[BaseStorage, BaseEventIsolation] | None = None,
    on_outbox: Callable[[], None] | None = None,
    renderer: TelegramRenderer | None = None,
    **services: Any,
) -> Dispatcher:
    storage, isolation = fsm or create_fsm_storage(settings, session_factory)
    # The FSM middleware is placed by hand (see ChatLockMiddleware); it gets no isolation of its own.
    dp = Dispatcher(storage=storage, disable_fsm=True)
    dp.shutdown.register(isolation.close)
    dp["settings"] = settings
    dp["clock"] = clock = clock or SystemClock()
    dp["session_factory"] = session_factory
    # What each chat's menu was last set to: handlers that change a menu record it here.
    dp["menu_ledger"] = MenuLedger(session_factory)
    # What services' message intents are rendered with; each unit of work hands it to its Services.
    dp["renderer"] = renderer = renderer or create_renderer(settings)
    for name, service in services.items():
        dp[name] = service
    # First of all: no handler, FSM or session ever sees user text that was not normalized.
    dp.update.outer_middleware(NormalizeTextMiddleware())
    dp.update.outer_middleware(ChatLockMiddleware(dp.fsm, isolation))
    dp.update.outer_middleware(
        UnitOfWorkMiddleware(session_factory, services_factory(settings, clock, renderer), on_outbox)
    )
    dp.update.outer_middleware(FsmContextMiddleware(dp.fsm))
    dp.update.outer_middleware(IdentityMiddleware(settings))
    # Groups and channels are not where this bot works; their messages are ignored, not refused.
    dp.message.filter(F.chat.type == "private")
    dp.include_routers(*get_routers())
    run_filters_on_loop(dp)
    return dp


def run_filters_on_loop(root: Router) -> None:
    """aiogram calls a filter that is a plain function (F's magic filters, a State) through
    asyncio.to_thread: a thread hop, and a wake-up of a worker thread, for each such filter it tries,
    two or three per update, to compare a field. They are pure and take microseconds, so they run on
    the loop. (`_handler` holds an observer's own filters, such as the private-chat one above; aiogram
    3.31 is pinned, and tests/test_architecture.py checks the name.)"""
    for router in root.chain_tail:
        for observer in router.observers.values():
            for handler in (observer._handler, *observer.handlers):
                for item in handler.filters or ():
                    if not item.awaitable:
                        item.callback = _on_loop(item.callback)
                        item.awaitable = True


def _on_loop(check: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    # The filter's parameters were read from `check` already; this only changes how it is awaited.
    async def call(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return call
