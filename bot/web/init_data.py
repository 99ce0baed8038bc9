"""Telegram's initData: checked on every API request (signature and age), signed here for tests and the
offline demo only."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data

# The request header the page sends initData in: headers stay out of URLs, logs and Referer.
HEADER = "X-Telegram-Init-Data"


class InitDataError(Exception):
    """initData missing, forged, or too old; `key` is the catalog text that says which."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def verify(token: str, raw: str | None, max_age: int, now: dt.datetime) -> WebAppInitData:
    """The signed data, if Telegram signed it for this bot less than `max_age` seconds ago."""
    if not raw:
        raise InitDataError("web.auth_missing")
    try:
        data = safe_parse_webapp_init_data(token, raw)
    except ValueError as exc:
        raise InitDataError("web.auth_invalid") from exc
    if data.user is None:
        raise InitDataError("web.auth_invalid")
    # aiogram checks the signature only: a leaked initData would otherwise open the dashboard forever.
    age = (now - data.auth_date).total_seconds()
    if age > max_age or age < -300:
        raise InitDataError("web.auth_stale")
    return data


def sign(token: str, user: dict[str, Any], auth_date: dt.datetime, **extra: str) -> str:
    """initData as Telegram would make it for `user` (tests and `demo --web`; the bot never needs it)."""
    fields = {
        "auth_date": str(int(auth_date.timestamp())),
        "query_id": "AAH-dashboard",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        **extra,
    }
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)
