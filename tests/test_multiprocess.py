"""Two `python -m bot` processes in webhook mode on one PostgreSQL database: only the holder of the
"background" lease sends; SIGKILLed mid-publication, the other takes over (at once, seeing the holder's
process gone from this machine; across machines it would wait for the lease to expire, see
test_leases.py) and finishes the publication, every message delivered exactly once.

The processes are real subprocesses, so the kill is a real kill: no `finally`, no release of the lease,
no commit; whatever the database holds at that instant is all the survivor has.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import OrgKind, OutboxState
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from bot.telegram.outgoing import TelegramRenderer
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Lease, OutboxMessage
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID, BOT_USERNAME, TOKEN
from tests.helpers import bot_process_env
from tests.processes import fresh_database
from tg_emulator import BotAPIEmulator, Persona

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()
# The 2021 resolution gives each institution an introduction and four recommendations.
PER_MEMBER = 5
MEMBERS = 60
KILL_AT = 60
SECRET = "multiprocess_secret"
# Importing aiogram alone takes seconds per process, and the lease needs up to TTL + one renewal
# interval to pass on: ceilings, never expectations.
TIMEOUT = 120.0
EMULATOR_RATE = 50.0
SEND_RATE = 40.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    def __init__(self, name: str, port: int, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self.name = name
        self.port = port
        self.process = process
        self.log_path = log_path

    @classmethod
    async def start(cls, name: str, env: dict[str, str], workdir: Path) -> BotProcess:
        port = free_port()
        log_path = workdir / f"{name}.log"
        env = {
            **env,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
        # A log file, not a pipe: a pipe nobody reads could fill up and stall the bot.
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        return cls(name, port, process, log_path)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def healthy(self) -> bool:
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session,
                session.get(f"http://127.0.0.1:{self.port}/healthz") as response,
            ):
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def kill(self) -> None:
        if self.returncode is None:
            self.process.kill()
            await self.process.wait()


async def until(check: Callable[[], Awaitable[bool]], what: str, *watched: BotProcess) -> None:
    """Waits for `check`, failing at once (with the logs) if a watched bot dies meanwhile."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not await check():
        for bot in watched:
            if bot.returncode is not None:
                pytest.fail(f"{bot.name} exited ({bot.returncode}) before {what}:\n{bot.output()}")
        if asyncio.get_running_loop().time() > deadline:
            logs = "\n".join(f"--- {bot.name}\n{bot.output()}" for bot in watched)
            pytest.fail(f"timed out waiting for {what}\n{logs}")
        await asyncio.sleep(0.05)


async def state_counts(engine: AsyncEngine) -> dict[OutboxState, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
        return {OutboxState(state): int(n) for state, n in rows}


async def lease_holder(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.scalar(select(Lease.holder).where(Lease.name == "background"))


def holder_pid(holder: str | None) -> int | None:
    # make_holder_id(): host:pid:scope:random.
    return int(holder.split(":")[-3]) if holder else None


async def seed_and_publish(
    engine: AsyncEngine, emulator: BotAPIEmulator
) -> tuple[list[Persona], Persona, int]:
    await upgrade(engine)
    first_id = 40_000
    async with create_session_factory(engine)() as session:
        repo = Repositories(session)
        for i in range(MEMBERS):
            await seed_org(repo, f"ДДТ №{i}", OrgKind.INSTITUTION, "Смоленский район", [first_id + i])
        resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021-forum.md")
        result = await PublicationService(repo, TelegramRenderer("ru")).publish(
            resolution.id, ADMIN_ID, dt.datetime.now(dt.UTC)
        )
        await session.commit()
    assert result.messages == MEMBERS * PER_MEMBER
    people = [emulator.add_user(first_id + i, f"Директор {i}", started=True) for i in range(MEMBERS)]
    admin = emulator.add_user(ADMIN_ID, "Анна", started=True)
    return people, admin, result.messages


class KillHolderBeforeHandling:
    """From the KILL_AT-th sendMessage on, the emulator holds every request before handling it. Once the
    standby is up and everything delivered so far is recorded as sent, the lease holder gets SIGKILL
    and the held requests are refused, so none of them takes effect: the holder dies with rows claimed
    (`sending`), some in flight, and its lease unreleased."""

    def __init__(self, engine: AsyncEngine, emulator: BotAPIEmulator) -> None:
        self.engine = engine
        self.emulator = emulator
        self.bots: list[BotProcess] = []
        self.seen = 0
        self.killing = False
        self.killed = asyncio.Event()
        self.victim: BotProcess | None = None
        self.states_at_kill: dict[OutboxState, int] = {}
        self.holder_at_kill: str | None = None
        self.standby_had_lease = False

    async def __call__(self, method: str, params: dict[str, Any]) -> None:
        if method != "sendMessage" or not self.bots:
            return
        self.seen += 1
        if self.seen < KILL_AT:
            return
        if self.seen == KILL_AT:
            self.killing = True
            await self._kill()
        await self.killed.wait()
        raise ConnectionAbortedError("the bot was killed before Telegram handled this request")

    async def _kill(self) -> None:
        try:
            pid = holder_pid(await lease_holder(self.engine))
            victim = next(bot for bot in self.bots if bot.pid == pid)
            standby = next(bot for bot in self.bots if bot is not victim)
            self.victim = victim

            async def standby_up() -> bool:
                return await standby.healthy()

            await until(standby_up, f"{standby.name} to serve its webhook", standby)

            async def recorded() -> bool:
                states = await state_counts(self.engine)
                return states.get(OutboxState.SENT, 0) == len(self.emulator.sent_log)

            await until(recorded, "the delivered messages to be recorded as sent", victim)
            self.holder_at_kill = await lease_holder(self.engine)
            self.standby_had_lease = "lease background: acquired" in standby.output()
            await victim.kill()
            self.states_at_kill = await state_counts(self.engine)
        finally:
            self.killed.set()


def assert_killed_mid_publication(switch: KillHolderBeforeHandling, victim: BotProcess, rows: int) -> None:
    """It died mid-publication holding the lease: some sent, some claimed, the rest waiting."""
    at_kill = switch.states_at_kill
    assert 0 < at_kill.get(OutboxState.SENT, 0) < rows, at_kill
    assert at_kill.get(OutboxState.SENDING, 0) > 0, at_kill
    assert holder_pid(switch.holder_at_kill) == victim.pid
    # The survivor, standing by all along, had sent nothing itself.
    assert not switch.standby_had_lease


async def stop_survivor_cleanly(survivor: BotProcess, engine: AsyncEngine) -> None:
    survivor.process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(survivor.process.wait(), TIMEOUT)
    output = survivor.output()
    assert code == 0, output
    assert "Traceback" not in output, output
    assert "bot.cli.commands: stopped" in output and "lease background: released" in output, output
    assert await lease_holder(engine) is None


def assert_everyone_got_everything_once(
    members: list[Persona], admin: Persona, emulator: BotAPIEmulator, rows: int
) -> None:
    for member in members:
        texts = [m.text or "" for m in member.messages]
        assert len(texts) == PER_MEMBER and len(set(texts)) == PER_MEMBER, f"{member}: {texts}"
    reports = [m.text or "" for m in admin.messages]
    assert len(reports) == 1 and f"{rows} из {rows}" in reports[0], reports
    assert len(emulator.sent_log) == rows + 1
    assert emulator.duplicates() == 0


async def kill_the_holder(switch: KillHolderBeforeHandling, bots: list[BotProcess]) -> BotProcess:
    """Waits for the switch to kill the process holding the lease; returns that victim."""

    async def killed() -> bool:
        # The switch's own kill must not count as an early death; any other exit does.
        for bot in bots:
            if bot.returncode is not None and not switch.killing:
                pytest.fail(f"{bot.name} exited ({bot.returncode}) on its own:\n{bot.output()}")
        return switch.killed.is_set()

    await until(killed, f"the {KILL_AT}th sendMessage")
    victim = switch.victim
    assert victim is not None and victim.returncode == -signal.SIGKILL, victim and victim.output()
    return victim


async def test_the_standby_takes_over_a_killed_holder_and_nothing_is_sent_twice(tmp_path: Path) -> None:
    async with fresh_database() as database_url:
        engine = create_engine(database_url)
        bots: list[BotProcess] = []
        try:
            async with BotAPIEmulator(
                token=TOKEN, bot_username=BOT_USERNAME, rate_limit=EMULATOR_RATE
            ) as emulator:
                members, admin, rows = await seed_and_publish(engine, emulator)
                env = bot_process_env(
                    emulator.base_url, database_url, tmp_path, SEND_RATE, WEBHOOK_SECRET=SECRET
                )
                switch = KillHolderBeforeHandling(engine, emulator)
                emulator.on_request = switch
                bots.extend(
                    [
                        await BotProcess.start("first", env, tmp_path),
                        await BotProcess.start("second", env, tmp_path),
                    ]
                )
                switch.bots = bots
                victim = await kill_the_holder(switch, bots)
                survivor = next(bot for bot in bots if bot is not victim)
                emulator.on_request = None
                assert_killed_mid_publication(switch, victim, rows)

                async def finished() -> bool:
                    # rows + 1: the delivery report to the admin follows the publication.
                    return (await state_counts(engine)) == {OutboxState.SENT: rows + 1}

                await until(finished, "the survivor to send every outbox row", survivor)
                assert holder_pid(await lease_holder(engine)) == survivor.pid
                output = survivor.output()
                assert "lease background: acquired" in output and "in flight at the last stop" in output
                await stop_survivor_cleanly(survivor, engine)
            assert_everyone_got_everything_once(members, admin, emulator, rows)
        finally:
            for bot in bots:
                await bot.kill()
            await engine.dispose()
