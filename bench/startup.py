"""Start-up benchmark: time from start to the first getUpdates, and idle memory, of `python -m bot`
against a bare aiogram echo bot started the same way, against the same emulator, in the same run.

    python bench/startup.py [--runs 5] [--idle 3] [--json]

Each run starts the two as subprocesses of the same interpreter, one after the other (alternating, so
a busy machine slows both alike): the clock runs from the spawn to the emulator's first getUpdates from
that process; the resident memory (VmRSS) is read `--idle` seconds later, with nothing to do. The bot
gets a migrated SQLite database of its own (a copy, so each start only checks the schema, as a restart
does). Medians are printed with the ratios bot/echo; target: both ≤ 1.3.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tg_emulator import BotAPIEmulator

TOKEN = "123456:BENCH_token_abcdefghijklmnopqrstuvwxyz"
BOT_USERNAME = "forum_tracker_bot"
ADMIN_ID = 1000
ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.3
# A ceiling for one start; a healthy one takes a few seconds.
START_TIMEOUT = 60.0

ECHO_BOT = """
import asyncio, os
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

dp = Dispatcher()


@dp.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "?")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    await dp.start_polling(Bot(os.environ["BOT_TOKEN"], session=session))


asyncio.run(main())
"""


@dataclass(frozen=True)
class Figures:
    bot_start_s: float
    echo_start_s: float
    bot_rss_mb: float
    echo_rss_mb: float
    runs: int

    @property
    def start_ratio(self) -> float:
        return self.bot_start_s / self.echo_start_s

    @property
    def rss_ratio(self) -> float:
        return self.bot_rss_mb / self.echo_rss_mb

    def lines(self) -> list[str]:
        ok = self.start_ratio <= TARGET_RATIO and self.rss_ratio <= TARGET_RATIO
        return [
            f"runs: {self.runs} each (medians)",
            f"start to first getUpdates: bot {self.bot_start_s:.2f} s, echo {self.echo_start_s:.2f} s, "
            f"bot/echo: {self.start_ratio:.2f}",
            f"idle RSS: bot {self.bot_rss_mb:.0f} MB, echo {self.echo_rss_mb:.0f} MB, "
            f"bot/echo: {self.rss_ratio:.2f}",
            f"verdict: {'ok' if ok else 'above target'} (target ≤ {TARGET_RATIO} for both)",
        ]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def clean_env(api_url: str, workdir: Path) -> dict[str, str]:
    """The shell's bot settings never leak into a measured start."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    env.update(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'bot.sqlite3'}",
        ADMIN_IDS=str(ADMIN_ID),
        EVIDENCE_DIR=str(workdir / "evidence"),
        DIGEST_DIR=str(workdir / "digests"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


class FirstPoll:
    """Tells when the emulator answers the first getUpdates after `arm()`."""

    def __init__(self) -> None:
        self.seen = asyncio.Event()

    def arm(self) -> None:
        self.seen = asyncio.Event()

    def __call__(self, method: str, params: dict[str, Any]) -> None:
        if method == "getUpdates":
            self.seen.set()


async def measure(
    command: list[str], env: dict[str, str], poll: FirstPoll, idle: float
) -> tuple[float, float]:
    """Seconds from spawn to the first getUpdates, and RSS (MB) after `idle` more seconds."""
    loop = asyncio.get_running_loop()
    poll.arm()
    started = loop.time()
    process = await asyncio.create_subprocess_exec(
        *command, cwd=env["BENCH_WORKDIR"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        await asyncio.wait_for(poll.seen.wait(), START_TIMEOUT)
        elapsed = loop.time() - started
        await asyncio.sleep(idle)
        memory = rss_mb(process.pid)
    except TimeoutError:
        process.kill()
        _, err = await process.communicate()
        raise RuntimeError(
            f"{command} did not poll within {START_TIMEOUT}s:\n{err.decode()[-2000:]}"
        ) from None
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
    return elapsed, memory


def migrated_database(env: dict[str, str], workdir: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "bot", "migrate"], cwd=workdir, env=env, check=True, capture_output=True
    )
    return workdir / "bot.sqlite3"


async def run_startup(runs: int, idle: float) -> Figures:
    poll = FirstPoll()
    bot_starts: list[float] = []
    echo_starts: list[float] = []
    bot_rss: list[float] = []
    echo_rss: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        workdir = Path(tmp)
        echo_script = workdir / "echo_bot.py"
        echo_script.write_text(ECHO_BOT, encoding="utf-8")
        async with BotAPIEmulator(token=TOKEN, bot_username=BOT_USERNAME) as emulator:
            emulator.add_user(ADMIN_ID, "Анна", started=True)
            emulator.on_request = poll
            env = clean_env(emulator.base_url, workdir) | {"BENCH_WORKDIR": str(workdir)}
            template = await asyncio.to_thread(migrated_database, env, workdir)
            pristine = workdir / "template.sqlite3"
            shutil.copy(template, pristine)
            for _ in range(runs):
                shutil.copy(pristine, template)
                start, memory = await measure([sys.executable, "-m", "bot"], env, poll, idle)
                bot_starts.append(start)
                bot_rss.append(memory)
                start, memory = await measure([sys.executable, str(echo_script)], env, poll, idle)
                echo_starts.append(start)
                echo_rss.append(memory)
    return Figures(
        bot_start_s=statistics.median(bot_starts),
        echo_start_s=statistics.median(echo_starts),
        bot_rss_mb=statistics.median(bot_rss),
        echo_rss_mb=statistics.median(echo_rss),
        runs=runs,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/startup.py", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="starts of each (default 5)")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds idle before RSS is read (default 3)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.runs < 1 or args.idle < 0:
        print("error: --runs must be at least 1 and --idle not negative", file=sys.stderr)
        return 2
    figures = asyncio.run(run_startup(args.runs, args.idle))
    if args.json:
        print(
            json.dumps(
                {**asdict(figures), "start_ratio": figures.start_ratio, "rss_ratio": figures.rss_ratio}
            )
        )
    else:
        print("\n".join(figures.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
