"""`python -m bot doctor`: is this installation ready to run? One line per check, and what to fix.

Exit status 0 when every check passed, 1 otherwise. Whatever goes wrong is reported as a failed check,
never as a traceback: the operator reading this is setting the bot up, not debugging it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import PUBLIC_API_URL, ConfigError, Settings

if TYPE_CHECKING:
    from aiogram import Bot

OK, FAIL, SKIP = "OK", "FAIL", "SKIP"
TIMEOUT = 10.0
# A delivery error Telegram reported this recently means the webhook is failing now, not long ago.
RECENT_WEBHOOK_ERROR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str

    @property
    def line(self) -> str:
        return f"{self.status:<4} {self.name}: {self.detail}"


class Failed(Exception):
    """A check's failure with the sentence to print; anything else raised is reported as unexpected."""


Probe = Callable[[], Awaitable[str]]


async def _run(name: str, probe: Probe) -> Check:
    try:
        detail = await asyncio.wait_for(probe(), timeout=TIMEOUT * 2)
    except Failed as exc:
        return Check(name, FAIL, str(exc))
    except ConfigError as exc:
        return Check(name, FAIL, str(exc))
    except TimeoutError:
        return Check(name, FAIL, f"no answer within {TIMEOUT * 2:g} s")
    except Exception as exc:
        return Check(name, FAIL, f"unexpected {type(exc).__name__}: {_first_line(exc)}")
    return Check(name, OK, detail)


async def run_checks(load: Callable[[], Settings]) -> list[Check]:
    try:
        settings = load()
    except ConfigError as exc:
        return [Check("settings", FAIL, f"{exc} (fix it in .env or the environment)")]
    except Exception as exc:
        return [Check("settings", FAIL, f"cannot read the settings: {_first_line(exc)}")]
    mode = f"webhook ({settings.webhook_url})" if settings.webhook_url else "long polling"
    checks = [await _run("settings", lambda: _settings(settings, mode))]
    token_check = await _run("bot token", lambda: _token(settings))
    checks.append(token_check)
    if settings.webhook_url:
        checks.append(await _run("webhook settings", lambda: _webhook_settings(settings)))
    checks.append(await _run("database", lambda: _database(settings)))
    if settings.redis_url:
        checks.append(await _run("redis", lambda: _redis(settings.redis_url or "")))
    else:
        checks.append(
            Check("redis", SKIP, "REDIS_URL not set: dialog state in the database (fine for one process)")
        )
    if token_check.status == OK:
        checks.extend(await _bot_api(settings))
    else:
        checks.append(Check("bot api", SKIP, "needs a well-formed BOT_TOKEN first"))
    checks.append(
        await _run(
            "evidence dir", lambda: asyncio.to_thread(_writable, settings.evidence_dir, "EVIDENCE_DIR")
        )
    )
    checks.append(
        await _run("digest dir", lambda: asyncio.to_thread(_writable, settings.digest_dir, "DIGEST_DIR"))
    )
    return checks


async def _settings(settings: Settings, mode: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    # Validated when read; shown with its next run so a plausible but wrong schedule is seen too.
    trigger = CronTrigger.from_crontab(settings.digest_cron, timezone=settings.tz)
    next_digest = trigger.get_next_fire_time(None, dt.datetime.now(settings.tz))
    when = f"{next_digest:%Y-%m-%d %H:%M %Z}" if next_digest else "never"
    return (
        f"read; mode {mode}, locale {settings.locale}, timezone {settings.timezone}, "
        f"log format {settings.log_format}, digests '{settings.digest_cron}' (next {when})"
    )


async def _token(settings: Settings) -> str:
    token = settings.require_token()
    return f"well-formed (bot id {token.partition(':')[0]})"


async def _webhook_settings(settings: Settings) -> str:
    from bot.runtime.webhook import check_webhook_settings, webhook_target

    check_webhook_settings(settings)
    target = webhook_target(settings.webhook_url or "", settings.webhook_path)
    if settings.telegram_api_url == PUBLIC_API_URL and not target.startswith("https://"):
        raise Failed(f"Telegram only posts to https:// URLs, not {target}: put TLS in front (see deploy/)")
    return (
        f"secret set; Telegram posts to {target}, "
        f"served on {settings.webhook_host}:{settings.webhook_port}{settings.webhook_path}"
    )


async def _database(settings: Settings) -> str:
    from storage.db import DatabaseUrlError, create_engine, is_sqlite, normalize_url
    from storage.migrate import pending_revisions

    try:
        url = normalize_url(settings.database_url)
    except DatabaseUrlError as exc:
        raise Failed(str(exc)) from exc
    shown = make_url(url).render_as_string(hide_password=True)
    if is_sqlite(url) and (missing := _missing_sqlite_file(url)):
        raise Failed(f"no database file at {missing}: run `python -m bot migrate` (or start the bot once)")
    engine = create_engine(url)
    try:
        try:
            async with engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise Failed(
                f"cannot connect to {shown}: {_first_line(exc)}; is the server up and the URL right?"
            ) from exc
        except Exception as exc:
            raise Failed(
                f"cannot use {shown}: {_first_line(exc)}; check DATABASE_URL and its credentials"
            ) from exc
        pending = await pending_revisions(engine)
    finally:
        await engine.dispose()
    if pending:
        names = ", ".join(reversed(pending))
        raise Failed(f"{shown} needs {len(pending)} migration(s) ({names}): run `python -m bot migrate`")
    return f"{shown} reachable, schema up to date"


async def _redis(url: str) -> str:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    try:
        client = Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
    except ValueError as exc:
        raise Failed(f"REDIS_URL is not a Redis URL: {exc}; e.g. redis://localhost:6379/0") from exc
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        raise Failed(f"cannot reach Redis at REDIS_URL: {_first_line(exc)}; is it running?") from exc
    finally:
        await client.aclose()
    return "reachable (PING answered)"


async def _bot_api(settings: Settings) -> list[Check]:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    bot = Bot(
        settings.require_token(),
        session=AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url)),
    )
    try:
        me = await _run("bot api", lambda: _get_me(bot, settings))
        if me.status != OK:
            return [me]
        return [me, await _run("webhook", lambda: _webhook_info(bot, settings))]
    finally:
        await bot.session.close()


async def _get_me(bot: Bot, settings: Settings) -> str:
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    try:
        me = await bot.get_me(request_timeout=int(TIMEOUT))
    except TelegramUnauthorizedError as exc:
        raise Failed("Telegram rejected BOT_TOKEN: copy the token again from @BotFather") from exc
    except TelegramNetworkError as exc:
        raise Failed(
            f"cannot reach TELEGRAM_API_URL={settings.telegram_api_url}: {_first_line(exc)}; "
            "check the network, DNS or proxy"
        ) from exc
    return f"getMe answered: @{me.username} (id {me.id}) at {settings.telegram_api_url}"


async def _webhook_info(bot: Bot, settings: Settings) -> str:
    info = await bot.get_webhook_info(request_timeout=int(TIMEOUT))
    pending = f"{info.pending_update_count} update(s) waiting"
    if not settings.webhook_url:
        if info.url:
            raise Failed(
                f"a webhook is registered ({info.url}) but WEBHOOK_URL is not set: polling would get "
                "409 Conflict; set WEBHOOK_URL, or remove the webhook with deleteWebhook"
            )
        return f"none registered, as long polling needs; {pending}"
    from bot.runtime.webhook import webhook_target

    expected = webhook_target(settings.webhook_url, settings.webhook_path)
    if not info.url:
        return f"not registered yet: the bot registers {expected} when it starts; {pending}"
    if info.url != expected:
        raise Failed(
            f"registered for {info.url}, not {expected}: another deployment may be using this token "
            "(or WEBHOOK_URL changed; the bot re-registers at start)"
        )
    if info.last_error_date is not None:
        when = info.last_error_date
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        if dt.datetime.now(dt.UTC) - when < RECENT_WEBHOOK_ERROR:
            raise Failed(
                f"Telegram cannot deliver to {info.url}: {info.last_error_message} "
                f"(at {when:%H:%M} UTC); check the reverse proxy, TLS certificate and firewall"
            )
    return f"registered at {info.url}; {pending}"


def _writable(directory: Path, setting: str) -> str:
    probe = directory / f".doctor-{uuid.uuid4().hex[:8]}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise Failed(
            f"cannot write to {directory} ({exc.strerror or exc}): create it and let the bot's user write "
            f"there, or point {setting} elsewhere"
        ) from exc
    return f"{directory.resolve()} is writable"


def _missing_sqlite_file(url: str) -> str | None:
    database = make_url(url).database
    if database and database != ":memory:" and not Path(database).exists():
        return database
    return None


def _first_line(exc: BaseException) -> str:
    text_ = str(exc).strip() or type(exc).__name__
    return text_.splitlines()[0]


def report(checks: list[Check]) -> int:
    for check in checks:
        print(check.line)
    failed = [c for c in checks if c.status == FAIL]
    print(f"{len(failed)} check(s) failed" if failed else "all checks passed")
    return 1 if failed else 0


def main(load: Callable[[], Settings]) -> int:
    # Library warnings would interleave with the report; each problem is already one of its lines.
    logging.disable(logging.CRITICAL)
    try:
        checks = asyncio.run(run_checks(load))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in the doctor itself still ends in one line
        print(f"FAIL doctor: unexpected {type(exc).__name__}: {_first_line(exc)}", file=sys.stderr)
        return 1
    return report(checks)
