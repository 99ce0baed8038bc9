"""Settings from the environment and `.env`; secrets never come from anywhere else."""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.ranking import DEFAULT_GREEN_PERCENT, DEFAULT_YELLOW_PERCENT, Thresholds

PUBLIC_API_URL = "https://api.telegram.org"
_TOKEN_RE = re.compile(r"^\d{3,12}:[A-Za-z0-9_-]{20,}$")
# «9», «9:00», «09:30», «9.30»: an hour and, if given, minutes.
_TIME_RE = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says what to fix."""


class SettingError(ValueError):
    """A validator's verdict as a catalog key: the locale is not known until every setting is read."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def operator_locale() -> str:
    """The language for messages about settings that could not be read (LOCALE=en asks for English)."""
    return "en" if os.environ.get("LOCALE", "").strip().lower() == "en" else "ru"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr = SecretStr("")
    telegram_api_url: str = PUBLIC_API_URL
    database_url: str = "sqlite+aiosqlite:///./data/bot.sqlite3"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Europe/Moscow"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    # "auto": each person in the language of their Telegram (English or Russian, Russian otherwise);
    # "ru" or "en": everyone in that language, whatever their Telegram is set to.
    locale: Literal["auto", "ru", "en"] = "auto"

    invite_ttl_days: int = Field(default=14, ge=1, le=365)
    evidence_dir: Path = Path("./data/evidence")
    digest_dir: Path = Path("./data/digests")
    redis_url: str | None = None

    # Telegram's own limits: about 30 messages/s overall and about one a second to one chat.
    send_rate: float = Field(default=30.0, gt=0, description="messages per second, all chats together")
    per_chat_interval: float = Field(default=1.0, ge=0, description="seconds between two sends to one chat")
    outbox_max_attempts: int = Field(default=8, ge=1)

    digest_cron: str = "0 9 * * mon"
    reminder_days: Annotated[tuple[int, ...], NoDecode] = (7, 1)
    nudge_after_days: int = Field(default=14, ge=1)
    # Reminders and nudges go out on working days between these hours (local time in TIMEZONE); one due
    # outside them waits for the start of the next working period.
    work_day_start: Annotated[dt.time, NoDecode] = dt.time(9)
    work_day_end: Annotated[dt.time, NoDecode] = dt.time(18)
    # New submissions are announced to each official at most once in this many minutes.
    review_notice_minutes: int = Field(default=60, ge=1, le=1440)
    scheduler_tick_seconds: float = Field(default=30.0, gt=0)
    # How long the process running the outbox pump and the scheduler may go silent before another takes
    # over; shorter fails over sooner, but a process stalled that long (a GC pause, a slow disk) loses it.
    lease_ttl_seconds: float = Field(default=15.0, ge=3, le=600)

    # Year over year: how alike (0..100, rapidfuzz token-set ratio) two recommendations' texts must be for
    # the later one to count as a repeat of the earlier one.
    repeat_threshold: float = Field(default=80.0, ge=50, le=100)

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    webhook_path: str = "/telegram/webhook"

    # The dashboard (Mini App): its public HTTPS address; unset, no dashboard button and no web server in
    # polling mode. Polling mode serves it on WEB_HOST:WEB_PORT, webhook mode on the webhook's server.
    webapp_url: str | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8081, ge=0, le=65535)
    # Telegram signs initData once, when the Mini App opens: older data is refused as a replay.
    webapp_init_max_age: int = Field(default=24 * 3600, ge=60, description="seconds")
    # Municipalities' traffic lights (dashboard and digest): green from this share of accepted «Выполнено»
    # with nothing overdue, yellow from the next. The DASHBOARD_* names are the ones older .env files use.
    ranking_green_percent: float = Field(
        default=DEFAULT_GREEN_PERCENT,
        ge=0,
        le=100,
        validation_alias=AliasChoices(
            "ranking_green_percent",
            "RANKING_GREEN_PERCENT",
            "dashboard_green_percent",
            "DASHBOARD_GREEN_PERCENT",
        ),
    )
    ranking_yellow_percent: float = Field(
        default=DEFAULT_YELLOW_PERCENT,
        ge=0,
        le=100,
        validation_alias=AliasChoices(
            "ranking_yellow_percent",
            "RANKING_YELLOW_PERCENT",
            "dashboard_yellow_percent",
            "DASHBOARD_YELLOW_PERCENT",
        ),
    )

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise SettingError("settings.admin_ids")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _parse_reminder_days(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not all(p.isdigit() for p in parts):
                raise SettingError("settings.reminder_days")
            return tuple(sorted({int(p) for p in parts}, reverse=True))
        return value

    @field_validator("work_day_start", "work_day_end", mode="before")
    @classmethod
    def _parse_work_time(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            match = _TIME_RE.match(value.strip())
            hour, minute = (int(match[1]), int(match[2] or 0)) if match else (24, 0)
            if hour > 23 or minute > 59:
                raise SettingError("settings.work_time", field=str(info.field_name).upper(), value=value)
            return dt.time(hour, minute)
        return value

    @field_validator("work_day_end")
    @classmethod
    def _end_after_start(cls, value: dt.time, info: ValidationInfo) -> dt.time:
        start = info.data.get("work_day_start")
        if start is not None and value <= start:
            raise SettingError(
                "settings.work_hours", start=start.strftime("%H:%M"), end=value.strftime("%H:%M")
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingError("settings.timezone", value=value) from exc
        return value

    @field_validator("locale", mode="before")
    @classmethod
    def _lower_locale(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("digest_cron")
    @classmethod
    def _check_cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            trigger = CronTrigger.from_crontab(value.strip(), timezone=ZoneInfo("UTC"))
        except ValueError as exc:
            raise SettingError("settings.cron_invalid", value=value) from exc
        if trigger.get_next_fire_time(None, dt.datetime.now(dt.UTC)) is None:
            raise SettingError("settings.cron_never", value=value)
        return value.strip()

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise SettingError("settings.api_url")
        return value.rstrip("/")

    @field_validator("webapp_url")
    @classmethod
    def _check_webapp_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        local = value.startswith(("http://127.0.0.1", "http://localhost"))
        if not value.startswith("https://") and not local:
            raise ValueError(
                "WEBAPP_URL must be an https:// address: Telegram opens Mini Apps only over HTTPS"
            )
        return value

    @field_validator("ranking_yellow_percent")
    @classmethod
    def _yellow_below_green(cls, value: float, info: ValidationInfo) -> float:
        green = info.data.get("ranking_green_percent")
        if green is not None and value > green:
            raise SettingError("settings.ranking_order", yellow=f"{value:g}", green=f"{green:g}")
        return value

    @property
    def ranking(self) -> Thresholds:
        """The traffic lights' thresholds, for the dashboard and the digest alike."""
        return Thresholds(self.ranking_green_percent, self.ranking_yellow_percent)

    @property
    def forced_locale(self) -> str | None:
        """The language everyone gets when the department chose one (LOCALE=ru or en), else None."""
        return None if self.locale == "auto" else self.locale

    @property
    def default_locale(self) -> str:
        """For whatever speaks to nobody in particular: the CLI, logs shown to the operator."""
        return self.forced_locale or "ru"

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require_token(self) -> str:
        from bot.texts.i18n import translator

        token = self.bot_token.get_secret_value().strip()
        if not token:
            raise ConfigError(translator(self.default_locale).plain("settings.token_missing"))
        if not _TOKEN_RE.match(token):
            raise ConfigError(translator(self.default_locale).plain("settings.token_malformed"))
        return token


_LIMITS = {"greater_than_equal": "ge", "less_than_equal": "le", "greater_than": "gt", "less_than": "lt"}
_KINDS = {"int_parsing": "int", "int_from_float": "int", "float_parsing": "float", "bool_parsing": "bool"}


def describe_invalid(exc: ValidationError) -> str:
    """The first problem pydantic found, as one sentence in the operator's language."""
    from bot.texts.i18n import translator

    t = translator(operator_locale())
    error = exc.errors()[0]
    field = str(error["loc"][0]).upper() if error["loc"] else "settings"
    ctx = error.get("ctx") or {}
    own = ctx.get("error")
    if isinstance(own, SettingError):
        return t.plain(own.key, **own.params)
    kind = error["type"]
    if kind in _LIMITS:
        why = t.plain(f"settings.why.{_LIMITS[kind]}", limit=ctx.get(_LIMITS[kind]))
    elif kind in _KINDS:
        why = t.plain(f"settings.why.{_KINDS[kind]}")
    elif kind == "literal_error":
        # pydantic joins the choices with an English «or».
        why = t.plain("settings.why.literal", expected=str(ctx.get("expected", "")).replace(" or ", ", "))
    else:
        why = t.plain("settings.why.other")
    return t.plain("settings.invalid", field=field, value=error.get("input", ""), why=why)
