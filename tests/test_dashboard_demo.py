"""`python -m bot demo --web`: the dashboard over the demo's data, opened by a printed local link whose
initData (in the fragment) the server accepts."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path
from urllib.parse import unquote

import aiohttp

from bot.cli.demo import OFFICIAL, serve_dashboard
from bot.domain import Role
from bot.domain.clock import FrozenClock
from bot.runtime.harness import running_bot
from storage.models import Person
from tests.conftest import START, make_settings
from tests.dashboard_data import seed
from tg_emulator import BotAPIEmulator


async def test_demo_prints_a_working_dashboard_link(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str
) -> None:
    settings = make_settings(tmp_path, emulator.base_url, database_url)
    await seed(settings)
    async with running_bot(settings, FrozenClock(START)) as runtime:
        async with runtime.session_factory() as session:
            session.add(Person(telegram_id=OFFICIAL[0], full_name="Олег Петров", role=Role.OFFICIAL))
            await session.commit()
        out, stop = io.StringIO(), asyncio.Event()
        serving = asyncio.create_task(serve_dashboard(runtime, 0, out, stop))
        for _ in range(100):
            if "#tgWebAppData=" in out.getvalue():
                break
            await asyncio.sleep(0.05)
        link = re.search(r"http://127\.0\.0\.1:\d+/app/#tgWebAppData=\S+", out.getvalue())
        assert link is not None, out.getvalue()
        page, fragment = link.group(0).split("#tgWebAppData=")
        async with aiohttp.ClientSession() as http:
            async with http.get(page) as response:
                assert response.status == 200
            headers = {"X-Telegram-Init-Data": unquote(fragment)}
            async with http.get(page + "api/overview", headers=headers) as response:
                assert response.status == 200
                assert (await response.json())["overall"]["total"] == 14
        stop.set()
        await asyncio.wait_for(serving, 10)
