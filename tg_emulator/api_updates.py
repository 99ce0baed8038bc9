"""Getting updates: long polling, or webhook registration (delivery itself lives in webhook.py)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tg_emulator.errors import bad_request, conflict
from tg_emulator.request_parsing import RequestParams

if TYPE_CHECKING:
    from tg_emulator.dispatch import Handler
    from tg_emulator.engine import EmulatorEngine

_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _allowed_updates(params: RequestParams) -> list[str] | None:
    allowed = params.json("allowed_updates", "allowed updates")
    if allowed is not None and (
        not isinstance(allowed, list) or not all(isinstance(x, str) for x in allowed)
    ):
        raise bad_request("can't parse allowed updates JSON object")
    return allowed


async def get_updates(engine: EmulatorEngine, params: RequestParams) -> Any:
    if engine.webhook.active:
        raise conflict(
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
    engine.updates.set_allowed(_allowed_updates(params))
    limit = params.integer("limit") or 100
    timeout = params.number("timeout") or 0.0
    # Holding an empty poll for the full timeout would only slow tests down; a short hold still keeps
    # a polling bot from spinning.
    hold = min(max(timeout, 0.0), engine.poll_hold)
    return await engine.updates.poll(params.integer("offset"), max(1, min(limit, 100)), hold)


async def set_webhook(engine: EmulatorEngine, params: RequestParams) -> Any:
    url = params.string("url") or ""
    if not url:
        return await delete_webhook(engine, params)
    parts = urlsplit(url)
    # Telegram insists on HTTPS on a few ports; the emulator accepts plain HTTP so tests can listen locally.
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: invalid webhook URL specified")
    secret = params.string("secret_token")
    if secret is not None and not _SECRET_RE.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    engine.updates.set_allowed(_allowed_updates(params))
    if params.boolean("drop_pending_updates"):
        engine.updates.clear()
    engine.webhook.url = url
    engine.webhook.secret_token = secret or None
    engine.webhook.max_connections = params.integer("max_connections") or 40
    engine.webhook.last_error_date = engine.webhook.last_error_message = None
    engine.deliverer.ensure_running()
    return True


async def delete_webhook(engine: EmulatorEngine, params: RequestParams) -> Any:
    engine.webhook.url = ""
    engine.webhook.secret_token = None
    if params.boolean("drop_pending_updates"):
        engine.updates.clear()
    # Wake the delivery loop so it notices the webhook is gone.
    engine.updates.changed.notify()
    return True


async def get_webhook_info(engine: EmulatorEngine, params: RequestParams) -> Any:
    info: dict[str, Any] = {
        "url": engine.webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": engine.updates.pending_count,
    }
    if engine.webhook.active:
        info["max_connections"] = engine.webhook.max_connections
        if engine.updates.allowed_updates is not None:
            info["allowed_updates"] = sorted(engine.updates.allowed_updates)
    if engine.webhook.last_error_date is not None:
        info["last_error_date"] = engine.webhook.last_error_date
        info["last_error_message"] = engine.webhook.last_error_message
    return info


HANDLERS: dict[str, Handler] = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
