"""What the bot depends on, checked before it starts: without it people would simply get no answer.

Redis (when REDIS_URL is set) holds every dialog's state; EVIDENCE_DIR takes each uploaded file and
DIGEST_DIR each digest. Each failure is one sentence for the operator, and `run` exits with status 2.
"""

from __future__ import annotations

import errno
import uuid
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.texts.i18n import Translator, translator

REDIS_TIMEOUT = 5.0


async def check_dependencies(settings: Settings) -> None:
    """Raises ConfigError with the first problem found, in the operator's language (LOCALE)."""
    t = translator(settings.default_locale)
    if settings.redis_url:
        await check_redis(settings.redis_url, t)
    for directory, setting in ((settings.evidence_dir, "EVIDENCE_DIR"), (settings.digest_dir, "DIGEST_DIR")):
        check_writable(directory, setting, t)


async def check_redis(url: str, t: Translator) -> None:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    try:
        client = Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
    except ValueError as exc:
        raise ConfigError(t.plain("startup.redis_bad_url", reason=_first_line(exc))) from exc
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        raise ConfigError(t.plain("startup.redis_unreachable", reason=_first_line(exc))) from exc
    finally:
        await client.aclose()


def check_writable(directory: Path, setting: str, t: Translator) -> None:
    """Creates the folder if need be and writes a probe file there, as the bot will."""
    probe = directory / f".write-check-{uuid.uuid4().hex[:8]}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        reason = folder_problem(exc, t)
        raise ConfigError(
            t.plain("startup.dir_not_writable", path=directory, setting=setting, reason=reason)
        ) from exc


def folder_problem(exc: OSError, t: Translator) -> str:
    """The reason in words of the catalog, not the C library's English."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return t.plain("cli.folder_denied")
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return t.plain("cli.folder_is_file")
    return t.plain("cli.folder_failed", code=exc.errno or "?")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
