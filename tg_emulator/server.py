"""HTTP routes: `/bot{token}/{method}` for API calls and `/file/bot{token}/{path}` for downloads."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aiohttp import web

from tg_emulator.dispatch import call_method
from tg_emulator.errors import ApiError, entity_too_large, unauthorized
from tg_emulator.limits import MAX_REQUEST_BYTES
from tg_emulator.request_parsing import read_params

if TYPE_CHECKING:
    from tg_emulator.engine import EmulatorEngine

ENGINE_KEY: web.AppKey[EmulatorEngine] = web.AppKey("engine")


def _json_response(status: int, payload: dict[str, object]) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(payload, ensure_ascii=False),
        content_type="application/json",
    )


def _error_response(error: ApiError) -> web.Response:
    return _json_response(error.status, error.to_payload())


async def handle_api_call(request: web.Request) -> web.Response:
    engine = request.app[ENGINE_KEY]
    if request.match_info["token"] != engine.token:
        engine.record_error(unauthorized())
        return _error_response(unauthorized())
    try:
        params = await read_params(request)
    except ApiError as error:
        engine.record_error(error)
        return _error_response(error)
    except web.HTTPRequestEntityTooLarge:
        engine.record_error(entity_too_large())
        return _error_response(entity_too_large())
    status, payload = await call_method(engine, request.match_info["method"], params)
    return _json_response(status, payload)


async def handle_file_download(request: web.Request) -> web.StreamResponse:
    engine = request.app[ENGINE_KEY]
    if request.match_info["token"] != engine.token:
        return _error_response(unauthorized())
    stored = engine.files.by_path(request.match_info["path"])
    if stored is None:
        return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})
    return web.Response(
        body=stored.read(),
        content_type=stored.mime_type or "application/octet-stream",
    )


def build_app(engine: EmulatorEngine) -> web.Application:
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[ENGINE_KEY] = engine
    app.router.add_route("*", r"/bot{token:[^/]+}/{method:[^/]+}", handle_api_call)
    app.router.add_get(r"/file/bot{token:[^/]+}/{path:.+}", handle_file_download)
    return app
