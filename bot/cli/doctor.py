"""`python -m bot doctor`: is this installation ready to run? One line per check, and what to fix.

Exit status 0 when every check passed, 1 otherwise. Whatever goes wrong is reported as a failed check,
never as a traceback: the operator reading this is setting the bot up, not debugging it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import PUBLIC_API_URL, ConfigError, Settings, operator_locale
from bot.texts.i18n import Translator, translator

if TYPE_CHECKING:
    from aiogram import Bot

OK, FAIL, SKIP = "OK", "FAIL", "SKIP"
TIMEOUT = 10.0
# A delivery error Telegram reported this recently means the webhook is failing now, not long ago.
RECENT_WEBHOOK_ERROR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Check:
    """`name` and `status` are stable ids; `line` prints them in the operator's language."""

    name: str
    status: str
    detail: str

    def line(self, t: Translator) -> str:
        status = t.plain(f"doctor.status.{self.status.lower()}")
        return f"{status:<7} {t.plain(f'doctor.check.{self.name}')}: {self.detail}"


class Failed(Exception):
    """A check's failure with the sentence to print; anything else raised is reported as unexpected."""


Probe = Callable[[], Awaitable[str]]


async def _run(t: Translator, name: str, probe: Probe) -> Check:
    try:
        detail = await asyncio.wait_for(probe(), timeout=TIMEOUT * 2)
    except (Failed, ConfigError) as exc:
        return Check(name, FAIL, str(exc))
    except TimeoutError:
        return Check(name, FAIL, t.plain("doctor.no_answer", seconds=f"{TIMEOUT * 2:g}"))
    except Exception as exc:
        return Check(
            name, FAIL, t.plain("doctor.unexpected", name=type(exc).__name__, reason=_first_line(exc))
        )
    return Check(name, OK, detail)


async def run_checks(load: Callable[[], Settings]) -> list[Check]:
    try:
        settings = load()
    except ConfigError as exc:
        t = translator(operator_locale())
        return [Check("settings", FAIL, t.plain("settings.fix_hint", message=str(exc)))]
    except Exception as exc:
        t = translator(operator_locale())
        return [Check("settings", FAIL, t.plain("settings.unreadable", reason=_first_line(exc)))]
    t = translator(settings.default_locale)
    checks = [await _run(t, "settings", lambda: _settings(t, settings))]
    token_check = await _run(t, "bot token", lambda: _token(t, settings))
    checks.append(token_check)
    if settings.webhook_url:
        checks.append(await _run(t, "webhook settings", lambda: _webhook_settings(t, settings)))
    checks.append(await _run(t, "database", lambda: _database(t, settings)))
    if settings.redis_url:
        checks.append(await _run(t, "redis", lambda: _redis(t, settings.redis_url or "")))
    else:
        checks.append(Check("redis", SKIP, t.plain("doctor.redis_skip")))
    if token_check.status == OK:
        checks.extend(await _bot_api(t, settings))
    else:
        checks.append(Check("bot api", SKIP, t.plain("doctor.api_skip")))
    for name, directory, setting in (
        ("evidence dir", settings.evidence_dir, "EVIDENCE_DIR"),
        ("digest dir", settings.digest_dir, "DIGEST_DIR"),
    ):
        checks.append(
            await _run(t, name, lambda d=directory, s=setting: asyncio.to_thread(_writable, t, d, s))
        )
    return checks


async def _settings(t: Translator, settings: Settings) -> str:
    from apscheduler.triggers.cron import CronTrigger

    # Validated when read; shown with its next run so a plausible but wrong schedule is seen too.
    trigger = CronTrigger.from_crontab(settings.digest_cron, timezone=settings.tz)
    next_digest = trigger.get_next_fire_time(None, dt.datetime.now(settings.tz))
    when = f"{next_digest:%d.%m.%Y %H:%M %Z}" if next_digest else t.plain("doctor.never")
    if settings.webhook_url:
        mode = t.plain("doctor.mode_webhook", url=settings.webhook_url)
    else:
        mode = t.plain("doctor.mode_polling")
    return t.plain(
        "doctor.settings_ok",
        mode=mode,
        locale=settings.locale,
        timezone=settings.timezone,
        log_format=settings.log_format,
        cron=settings.digest_cron,
        next=when,
    )


async def _token(t: Translator, settings: Settings) -> str:
    token = settings.require_token()
    return t.plain("doctor.token_ok", id=token.partition(":")[0])


async def _webhook_settings(t: Translator, settings: Settings) -> str:
    from bot.runtime.webhook import check_webhook_settings, webhook_target

    check_webhook_settings(settings)
    target = webhook_target(settings.webhook_url or "", settings.webhook_path)
    if settings.telegram_api_url == PUBLIC_API_URL and not target.startswith("https://"):
        raise Failed(t.plain("doctor.webhook_not_https", target=target))
    address = f"{settings.webhook_host}:{settings.webhook_port}{settings.webhook_path}"
    return t.plain("doctor.webhook_settings_ok", target=target, address=address)


async def _database(t: Translator, settings: Settings) -> str:
    from storage.db import DatabaseUrlError, create_engine, is_sqlite, normalize_url
    from storage.migrate import pending_revisions

    try:
        url = normalize_url(settings.database_url)
    except DatabaseUrlError as exc:
        raise Failed(t.plain(exc.key, **exc.params)) from exc
    shown = make_url(url).render_as_string(hide_password=True)
    if is_sqlite(url) and (missing := _missing_sqlite_file(url)):
        raise Failed(t.plain("doctor.db_missing_file", path=missing))
    engine = create_engine(url)
    try:
        try:
            async with engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise Failed(t.plain("doctor.db_unreachable", url=shown, reason=_first_line(exc))) from exc
        except Exception as exc:
            raise Failed(t.plain("doctor.db_unusable", url=shown, reason=_first_line(exc))) from exc
        pending = await pending_revisions(engine)
    finally:
        await engine.dispose()
    if pending:
        raise Failed(t.plain("doctor.db_pending", url=shown, names=", ".join(reversed(pending))))
    return t.plain("doctor.db_ok", url=shown)


async def _redis(t: Translator, url: str) -> str:
    from bot.runtime.checks import check_redis

    # The start-up check itself, so the doctor and `run` can never disagree about Redis.
    try:
        await check_redis(url, t)
    except ConfigError as exc:
        raise Failed(str(exc)) from exc
    return t.plain("doctor.redis_ok")


async def _bot_api(t: Translator, settings: Settings) -> list[Check]:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    bot = Bot(
        settings.require_token(),
        session=AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url)),
    )
    try:
        me = await _run(t, "bot api", lambda: _get_me(t, bot, settings))
        if me.status != OK:
            return [me]
        return [me, await _run(t, "webhook", lambda: _webhook_info(t, bot, settings))]
    finally:
        await bot.session.close()


async def _get_me(t: Translator, bot: Bot, settings: Settings) -> str:
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    url = settings.telegram_api_url
    try:
        me = await bot.get_me(request_timeout=int(TIMEOUT))
    except TelegramUnauthorizedError as exc:
        raise Failed(t.plain("startup.token_rejected")) from exc
    except TelegramNetworkError as exc:
        raise Failed(t.plain("startup.api_unreachable", url=url, reason=_first_line(exc))) from exc
    return t.plain("doctor.api_ok", username=me.username, id=me.id, url=url)


async def _webhook_info(t: Translator, bot: Bot, settings: Settings) -> str:
    info = await bot.get_webhook_info(request_timeout=int(TIMEOUT))
    pending = t.plain("doctor.pending", count=info.pending_update_count)
    if not settings.webhook_url:
        if info.url:
            raise Failed(t.plain("doctor.webhook_conflict", url=info.url))
        return t.plain("doctor.webhook_none", pending=pending)
    from bot.runtime.webhook import webhook_target

    expected = webhook_target(settings.webhook_url, settings.webhook_path)
    if not info.url:
        return t.plain("doctor.webhook_not_yet", url=expected, pending=pending)
    if info.url != expected:
        raise Failed(t.plain("doctor.webhook_other", url=info.url, expected=expected))
    if info.last_error_date is not None:
        when = info.last_error_date
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        if dt.datetime.now(dt.UTC) - when < RECENT_WEBHOOK_ERROR:
            reason = info.last_error_message or ""
            raise Failed(t.plain("doctor.webhook_failing", url=info.url, reason=reason, time=f"{when:%H:%M}"))
    return t.plain("doctor.webhook_ok", url=info.url, pending=pending)


def _writable(t: Translator, directory: Path, setting: str) -> str:
    from bot.runtime.checks import check_writable

    try:
        check_writable(directory, setting, t)
    except ConfigError as exc:
        raise Failed(str(exc)) from exc
    return t.plain("doctor.dir_ok", path=directory.resolve())


def _missing_sqlite_file(url: str) -> str | None:
    database = make_url(url).database
    if database and database != ":memory:" and not Path(database).exists():
        return database
    return None


def _first_line(exc: BaseException) -> str:
    text_ = str(exc).strip() or type(exc).__name__
    return text_.splitlines()[0]


def report(checks: list[Check], t: Translator | None = None) -> int:
    t = t or translator(operator_locale())
    for check in checks:
        print(check.line(t))
    failed = [c for c in checks if c.status == FAIL]
    print(t.n("doctor.failed_n", len(failed)) if failed else t.plain("doctor.all_passed"))
    return 1 if failed else 0


def main(load: Callable[[], Settings]) -> int:
    # Library warnings would interleave with the report; each problem is already one of its lines.
    logging.disable(logging.CRITICAL)
    try:
        checks = asyncio.run(run_checks(load))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in the doctor itself still ends in one line
        t = translator(operator_locale())
        unexpected = t.plain("doctor.unexpected", name=type(exc).__name__, reason=_first_line(exc))
        print(Check("doctor", FAIL, unexpected).line(t), file=sys.stderr)
        return 1
    return report(checks, translator(_locale(load)))


def _locale(load: Callable[[], Settings]) -> str:
    """The report speaks the language its checks were written in: LOCALE, from .env too when it reads."""
    try:
        return load().default_locale
    except Exception:
        return operator_locale()
