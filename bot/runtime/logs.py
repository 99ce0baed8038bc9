"""Logging for operators: readable lines by default, JSON lines with LOG_FORMAT=json.

Every record created while an update is being handled carries `update_id` and `user_id` (None
otherwise): a middleware sets two context variables and a log record factory copies them onto each
record, so third-party loggers (aiogram, SQLAlchemy) get them too, not only the project's own.

This module must stay cheap to import: `python -m bot` sets logging up before aiogram is loaded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import IO, Any

from bot.config import ConfigError

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

update_id_var: ContextVar[int | None] = ContextVar("update_id", default=None)
user_id_var: ContextVar[int | None] = ContextVar("user_id", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=` and belongs in the JSON.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "update_id",
    "user_id",
    "taskName",
}

_OWN_MARK = "_forum_bot_handler"
_base_factory = logging.getLogRecordFactory()
_installed = False


@contextlib.contextmanager
def log_context(update_id: int | None, user_id: int | None) -> Iterator[None]:
    """Marks every record logged inside the block (and in tasks started from it) with these ids."""
    update_token = update_id_var.set(update_id)
    user_token = user_id_var.set(user_id)
    try:
        yield
    finally:
        user_id_var.reset(user_token)
        update_id_var.reset(update_token)


def _record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    record.update_id = update_id_var.get()
    record.user_id = user_id_var.get()
    return record


def install_record_factory() -> None:
    """Idempotent; the context is read when a record is created, in the task that logs it."""
    global _installed
    if not _installed:
        logging.setLogRecordFactory(_record_factory)
        _installed = True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = _context_of(record)
        if not context:
            return line
        suffix = " ".join(f"{key}={value}" for key, value in context.items())
        # Appended after the first line so a traceback below stays intact.
        first, sep, rest = line.partition("\n")
        return f"{first} [{suffix}]{sep}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, message, update_id, user_id, exc, plus `extra=` keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "update_id": getattr(record, "update_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _context_of(record: logging.LogRecord) -> dict[str, int]:
    context: dict[str, int] = {}
    for key in ("update_id", "user_id"):
        value = getattr(record, key, None)
        if value is not None:
            context[key] = value
    return context


def make_formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(
    level: str, log_format: str = "text", stream: IO[str] | None = None, *, force: bool = False
) -> None:
    """One handler on stderr in the chosen format. Like logging.basicConfig, it leaves a root logger
    that someone else already set up alone (pytest's capture, an embedding application) unless
    `force`; its own handler from an earlier call is always replaced."""
    fmt = log_format.strip().lower()
    if fmt not in FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    install_record_factory()
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _OWN_MARK, False)]:
        root.removeHandler(old)
    if force or not root.handlers:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(make_formatter(fmt))
        setattr(handler, _OWN_MARK, True)
        root.addHandler(handler)
        root.setLevel(getattr(logging, level.upper(), logging.INFO))
    # Alembic narrates every plugin it loads; only its warnings matter to an operator.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Two lines per scheduler tick (every SCHEDULER_TICK_SECONDS) would drown everything else; the tick
    # logs what it enqueued itself, and APScheduler's warnings and errors still come through.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # One line per webhook call would drown everything else; errors still come through aiogram's logger.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
