"""The emulator on its own (`python -m tg_emulator`): a developer points a bot at it by hand."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import urllib.request

TOKEN = "123456:TEST_standalone_token_abcdefghij"


def _post(url: str) -> dict[str, object]:
    with urllib.request.urlopen(urllib.request.Request(url, data=b""), timeout=5) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


async def test_standalone_server_answers_get_me_and_stops_on_sigterm() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tg_emulator",
        "--port",
        "0",
        "--token",
        TOKEN,
        "--bot-username",
        "hand_test_bot",
        "--user",
        "42:Анна",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        base_url = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode().strip()
        assert base_url.startswith("http://127.0.0.1:")
        me = await asyncio.to_thread(_post, f"{base_url}/bot{TOKEN}/getMe")
        assert me["ok"] is True
        assert me["result"]["username"] == "hand_test_bot"  # type: ignore[index]
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
