"""Settings from the environment and `.env`; secrets never come from anywhere else."""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PUBLIC_API_URL = "https://api.telegram.org"
_TOKEN_RE = re.compile(r"^\d{3,12}:[A-Za-z0-9_-]{20,}$")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says what to fix."""


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
    scheduler_tick_seconds: float = Field(default=30.0, gt=0)
    # How long the process running the outbox pump and the scheduler may go silent before another takes
    # over; shorter fails over sooner, but a process stalled that long (a GC pause, a slow disk) loses it.
    lease_ttl_seconds: float = Field(default=15.0, ge=3, le=600)

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
    # Municipalities' traffic lights on the dashboard: green from this share done, yellow from the next.
    dashboard_green_percent: float = Field(default=80.0, ge=0, le=100)
    dashboard_yellow_percent: float = Field(default=50.0, ge=0, le=100)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("ADMIN_IDS must be comma-separated Telegram ids, e.g. 12345,67890")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _parse_reminder_days(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not all(p.isdigit() for p in parts):
                raise ValueError("REMINDER_DAYS must be comma-separated whole days, e.g. 7,1")
            return tuple(sorted({int(p) for p in parts}, reverse=True))
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TIMEZONE {value!r} is not an IANA zone such as Europe/Moscow") from exc
        return value

    @field_validator("locale", mode="before")
    @classmethod
    def _lower_locale(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("digest_cron")
    @classmethod
    def _check_cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        example = "e.g. '0 9 * * mon' for Mondays at 09:00"
        try:
            trigger = CronTrigger.from_crontab(value.strip(), timezone=ZoneInfo("UTC"))
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a cron expression (minute hour day month weekday), {example}"
            ) from exc
        if trigger.get_next_fire_time(None, dt.datetime.now(dt.UTC)) is None:
            raise ValueError(f"{value!r} never comes round, {example}")
        return value.strip()

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("TELEGRAM_API_URL must start with http:// or https://")
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

    @field_validator("dashboard_yellow_percent")
    @classmethod
    def _yellow_below_green(cls, value: float, info: ValidationInfo) -> float:
        green = info.data.get("dashboard_green_percent")
        if green is not None and value > green:
            raise ValueError("DASHBOARD_YELLOW_PERCENT must not exceed DASHBOARD_GREEN_PERCENT")
        return value

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
        token = self.bot_token.get_secret_value().strip()
        if not token:
            raise ConfigError(
                "BOT_TOKEN is not set: put the token from @BotFather into .env or the environment"
            )
        if not _TOKEN_RE.match(token):
            raise ConfigError("BOT_TOKEN looks malformed: expected <digits>:<secret> as given by @BotFather")
        return token
