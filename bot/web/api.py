"""The dashboard's JSON API: read-only, every request signed by Telegram (initData in a header)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.domain.errors import DomainError
from bot.services import Services
from bot.services.dashboard import DashboardService, MatrixFilters, Viewing
from bot.texts.i18n import CATALOGS, DEFAULT_LOCALE, Translator, locale_for, translator
from bot.web.context import CONTEXT, WebContext
from bot.web.init_data import HEADER, InitDataError, verify
from bot.web.warmup import WARMER
from storage.repositories import Repositories

Call = Callable[[DashboardService, Viewing], Awaitable[Any]]
STATUS_OF = {"web.forbidden": 403, "web.out_of_scope": 403, "web.not_found": 404, "web.bad_filter": 400}
TEXT_PREFIX = "web."
# The chat card's words for who decided on a report: the page says it the same way.
SHARED_TEXTS = frozenset(
    {"review.decider", "review.department", "review.decided.accepted", "review.decided.returned"}
)


def _json(status: int, body: Any) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False, default=str),
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def _error(status: int, t: Translator, key: str, **params: Any) -> web.Response:
    return _json(status, {"error": t.plain(key, **params), "code": key})


async def answer(request: web.Request, call: Call) -> web.Response:
    """Checks initData, resolves the person and their scope, then runs `call` in a session of its own."""
    ctx: WebContext = request.app[CONTEXT]
    t = translator(ctx.settings.default_locale)
    token = ctx.settings.require_token()
    try:
        init = verify(token, request.headers.get(HEADER), ctx.settings.webapp_init_max_age, ctx.clock.now())
    except InitDataError as exc:
        return _error(401, t, exc.key)
    assert init.user is not None  # verify() refuses data without a user
    async with ctx.session_factory() as session:
        services = Services(Repositories(session), ctx.settings, ctx.clock, ctx.renderer)
        try:
            viewing = await services.dashboard.viewing(init.user.id)
            t = translator(ctx.settings.forced_locale or locale_for(init.user.language_code, viewing.locale))
            return _json(200, await call(services.dashboard, viewing))
        except DomainError as exc:
            return _error(STATUS_OF.get(exc.key, 400), t, exc.key, **exc.params)


def _int(request: web.Request, name: str, *, source: str = "query") -> int | None:
    raw = request.match_info.get(name) if source == "path" else request.query.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise DomainError("web.bad_filter")
    return int(raw)


def _text(request: web.Request, name: str) -> str | None:
    return request.query.get(name) or None


async def texts(request: web.Request) -> web.Response:
    """The page's texts: not secret, so served before initData is checked (its errors need them too)."""
    ctx: WebContext = request.app[CONTEXT]
    locale = ctx.settings.forced_locale or locale_for(request.query.get("lang"))
    # Templates as they are: the page fills in the {placeholders} itself.
    catalog = {**CATALOGS[DEFAULT_LOCALE], **CATALOGS.get(locale, {})}
    found = {
        k: v
        for k, v in catalog.items()
        if (k.startswith(TEXT_PREFIX) or k in SHARED_TEXTS) and isinstance(v, str)
    }
    return _json(200, {"locale": locale, "texts": found})


def _bad_request(request: web.Request) -> web.Response:
    ctx: WebContext = request.app[CONTEXT]
    return _error(400, translator(ctx.settings.default_locale), "web.bad_filter")


async def me(request: web.Request) -> web.Response:
    async def call(_: DashboardService, viewing: Viewing) -> Any:
        return {"municipality": viewing.scope.municipality}

    return await answer(request, call)


async def overview(request: web.Request) -> web.Response:
    try:
        resolution_id = _int(request, "resolution")
    except DomainError:
        return _bad_request(request)
    today = request.app[CONTEXT].today()
    request.app[WARMER].touch()

    async def call(dashboard: DashboardService, viewing: Viewing) -> Any:
        return await dashboard.overview(viewing.scope, resolution_id, today)

    return await answer(request, call)


async def filters(request: web.Request) -> web.Response:
    try:
        resolution_id = _int(request, "resolution")
    except DomainError:
        return _bad_request(request)

    async def call(dashboard: DashboardService, viewing: Viewing) -> Any:
        return await dashboard.filters(viewing.scope, resolution_id)

    return await answer(request, call)


async def matrix(request: web.Request) -> web.Response:
    try:
        f = MatrixFilters(
            resolution_id=_int(request, "resolution"),
            group_id=_int(request, "group"),
            municipality=_text(request, "municipality"),
            status=_text(request, "status"),
            review=_text(request, "review"),
            search=request.query.get("q", ""),
            page=_int(request, "page") or 0,
        )
    except DomainError:
        return _bad_request(request)

    async def call(dashboard: DashboardService, viewing: Viewing) -> Any:
        return await dashboard.matrix(viewing.scope, f)

    return await answer(request, call)


async def organization(request: web.Request) -> web.Response:
    try:
        org_id = _int(request, "org_id", source="path") or 0
    except DomainError:
        return _bad_request(request)

    async def call(dashboard: DashboardService, viewing: Viewing) -> Any:
        return await dashboard.organization(viewing.scope, org_id)

    return await answer(request, call)


async def recommendation(request: web.Request) -> web.Response:
    try:
        rec_id = _int(request, "rec_id", source="path") or 0
    except DomainError:
        return _bad_request(request)

    async def call(dashboard: DashboardService, viewing: Viewing) -> Any:
        return await dashboard.recommendation(viewing.scope, rec_id)

    return await answer(request, call)


async def evidence(request: web.Request) -> web.StreamResponse:
    """One evidence file, to a caller whose scope covers its organization (checked per file)."""
    ctx: WebContext = request.app[CONTEXT]
    try:
        evidence_id = _int(request, "evidence_id", source="path") or 0
    except DomainError:
        return _bad_request(request)
    found: list[Path] = []
    names: list[str] = []

    async def call(dashboard: DashboardService, viewing: Viewing) -> Any:
        item = await dashboard.evidence_file(viewing.scope, evidence_id)
        path = _stored_file(item.stored_path or "", ctx.settings.evidence_dir)
        found.append(path)
        names.append(item.file_name or path.name)
        return {}

    response = await answer(request, call)
    if not found:
        return response
    disposition = f"attachment; filename*=UTF-8''{_quote(names[0])}"
    return web.FileResponse(
        found[0], headers={"Content-Disposition": disposition, "Cache-Control": "no-store"}
    )


def _stored_file(stored_path: str, root: Path) -> Path:
    """The file, if it is where the evidence store keeps files (a row never points the server elsewhere)."""
    path = Path(stored_path).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise DomainError("web.not_found")
    return path


def _quote(name: str) -> str:
    return quote(name, safe="")
