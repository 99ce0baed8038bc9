"""`python -m bot` stopped in the middle of a publication, by SIGKILL or by a signal, then started again:
every member gets every message exactly once, and a signalled stop ends cleanly with status 0.

The bots run as real subprocesses against the emulator served from this test's event loop, so a kill
is a real kill: no `finally`, no commit, whatever the database holds at that instant is all there is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.outbox_pump import WORKERS
from bot.domain import OrgKind, OutboxState
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from bot.telegram.outgoing import TelegramRenderer
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import OutboxMessage
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID, BOT_USERNAME, TOKEN
from tests.helpers import bot_process_env
from tests.processes import BotProcess, bot_process, polling, until
from tg_emulator import BotAPIEmulator, Persona

pytestmark = pytest.mark.slow

SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()
# The 2021 resolution addresses four recommendations to institutions: an intro and four messages each.
PER_MEMBER = 5
# The bot sends a little under what the emulator allows, as it would against Telegram.
EMULATOR_RATE = 50.0
SEND_RATE = 40.0


def emulator_at_rate() -> BotAPIEmulator:
    return BotAPIEmulator(token=TOKEN, bot_username=BOT_USERNAME, rate_limit=EMULATOR_RATE)


async def state_counts(engine: AsyncEngine) -> dict[OutboxState, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
        return {OutboxState(state): int(n) for state, n in rows}


async def seed_and_publish(
    engine: AsyncEngine, emulator: BotAPIEmulator, members: int, first_id: int
) -> tuple[list[Persona], Persona, int]:
    """Institutions with one started member each, and the 2021 resolution published to them; nothing
    is sent yet, the outbox only holds the rows. Returns the members, the admin and the row count."""
    await upgrade(engine)
    async with create_session_factory(engine)() as session:
        repo = Repositories(session)
        for i in range(members):
            await seed_org(repo, f"ДДТ №{i}", OrgKind.INSTITUTION, "Смоленский район", [first_id + i])
        resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021-forum.md")
        result = await PublicationService(repo, TelegramRenderer("ru")).publish(
            resolution.id, ADMIN_ID, dt.datetime.now(dt.UTC)
        )
        await session.commit()
    assert result.messages == members * PER_MEMBER
    people = [emulator.add_user(first_id + i, f"Директор {i}", started=True) for i in range(members)]
    # The admin's chat is where the final delivery report goes (and the bot sets the admin's menu).
    admin = emulator.add_user(ADMIN_ID, "Анна", started=True)
    return people, admin, result.messages


def assert_delivered_exactly_once(
    emulator: BotAPIEmulator,
    members: list[Persona],
    admin: Persona,
    states: dict[OutboxState, int],
    rows: int,
) -> None:
    for member in members:
        texts = [m.text or "" for m in member.messages]
        buttons = [m for m in member.messages if m.buttons]
        assert len(texts) == PER_MEMBER, f"{member}: {len(texts)} messages"
        assert len(buttons) == PER_MEMBER - 1 and not member.messages[0].buttons
        assert len(set(texts)) == PER_MEMBER
    reports = [m.text or "" for m in admin.messages]
    assert len(reports) == 1 and f"доставлено {rows} из {rows}" in reports[0], reports
    # Every row of the outbox, the admin's report included, was sent once and is recorded as sent.
    assert states == {OutboxState.SENT: rows + 1}
    assert len(emulator.sent_log) == rows + 1
    assert emulator.duplicates() == 0


class KillBeforeHandling:
    """From the `kill_at`-th sendMessage on, the emulator holds every request before handling it; once
    everything Telegram did deliver is recorded as sent, the bot gets SIGKILL and the held requests
    are refused, so none of them takes effect.

    The window under test: the bot dies with a claimed batch (rows in `sending`), some of those rows in
    flight in HTTP requests Telegram has not processed yet, the rest not requested at all. Recovery
    must send each of them once. The other window, a crash after Telegram's answer and before the
    commit of `sent`, is deliberately closed here (we wait for those commits): Telegram has no
    idempotency key, so a crash there is a duplicate no outbox can prevent, only keep short.
    """

    def __init__(self, kill_at: int, engine: AsyncEngine, emulator: BotAPIEmulator) -> None:
        self.kill_at = kill_at
        self.engine = engine
        self.emulator = emulator
        self.process: BotProcess | None = None
        self.seen = 0
        self.killing = False
        self.killed = asyncio.Event()
        self.states_at_kill: dict[OutboxState, int] = {}

    async def __call__(self, method: str, params: dict[str, Any]) -> None:
        if method != "sendMessage" or self.process is None:
            return
        self.seen += 1
        if self.seen < self.kill_at:
            return
        if self.seen == self.kill_at:
            self.killing = True
            await self._kill(self.process)
        await self.killed.wait()
        # An exception in the hook answers 500 without handling: this request never took effect.
        raise ConnectionAbortedError("the bot was killed before Telegram handled this request")

    async def _kill(self, process: BotProcess) -> None:
        try:

            async def recorded() -> bool:
                states = await state_counts(self.engine)
                return states.get(OutboxState.SENT, 0) == len(self.emulator.sent_log)

            await until(recorded, "the delivered messages to be recorded as sent", process)
            process.process.kill()
            await process.process.wait()
            self.states_at_kill = await state_counts(self.engine)
        finally:
            self.killed.set()


async def test_killed_mid_publication_restart_delivers_the_rest_exactly_once(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    engine = create_engine(database_url)
    try:
        async with emulator_at_rate() as emulator:
            members, admin, rows = await seed_and_publish(engine, emulator, members=40, first_id=20_000)
            env = bot_process_env(emulator.base_url, database_url, tmp_path, SEND_RATE)

            switch = KillBeforeHandling(60, engine, emulator)
            emulator.on_request = switch
            async with bot_process(env, tmp_path, "first") as first:
                switch.process = first

                async def killed() -> bool:
                    # Not `until(..., first)`: the switch's own kill must not count as an early death.
                    if first.returncode is not None and not switch.killing:
                        pytest.fail(f"the bot exited ({first.returncode}) on its own:\n{first.output()}")
                    return switch.killed.is_set()

                await until(killed, "the 60th sendMessage")
                assert first.returncode == -signal.SIGKILL, first.output()
            emulator.on_request = None
            # It really died mid-publication: some rows sent, some claimed and in flight, the rest waiting.
            at_kill = switch.states_at_kill
            assert 0 < at_kill.get(OutboxState.SENT, 0) < rows, at_kill
            assert at_kill.get(OutboxState.SENDING, 0) > 0, at_kill
            assert sum(at_kill.values()) == rows

            async with bot_process(env, tmp_path, "second") as second:

                async def finished() -> bool:
                    # rows + 1: the delivery report to the admin is queued once the publication is done.
                    return (await state_counts(engine)) == {OutboxState.SENT: rows + 1}

                await until(finished, "every outbox row to be sent", second)
                assert "in flight at the last stop" in second.output()
                await polling(emulator, second)
                await second.stop(signal.SIGTERM)

            assert_delivered_exactly_once(emulator, members, admin, await state_counts(engine), rows)
    finally:
        await engine.dispose()


class KillInTheBurst:
    """From the `kill_at`-th sendMessage on, the emulator holds every request; once no new one has come
    for a while (the bot has as many sends in flight as it ever will), the bot gets SIGKILL and only
    then are the held requests handled: Telegram delivers them, the bot never hears of it.

    The worst case of the unsafe window, on purpose, and early in a run: a fresh process's token bucket
    is full, so a pump that let more than its slots go at once would have more than that in flight here.
    """

    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.process: BotProcess | None = None
        self.seen = 0
        self.held = 0
        self.arrived = asyncio.Event()
        self.killed = asyncio.Event()
        self._killer: asyncio.Task[None] | None = None

    def watch(self, process: BotProcess) -> None:
        self.process, self.seen, self.held, self.killed = process, 0, 0, asyncio.Event()

    async def __call__(self, method: str, params: dict[str, Any]) -> None:
        if method != "sendMessage" or self.process is None:
            return
        self.seen += 1
        if self.seen < self.kill_at:
            return
        self.held += 1
        self.arrived.set()
        if self._killer is None or self._killer.done():
            self._killer = asyncio.create_task(self._kill_when_all_held(self.process))
        await self.killed.wait()

    async def _kill_when_all_held(self, process: BotProcess) -> None:
        while True:
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), 0.5)
            except TimeoutError:
                break
        process.process.kill()
        await process.process.wait()
        self.killed.set()


async def killed_in_the_burst(
    env: dict[str, str],
    tmp_path: Path,
    name: str,
    switch: KillInTheBurst,
    engine: AsyncEngine,
    emulator: BotAPIEmulator,
) -> int:
    """Runs a bot until the switch kills it; returns how many messages Telegram has delivered more often
    than the database records as sent (repeats already made included): the next start sends those again."""
    async with bot_process(env, tmp_path, name) as process:
        switch.watch(process)

        async def killed() -> bool:
            if process.returncode is not None and not switch.killed.is_set():
                pytest.fail(f"the bot exited ({process.returncode}) on its own:\n{process.output()}")
            return switch.killed.is_set()

        await until(killed, f"the {switch.kill_at}th sendMessage")
    # The held requests are being handled now; let them land in the emulator's log.
    await asyncio.sleep(0.2)
    return len(emulator.sent_log) - (await state_counts(engine)).get(OutboxState.SENT, 0)


async def test_a_kill_in_the_burst_after_a_restart_repeats_at_most_one_message_per_slot(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    engine = create_engine(database_url)
    try:
        async with emulator_at_rate() as emulator:
            members, admin, rows = await seed_and_publish(engine, emulator, members=40, first_id=40_000)
            env = bot_process_env(emulator.base_url, database_url, tmp_path, SEND_RATE)
            switch = KillInTheBurst(kill_at=10)
            emulator.on_request = switch
            unrecorded = []
            for name in ("first", "restarted"):
                before = len(emulator.sent_log)
                behind = await killed_in_the_burst(env, tmp_path, name, switch, engine, emulator)
                unrecorded.append(behind - sum(unrecorded))
                # The kill came early: the bucket had barely started and most of the rows are still to go.
                assert len(emulator.sent_log) - before < SEND_RATE, emulator.sent_log
                assert 0 < unrecorded[-1] <= WORKERS, unrecorded
            emulator.on_request = None

            async with bot_process(env, tmp_path, "last") as last:

                async def finished() -> bool:
                    return (await state_counts(engine)) == {OutboxState.SENT: rows + 1}

                await until(finished, "every outbox row to be sent", last)
                await polling(emulator, last)
                await last.stop(signal.SIGTERM)

            repeated = emulator.duplicates()
            assert repeated == sum(unrecorded), (repeated, unrecorded)
            assert len(emulator.sent_log) == rows + 1 + repeated
            for member in members:
                texts = [m.text or "" for m in member.messages]
                assert len(set(texts)) == PER_MEMBER, f"{member}: {texts}"
            assert len(admin.messages) == 1
    finally:
        await engine.dispose()


class StopWhileInFlight:
    """At the `stop_at`-th sendMessage the bot is told to stop (SIGTERM), and that request is handled
    only once the bot is already shutting down: Telegram delivers it, and an orderly stop must wait for
    the answer and record it, or the restart would send the message a second time."""

    def __init__(self, stop_at: int, emulator: BotAPIEmulator) -> None:
        self.stop_at = stop_at
        self.emulator = emulator
        self.process: BotProcess | None = None
        self.seen = 0
        self.signalled = asyncio.Event()

    async def __call__(self, method: str, params: dict[str, Any]) -> None:
        if method != "sendMessage" or self.process is None:
            return
        self.seen += 1
        if self.seen != self.stop_at:
            return
        process = self.process

        async def ready() -> bool:
            return self.emulator.stats.requests["getUpdates"] > 0

        # The pump starts before polling does; a SIGTERM ahead of aiogram's handlers would simply kill.
        await until(ready, "the bot started polling", process)
        process.send_signal(signal.SIGTERM)
        self.signalled.set()

        async def shutting_down() -> bool:
            return "Polling stopped" in process.output() or process.returncode is not None

        await until(shutting_down, "the bot to begin its shutdown")
        # Past "Polling stopped" the runtime is stopping its workers: the pump is being cancelled now.
        await asyncio.sleep(0.3)


async def test_signalled_stop_mid_publication_is_clean_and_loses_nothing(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    engine = create_engine(database_url)
    try:
        async with emulator_at_rate() as emulator:
            members, admin, rows = await seed_and_publish(engine, emulator, members=20, first_id=30_000)
            env = bot_process_env(emulator.base_url, database_url, tmp_path, SEND_RATE)

            switch = StopWhileInFlight(30, emulator)
            emulator.on_request = switch
            async with bot_process(env, tmp_path, "first") as first:
                switch.process = first

                async def signalled() -> bool:
                    return switch.signalled.is_set()

                await until(signalled, "the 30th sendMessage", first)
                code = await first.wait()
                assert code == 0, first.output()
                assert "Traceback" not in first.output(), first.output()
            emulator.on_request = None
            at_stop = await state_counts(engine)
            assert 0 < at_stop.get(OutboxState.SENT, 0) < rows, at_stop
            assert at_stop.get(OutboxState.SENT, 0) == len(emulator.sent_log), at_stop

            async with bot_process(env, tmp_path, "second") as second:

                async def finished() -> bool:
                    return (await state_counts(engine)) == {OutboxState.SENT: rows + 1}

                await until(finished, "every outbox row to be sent", second)
                await polling(emulator, second)
                # An idle bot stopped from the terminal (Ctrl+C) ends as cleanly as one stopped by SIGTERM.
                await second.stop(signal.SIGINT)

            assert_delivered_exactly_once(emulator, members, admin, await state_counts(engine), rows)
    finally:
        await engine.dispose()
