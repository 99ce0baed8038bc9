"""Errors answered the way the Bot API answers them (status code plus Telegram's own wording)."""

from __future__ import annotations

from typing import Any

# Telegram's short descriptions for the statuses it answers without detail; fault injection uses them
# so that injected failures look exactly like real ones to aiogram.
STATUS_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """A refusal that becomes `{"ok": false, ...}` with the matching HTTP status."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            payload["parameters"] = {"retry_after": self.retry_after}
        return payload


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def conflict(detail: str) -> ApiError:
    return ApiError(409, f"Conflict: {detail}")


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


def method_not_found() -> ApiError:
    return ApiError(404, "Not Found: method not found")


def entity_too_large() -> ApiError:
    return ApiError(413, "Request Entity Too Large")


def injected(status: int, description: str | None, retry_after: int | None) -> ApiError:
    """An error requested by a test through `fail_next`, worded like the real one unless told otherwise."""
    if status == 429:
        wait = max(1, retry_after or 1)
        return ApiError(429, description or f"Too Many Requests: retry after {wait}", retry_after=wait)
    return ApiError(status, description or STATUS_DESCRIPTIONS.get(status, "Internal Server Error"))
