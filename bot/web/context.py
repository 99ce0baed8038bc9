"""What the dashboard's handlers share: settings, database, clock; kept on the aiohttp application."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.domain.clock import Clock
from bot.services.ports import MessageRenderer


@dataclass(frozen=True)
class WebContext:
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock
    renderer: MessageRenderer
    # Sessions for the long reads of counting ahead, off the event loop (storage.db.create_reader_engine);
    # None: the main ones.
    reader_sessions: async_sessionmaker[AsyncSession] | None = None

    def today(self) -> dt.date:
        return self.clock.now().astimezone(self.settings.tz).date()


CONTEXT: web.AppKey[WebContext] = web.AppKey("dashboard", WebContext)
