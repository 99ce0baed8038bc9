"""The dashboard on an aiohttp application: the webhook's own in webhook mode, a small one in polling."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot.config import ConfigError
from bot.web import api
from bot.web.context import CONTEXT, WebContext
from bot.web.warmup import WARMER, OverviewWarmer, install_warmer

log = logging.getLogger(__name__)

# Everything of the dashboard lives under one path, so nginx and the webhook share a host without clashes.
PREFIX = "/app"
STATIC_DIR = Path(__file__).parent / "static"
# The page loads nothing from elsewhere; Telegram's clients embed it in a frame.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors https://web.telegram.org https://*.telegram.org 'self'"
)


async def index(_request: web.Request) -> web.StreamResponse:
    return web.FileResponse(
        STATIC_DIR / "index.html",
        headers={
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-cache",
            "Referrer-Policy": "no-referrer",
        },
    )


async def _to_index(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(f"{PREFIX}/")


def add_dashboard_routes(app: web.Application, context: WebContext) -> None:
    app[CONTEXT] = context
    install_warmer(app, context)
    app.router.add_get(PREFIX, _to_index)
    app.router.add_get(f"{PREFIX}/", index)
    app.router.add_static(f"{PREFIX}/static", STATIC_DIR)
    api_routes = {
        "texts": api.texts,
        "me": api.me,
        "overview": api.overview,
        "filters": api.filters,
        "matrix": api.matrix,
        "organizations/{org_id}": api.organization,
        "recommendations/{rec_id}": api.recommendation,
        "evidence/{evidence_id}": api.evidence,
    }
    for path, handler in api_routes.items():
        app.router.add_get(f"{PREFIX}/api/{path}", handler)


def create_web_app(context: WebContext) -> web.Application:
    app = web.Application()
    add_dashboard_routes(app, context)
    return app


class DashboardServer:
    """Polling mode's HTTP server for the dashboard alone; `start()` binds (port 0 picks a free one)."""

    def __init__(self, context: WebContext, host: str, port: int) -> None:
        self.context = context
        self.host = host
        self.requested_port = port
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.warmer: OverviewWarmer | None = None

    async def start(self) -> None:
        app = create_web_app(self.context)
        self.warmer = app[WARMER]
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.requested_port).start()
        except OSError as exc:
            await runner.cleanup()
            raise ConfigError(
                f"cannot listen on WEB_HOST:WEB_PORT={self.host}:{self.requested_port}: {exc.strerror or exc}"
            ) from exc
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("dashboard: listening on %s", self.local_url)

    @property
    def local_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}{PREFIX}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
