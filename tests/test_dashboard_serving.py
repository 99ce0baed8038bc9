"""Where the dashboard opens and is served: the menu button of officials and municipal authorities, a
button under each digest, the polling mode's own server and the webhook's server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import aiohttp

from bot.domain.clock import FrozenClock
from bot.runtime.harness import running_bot
from bot.runtime.webhook import running_webhook
from bot.services.intents import DigestFiles, DigestParts, Recipient
from bot.telegram.outgoing import TelegramRenderer
from tests.conftest import ADMIN_ID, START, make_settings
from tests.dashboard_data import (
    MEMBER_ID,
    NORTH,
    NORTH_AUTHORITY_ID,
    OFFICIAL_ID,
    STRANGER_ID,
    init_data,
    seed,
)
from tests.helpers import admin
from tg_emulator import BotAPIEmulator

WEBAPP_URL = "https://dashboard.example.org/app"
SECRET = "s3cret-webhook-token"


async def get_json(url: str, auth: str | None) -> tuple[int, dict[str, object]]:
    headers = {"X-Telegram-Init-Data": auth} if auth else {}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def test_polling_mode_serves_the_dashboard_and_sets_menu_buttons(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str
) -> None:
    settings = make_settings(tmp_path, emulator.base_url, database_url, webapp_url=WEBAPP_URL, web_port=0)
    await seed(settings)
    for user_id in (ADMIN_ID, OFFICIAL_ID, MEMBER_ID, NORTH_AUTHORITY_ID):
        emulator.add_user(user_id, f"Пользователь {user_id}")
    async with running_bot(settings, FrozenClock(START)) as runtime:
        assert runtime.dashboard is not None
        buttons = emulator.engine.bot_settings
        for chat_id in (ADMIN_ID, OFFICIAL_ID, NORTH_AUTHORITY_ID):
            button = buttons[("menu_button", chat_id)]
            assert button["type"] == "web_app"
            assert button["web_app"] == {"url": WEBAPP_URL + "/"}
            assert button["text"] == "Панель"
        assert ("menu_button", MEMBER_ID) not in buttons
        status, body = await get_json(runtime.dashboard.local_url + "api/me", init_data(NORTH_AUTHORITY_ID))
        assert (status, body) == (200, {"municipality": NORTH})


async def test_webhook_mode_serves_the_dashboard_beside_the_webhook(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str
) -> None:
    settings = make_settings(
        tmp_path, emulator.base_url, database_url, webapp_url=WEBAPP_URL, webhook_secret=SECRET
    )
    await seed(settings)
    async with running_webhook(settings, FrozenClock(START)) as (_, server):
        status, body = await get_json(server.local_url + "/app/api/me", init_data(OFFICIAL_ID))
        assert (status, body) == (200, {"municipality": None})
        status, _ = await get_json(server.local_url + "/app/api/me", None)
        assert status == 401


async def test_without_webapp_url_nothing_is_served(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str
) -> None:
    settings = make_settings(tmp_path, emulator.base_url, database_url, webhook_secret=SECRET)
    async with running_webhook(settings, FrozenClock(START)) as (runtime, server):
        async with aiohttp.ClientSession() as http, http.get(server.local_url + "/app/") as response:
            assert response.status == 404
        assert ("menu_button", ADMIN_ID) not in emulator.engine.bot_settings
        assert runtime.dashboard is None


def test_a_digest_ends_with_a_button_that_opens_the_dashboard_at_its_resolution(tmp_path: Path) -> None:
    files = DigestFiles(tmp_path / "d.xlsx", tmp_path / "d.png", dt.date(2026, 9, 1))
    intent = DigestParts(Recipient(OFFICIAL_ID, 1, "ru"), "digest:x", ("часть 1", "часть 2"), files, 7)
    rows = TelegramRenderer("ru", WEBAPP_URL).rows([intent])
    texts = [row for row in rows if row["method"] == "sendMessage"]
    assert "reply_markup" not in texts[0]["payload"]
    button = texts[-1]["payload"]["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "Открыть панель исполнения", "web_app": {"url": WEBAPP_URL + "/?resolution=7"}}
    plain = TelegramRenderer("ru", None).rows([intent])
    assert all("reply_markup" not in row["payload"] for row in plain)


async def test_start_gives_an_official_the_dashboard_button(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str
) -> None:
    settings = make_settings(tmp_path, emulator.base_url, database_url, webapp_url=WEBAPP_URL, web_port=0)
    async with running_bot(settings, FrozenClock(START)):
        anna = await admin(emulator)
        assert emulator.engine.bot_settings[("menu_button", anna.user_id)]["type"] == "web_app"
        stranger = emulator.add_user(STRANGER_ID, "Гость")
        await stranger.send("/start")
        await stranger.expect(contains=str(STRANGER_ID))
        assert ("menu_button", STRANGER_ID) not in emulator.engine.bot_settings
