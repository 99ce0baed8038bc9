"""Real `python -m bot` processes for the crash and multi-process tests, and a PostgreSQL database each."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.conftest import fresh_postgres_database
from tg_emulator import BotAPIEmulator

POSTGRES = os.environ.get("TEST_DATABASE_URL") or "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
# A process needs several seconds just to import aiogram; these are ceilings, never expectations.
TIMEOUT = 60.0


class BotProcess:
    """One `python -m bot` with its own log file (a pipe nobody reads could fill up and stall the bot)."""

    def __init__(self, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @classmethod
    async def start(cls, env: dict[str, str], workdir: Path, name: str) -> BotProcess:
        log_path = workdir / f"{name}.log"
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        return cls(process, log_path)

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def send_signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    async def wait(self) -> int:
        try:
            return await asyncio.wait_for(self.process.wait(), TIMEOUT)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            pytest.fail(f"the bot did not exit within {TIMEOUT}s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def stop(self, sig: signal.Signals) -> None:
        """A signalled stop must be an orderly one: status 0 and nothing that looks like a crash."""
        self.send_signal(sig)
        code = await self.wait()
        output = self.output()
        assert code == 0, f"exit status {code} after {sig.name}:\n{output}"
        assert "Traceback" not in output, output
        assert "bot.cli.commands: stopped" in output, output


@asynccontextmanager
async def bot_process(env: dict[str, str], workdir: Path, name: str) -> AsyncIterator[BotProcess]:
    """Never leaves a bot behind, whatever the test does; a test stops it properly when that is the point."""
    process = await BotProcess.start(env, workdir, name)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.process.kill()
            await process.process.wait()


async def until(check: Callable[[], Awaitable[bool]], what: str, *watched: BotProcess) -> None:
    """Waits for `check`, failing at once (with the bot's log) if a watched bot dies meanwhile."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not await check():
        for process in watched:
            if process.returncode is not None:
                pytest.fail(f"the bot exited ({process.returncode}) before {what}:\n{process.output()}")
        if asyncio.get_running_loop().time() > deadline:
            logs = "\n".join(p.output() for p in watched)
            pytest.fail(f"timed out waiting for {what}\n{logs}")
        await asyncio.sleep(0.05)


async def polling(emulator: BotAPIEmulator, process: BotProcess) -> None:
    """aiogram installs its signal handlers just before its first getUpdates; a signal before that would
    not be an orderly stop but Python's default action."""
    before = emulator.stats.requests["getUpdates"]

    async def asked() -> bool:
        return emulator.stats.requests["getUpdates"] > before

    await until(asked, "the bot started polling", process)


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A database of its own for bot processes: TEST_DATABASE_URL's server, or the local one."""
    async with fresh_postgres_database(POSTGRES) as url:
        yield url
