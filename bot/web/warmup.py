"""Keeps the region's overviews counted ahead of the officials who open them.

Counting 600,000 cells (10,000 organizations × 60 recommendations) takes the database about 0.3 s on two
cores, over the overview's 300 ms budget. So while the dashboard is in use (a request within
`while_used`), and once when the server starts, a background task looks at the data version every
`every` seconds and, when it has changed, counts the region's overviews (all resolutions and each
published one) into the shared cache (bot.services.dashboard.OVERVIEWS), where an official's request
finds them. A request that comes while they are being counted waits for that count rather than starting
its own. A municipality's overview is a small share and is counted on demand.

With SQLite the count runs on a connection of its own, in aiosqlite's thread (`reader_sessions`), where
SQLite works without holding the interpreter: the bot's event loop, which drives its other SQLite
statements itself (storage/sqlite_inline.py), goes on answering meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web

from bot.services import Services
from bot.web.context import WebContext
from storage.repositories import Repositories

log = logging.getLogger(__name__)


class OverviewWarmer:
    def __init__(self, context: WebContext, every: float = 10.0, while_used: float = 900.0) -> None:
        self.context = context
        self.every = every
        self.while_used = while_used
        self.last_used = time.monotonic()  # the server's start counts as use: counted once at start

    def touch(self) -> None:
        """An official opened the dashboard: keep the figures counted for the next quarter of an hour."""
        self.last_used = time.monotonic()

    def in_use(self) -> bool:
        return time.monotonic() - self.last_used < self.while_used

    async def warm_once(self) -> None:
        ctx = self.context
        async with (ctx.reader_sessions or ctx.session_factory)() as session:
            services = Services(Repositories(session), ctx.settings, ctx.clock, ctx.renderer)
            await services.dashboard.warm_region(ctx.today())

    async def run(self) -> None:
        while True:
            if self.in_use():
                try:
                    await self.warm_once()
                except Exception:
                    # The figures are then counted on demand, as without a warmer; the next round retries.
                    log.exception("dashboard: counting the region's overview ahead failed")
            await asyncio.sleep(self.every)

    async def __call__(self, _app: web.Application) -> AsyncIterator[None]:
        """aiohttp's cleanup context: runs beside the server, stops with it."""
        task = asyncio.create_task(self.run(), name="dashboard-overview-warmer")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


WARMER: web.AppKey[OverviewWarmer] = web.AppKey("dashboard_warmer", OverviewWarmer)


def install_warmer(app: web.Application, context: WebContext) -> None:
    warmer = OverviewWarmer(context)
    app[WARMER] = warmer
    app.cleanup_ctx.append(warmer)
