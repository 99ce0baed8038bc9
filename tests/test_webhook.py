"""Webhook mode: updates posted by the emulator, forged posts refused, health and readiness, a graceful
stop that finishes the update in hand, and log records that name the update and its sender."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.__main__ import main
from bot.config import ConfigError, Settings
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.runtime.logs import (
    JsonFormatter,
    TextFormatter,
    configure_logging,
    install_record_factory,
    log_context,
)
from bot.runtime.webhook import (
    WebhookServer,
    check_webhook_settings,
    running_webhook,
    start_webhook,
    stop_webhook,
)
from tests.conftest import ADMIN_ID, TOKEN, make_settings
from tg_emulator import BotAPIEmulator

SECRET = "test_secret-0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def webhook_settings(tmp_path: Path, emulator: BotAPIEmulator, database_url: str) -> Settings:
    return make_settings(tmp_path, emulator.base_url, database_url, webhook_secret=SECRET)


@asynccontextmanager
async def webhook_bot(settings: Settings, clock: FrozenClock) -> AsyncIterator[tuple[Runtime, WebhookServer]]:
    async with running_webhook(settings, clock) as (runtime, server):
        yield runtime, server


def forged_start(user_id: int, update_id: int = 900_001) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Анна"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_790_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Анна"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers or {}) as response,
    ):
        return response.status


async def get(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def test_updates_arrive_by_webhook_and_are_answered(
    emulator: BotAPIEmulator, webhook_settings: Settings, clock: FrozenClock
) -> None:
    async with webhook_bot(webhook_settings, clock) as (_runtime, server):
        assert emulator.webhook_url == f"{server.local_url}{webhook_settings.webhook_path}"
        assert emulator.engine.webhook.secret_token == SECRET
        anna = emulator.add_user(ADMIN_ID, "Анна")
        await anna.send("/start")
        await anna.expect(contains="Вы — администратор", timeout=10)
        assert emulator.stats.webhook_deliveries >= 1
        assert emulator.stats.requests["getUpdates"] == 0
        # allowed_updates came from the routers: callback queries are among them, channel posts not.
        allowed = emulator.engine.updates.allowed_updates
        assert allowed is not None and "callback_query" in allowed and "channel_post" not in allowed


async def test_posts_without_the_secret_are_refused_and_not_handled(
    emulator: BotAPIEmulator, webhook_settings: Settings, clock: FrozenClock
) -> None:
    anna = emulator.add_user(ADMIN_ID, "Анна", started=True)
    async with webhook_bot(webhook_settings, clock) as (_runtime, server):
        url = f"{server.local_url}{webhook_settings.webhook_path}"
        assert await post(url, forged_start(ADMIN_ID, 900_001)) in (401, 403)
        assert await post(url, forged_start(ADMIN_ID, 900_002), {SECRET_HEADER: "wrong"}) in (401, 403)
        await asyncio.sleep(0.5)
        assert anna.messages == []
        # The same post with the right secret is handled: the refusals above were not for other reasons.
        assert await post(url, forged_start(ADMIN_ID, 900_003), {SECRET_HEADER: SECRET}) == 200
        await anna.expect(contains="Вы — администратор", timeout=10)
        assert len(anna.messages) == 1


async def test_health_and_readiness(
    emulator: BotAPIEmulator, webhook_settings: Settings, clock: FrozenClock
) -> None:
    async with webhook_bot(webhook_settings, clock) as (runtime, server):
        assert await get(f"{server.local_url}/healthz") == (200, {"status": "ok"})
        await wait_until(lambda: runtime.lease is not None and runtime.lease.held)
        status, body = await get(f"{server.local_url}/readyz")
        assert status == 200, body
        assert body == {"status": "ready", "checks": {"database": "ok"}, "background": "active"}


async def test_readiness_names_what_is_wrong(
    emulator: BotAPIEmulator, tmp_path: Path, database_url: str, clock: FrozenClock
) -> None:
    # Nothing listens on port 1: Redis is down, the database is fine.
    settings = make_settings(
        tmp_path, emulator.base_url, database_url, webhook_secret=SECRET, redis_url="redis://127.0.0.1:1/0"
    )
    async with webhook_bot(settings, clock) as (_runtime, server):
        assert (await get(f"{server.local_url}/healthz"))[0] == 200
        status, body = await get(f"{server.local_url}/readyz")
        assert status == 503, body
        assert body["status"] == "unavailable" and body["checks"]["database"] == "ok"
        assert body["checks"]["redis"].startswith("error:"), body


class HoldAnswer:
    """Holds the bot's sendMessage to one chat before the emulator handles it, until released."""

    def __init__(self, chat_id: int) -> None:
        self.chat_id = str(chat_id)
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, method: str, params: dict[str, Any]) -> None:
        if method == "sendMessage" and str(params.get("chat_id")) == self.chat_id:
            self.entered.set()
            await self.release.wait()


async def test_graceful_stop_finishes_the_update_in_hand(
    emulator: BotAPIEmulator, webhook_settings: Settings, clock: FrozenClock
) -> None:
    anna = emulator.add_user(ADMIN_ID, "Анна")
    hold = HoldAnswer(ADMIN_ID)
    async with Runtime(webhook_settings, clock=clock) as runtime:
        server = await start_webhook(runtime, host="127.0.0.1", port=0, local=True)
        emulator.on_request = hold
        await anna.send("/start")
        await asyncio.wait_for(hold.entered.wait(), timeout=10)
        stopping = asyncio.create_task(stop_webhook(runtime, server))
        await asyncio.sleep(0.3)
        # Not listening any more, but still waiting for the handler that is half-way through.
        assert not stopping.done()
        with pytest.raises(aiohttp.ClientConnectionError):
            await get(f"{server.local_url}/healthz")
        hold.release.set()
        await asyncio.wait_for(stopping, timeout=30)
        # The answer went out before the bot's session closed.
        await anna.expect(contains="Вы — администратор", timeout=1)
    emulator.on_request = None


async def test_log_records_name_the_update_and_the_user(
    emulator: BotAPIEmulator,
    webhook_settings: Settings,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_record_factory()

    async def probe(
        handler: Callable[[Any, dict[str, Any]], Awaitable[Any]], event: Any, data: dict[str, Any]
    ) -> Any:
        logging.getLogger("tests.probe").info("inside a handler")
        return await handler(event, data)

    anna = emulator.add_user(ADMIN_ID, "Анна")
    async with webhook_bot(webhook_settings, clock) as (runtime, _server):
        runtime.dp.message.middleware(probe)
        with caplog.at_level(logging.INFO):
            await anna.send("/start")
            await anna.expect(contains="Вы — администратор", timeout=10)
            await asyncio.sleep(0.1)
            logging.getLogger("tests.probe").info("outside")
    inside = next(r for r in caplog.records if r.getMessage() == "inside a handler")
    outside = next(r for r in caplog.records if r.getMessage() == "outside")
    assert isinstance(inside.update_id, int) and inside.user_id == ADMIN_ID  # type: ignore[attr-defined]
    assert outside.update_id is None and outside.user_id is None  # type: ignore[attr-defined]
    # aiogram's own line about the update, logged outside the middlewares, still names it.
    handled = next(r for r in caplog.records if r.name == "aiogram.event" and "is handled" in r.getMessage())
    assert handled.update_id == inside.update_id  # type: ignore[attr-defined]

    entry = json.loads(JsonFormatter().format(inside))
    assert entry["update_id"] == inside.update_id and entry["user_id"] == ADMIN_ID  # type: ignore[attr-defined]
    assert (
        entry["level"] == "INFO"
        and entry["logger"] == "tests.probe"
        and entry["message"] == "inside a handler"
    )
    assert TextFormatter().format(inside).endswith(f"[update_id={entry['update_id']} user_id={ADMIN_ID}]")


def test_json_lines_and_text_lines() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("INFO", "json", stream, force=True)
        log = logging.getLogger("tests.json")
        with log_context(7, 42):
            log.warning("with %s", "context", extra={"batch": "res-1"})
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed")
        configure_logging("INFO", "text", stream, force=True)
        log.info("plain")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    lines = stream.getvalue().splitlines()
    first = json.loads(lines[0])
    second = json.loads(lines[1])
    assert first["message"] == "with context" and first["update_id"] == 7 and first["user_id"] == 42
    assert first["batch"] == "res-1" and first["level"] == "WARNING" and first["ts"].endswith("+00:00")
    assert second["update_id"] is None and "ValueError: boom" in second["exc"]
    third = lines[-1]
    assert third.endswith("INFO tests.json: plain") and "update_id" not in third
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        configure_logging("INFO", "xml", stream)


def test_webhook_mode_needs_a_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(
        tmp_path, "http://127.0.0.1:1", "sqlite+aiosqlite:///x", webhook_url="https://bot.example.org"
    )
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        check_webhook_settings(settings)
    bad = settings.model_copy(update={"webhook_secret": SecretStr("has spaces")})
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        check_webhook_settings(bad)
    # From the command line: one line, status 2, before anything is opened.
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("WEBHOOK_SECRET не задан") and len(err.strip().splitlines()) == 1


async def test_startup_mistakes_end_in_a_config_error(
    emulator: BotAPIEmulator, webhook_settings: Settings, clock: FrozenClock
) -> None:
    async with Runtime(webhook_settings, clock=clock) as runtime:
        server = WebhookServer(runtime, host="127.0.0.1", port=0)
        await server.start()
        try:
            with pytest.raises(ConfigError, match="Telegram отказался регистрировать вебхук ftp://"):
                await server.register("ftp://bot.example.org")
            taken = WebhookServer(runtime, host="127.0.0.1", port=server.port)
            with pytest.raises(
                ConfigError,
                match=r"Не удаётся принимать соединения на WEBHOOK_HOST:WEBHOOK_PORT=127\.0\.0\.1:",
            ):
                await taken.start()
        finally:
            await server.stop()


async def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


# -- the real process ------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
async def test_python_m_bot_serves_the_webhook_and_stops_cleanly_on_sigterm(
    emulator: BotAPIEmulator, tmp_path: Path
) -> None:
    port = free_port()
    env = dict(os.environ)
    for name in Settings.model_fields:
        env.pop(name.upper(), None)
    env.update(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=emulator.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        ADMIN_IDS=str(ADMIN_ID),
        EVIDENCE_DIR=str(tmp_path / "evidence"),
        DIGEST_DIR=str(tmp_path / "digests"),
        SCHEDULER_TICK_SECONDS="3600",
        WEBHOOK_URL=f"http://127.0.0.1:{port}",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(port),
        LOG_FORMAT="json",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "bot.log"
    anna = emulator.add_user(ADMIN_ID, "Анна")
    hold = HoldAnswer(ADMIN_ID)
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        await until_true(lambda: bool(emulator.webhook_url), process, log_path)
        emulator.on_request = hold
        await anna.send("/start")
        await asyncio.wait_for(hold.entered.wait(), timeout=60)
        process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        assert process.returncode is None  # waiting for the update in hand
        hold.release.set()
        code = await asyncio.wait_for(process.wait(), timeout=60)
    finally:
        emulator.on_request = None
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = log_path.read_text(encoding="utf-8")
    assert code == 0, output
    assert "Traceback" not in output, output
    await anna.expect(contains="Вы — администратор", timeout=1)
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(r["logger"] == "bot.cli.commands" and r["message"] == "stopped" for r in records), output
    assert any(r["update_id"] is not None for r in records), output


async def until_true(check: Callable[[], bool], process: asyncio.subprocess.Process, log_path: Path) -> None:
    deadline = asyncio.get_running_loop().time() + 60
    while not check():
        if process.returncode is not None:
            pytest.fail(f"the bot exited ({process.returncode}):\n{log_path.read_text()}")
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out:\n{log_path.read_text()}")
        await asyncio.sleep(0.05)
