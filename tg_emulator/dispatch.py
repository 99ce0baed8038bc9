"""Routing a Bot API call to its handler, with statistics, the request hook and injected faults."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from tg_emulator import api_bot, api_media, api_messages, api_updates
from tg_emulator.errors import ApiError, injected, method_not_found
from tg_emulator.request_parsing import RequestParams

if TYPE_CHECKING:
    from tg_emulator.engine import EmulatorEngine

log = logging.getLogger(__name__)

Handler = Callable[["EmulatorEngine", RequestParams], Awaitable[Any]]

# Method names are matched case-insensitively, as the Bot API does.
_HANDLERS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler)
    for module in (api_bot, api_media, api_messages, api_updates)
    for name, handler in module.HANDLERS.items()
}

Outcome = tuple[int, dict[str, Any]]


def canonical_method(name: str) -> str | None:
    entry = _HANDLERS.get(name.lower())
    return entry[0] if entry else None


def supported_methods() -> list[str]:
    return sorted(name for name, _ in _HANDLERS.values())


async def call_method(engine: EmulatorEngine, method: str, params: RequestParams) -> Outcome:
    """Runs one call and returns (HTTP status, JSON body) exactly as Telegram would answer it."""
    entry = _HANDLERS.get(method.lower())
    name = entry[0] if entry else method
    engine.stats.requests[name] += 1
    try:
        if entry is None:
            raise method_not_found()
        result = await _run(engine, name, entry[1], params)
    except ApiError as error:
        engine.record_error(error)
        return error.status, error.to_payload()
    return 200, {"ok": True, "result": result}


async def _run(engine: EmulatorEngine, name: str, handler: Handler, params: RequestParams) -> Any:
    if engine.on_request is not None:
        try:
            outcome = engine.on_request(name, params.as_dict())
            if inspect.isawaitable(outcome):
                await outcome
        except Exception as exc:
            log.exception("on_request hook failed for %s", name)
            raise ApiError(500, "Internal Server Error") from exc
    fault = engine.take_fault(name)
    if fault is not None and not fault.after_handling:
        raise injected(fault.status, fault.description, fault.retry_after)
    try:
        result = await handler(engine, params)
    except ApiError:
        raise
    except Exception as exc:
        # A bug in the emulator must look like a server failure to the bot, and be loud in the test log.
        log.exception("emulator failed handling %s", name)
        raise ApiError(500, "Internal Server Error") from exc
    if fault is not None:
        raise injected(fault.status, fault.description, fault.retry_after)
    return result
