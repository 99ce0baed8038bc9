"""Update-handling benchmark: a report dialog step of the bot against a minimal DB bot and an echo bot,
on the same emulator in the same run.

    python bench/updates.py [--dialogs 200] [--solo-dialogs 20] [--people 50]
                            [--postgres URL | --no-postgres] [--json]

A dialog is the member's report as the tests walk it: «📝 Отчитаться» on a recommendation → a status →
a comment → «Без подтверждений» → «Отправить», five updates each answered by the bot. The anchors get
five messages per dialog, each answered with a copy: the echo bot does nothing else (aiogram, HTTP and
the emulator); the minimal DB bot (db-bot) is what a newcomer writes with aiogram and SQLAlchemy, one
INSERT and one commit per update on a default engine. `bot/db-bot` is the bot's update throughput over
the db-bot's: how much the bot's own work (journal, FSM, identity, the use case, views) costs on top of
the database round trip every real bot pays.

Each bot runs with one person and with `--people` people at a time; latency is per update (send →
answer), p50 and p99. For the bot, the database connections opened per update are counted too (a pool
that churns opens new ones under load). SQLite first, then PostgreSQL when reachable (a database of its
own is created and dropped on that server).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Message
from sqlalchemy import BigInteger, String, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.config import Settings
from bot.domain import OrgKind
from bot.runtime import heap
from bot.runtime.harness import running_bot
from bot.services.ports import MessageRenderer
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from storage.repositories import Repositories
from tg_emulator import BotAPIEmulator, Persona, SentMessage

TOKEN = "123456:BENCH_token_abcdefghijklmnopqrstuvwxyz"
BOT_USERNAME = "forum_tracker_bot"
ADMIN_ID = 1000
FIRST_MEMBER_ID = 200_000
FIRST_ECHO_ID = 300_000
FIRST_DB_BOT_ID = 400_000
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()
# The 2021 resolution addresses four recommendations to each institution.
RECOMMENDATIONS = ("4.1", "4.2", "4.3", "4.4")
# «Выполнено» needs a file or a link (the evidence gate); these two take the same five steps without one.
STATUSES = ("В работе", "Не начато")
UPDATES_PER_DIALOG = 5
# A ceiling per answer; a healthy run answers in milliseconds.
ANSWER_TIMEOUT = 60.0
KINDS = ("echo", "db-bot", "bot")
# Every report comment differs: a person reporting again in the next round changes something.
SERIAL = itertools.count(1)

Steps = list[float]
Dialog = Callable[[Persona, int, Steps], Awaitable[None]]


@dataclass(frozen=True)
class Run:
    """One bot, one number of people at a time."""

    people: int
    updates: int
    elapsed: float
    p50_ms: float
    p99_ms: float
    connections: int | None = None
    # Statements sent to the database (BEGIN and COMMIT not counted), for a figure load does not move.
    statements: int | None = None

    @property
    def per_second(self) -> float:
        return self.updates / self.elapsed if self.elapsed > 0 else 0.0

    def line(self, kind: str) -> str:
        text = (
            f"  {kind + ':':8}{self.people:>3} at a time: {self.updates} updates in {self.elapsed:.2f} s = "
            f"{self.per_second:.0f} updates/s, p50 {self.p50_ms:.0f} ms, p99 {self.p99_ms:.0f} ms"
        )
        if self.connections is not None:
            text += f", {self.connections / self.updates:.3f} connections opened per update"
        if self.statements is not None:
            text += f", {self.statements / self.updates:.2f} statements per update"
        return text


@dataclass
class BackendResult:
    backend: str
    runs: dict[str, list[Run]] = field(default_factory=dict)

    def ratio(self, people: int) -> float:
        bot, anchor = self.run("bot", people), self.run("db-bot", people)
        return bot.per_second / anchor.per_second if anchor.per_second else 0.0

    def p99_ratio(self, people: int) -> float:
        bot, anchor = self.run("bot", people), self.run("db-bot", people)
        return bot.p99_ms / anchor.p99_ms if anchor.p99_ms else 0.0

    def run(self, kind: str, people: int) -> Run:
        return next(r for r in self.runs[kind] if r.people == people)

    def lines(self) -> list[str]:
        lines = [f"[{self.backend}]"]
        for kind in KINDS:
            lines += [run.line(kind) for run in self.runs[kind]]
        for run in self.runs["bot"]:
            lines.append(
                f"  {run.people:>3} at a time: bot/db-bot: {self.ratio(run.people):.2f}, "
                f"p99 bot/db-bot: {self.p99_ratio(run.people):.2f}"
            )
        return lines

    def as_dict(self) -> dict[str, Any]:
        people = [r.people for r in self.runs["bot"]]
        return {
            "backend": self.backend,
            "runs": {
                kind: [asdict(r) | {"per_second": r.per_second} for r in runs]
                for kind, runs in self.runs.items()
            },
            "bot/db-bot": {p: self.ratio(p) for p in people},
            "p99 bot/db-bot": {p: self.p99_ratio(p) for p in people},
        }


def measure(
    people: int,
    elapsed: float,
    steps: Steps,
    connections: int | None = None,
    statements: int | None = None,
) -> Run:
    ordered = sorted(steps)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
    return Run(
        people=people,
        updates=len(ordered),
        elapsed=elapsed,
        p50_ms=statistics.median(ordered) * 1000 if ordered else 0.0,
        p99_ms=p99 * 1000,
        connections=connections,
        statements=statements,
    )


def split(total: int, parts: int) -> list[int]:
    """`total` dialogs over `parts` personas, as evenly as whole dialogs allow."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


async def run_personas(personas: Sequence[Persona], dialogs: int, dialog: Dialog) -> tuple[float, Steps]:
    steps: Steps = []

    async def walk(persona: Persona, count: int) -> None:
        for n in range(count):
            await dialog(persona, n, steps)

    started = time.perf_counter()
    counts = split(dialogs, len(personas))
    await asyncio.gather(*(walk(p, c) for p, c in zip(personas, counts, strict=True)))
    return time.perf_counter() - started, steps


async def step(
    steps: Steps, act: Awaitable[object], answer: Callable[[], Awaitable[SentMessage]]
) -> SentMessage:
    started = time.perf_counter()
    await act
    reply = await answer()
    steps.append(time.perf_counter() - started)
    return reply


@dataclass(frozen=True)
class Plan:
    """How many dialogs, and with whom, at each number of people at a time."""

    rounds: tuple[tuple[int, int], ...]  # (people, dialogs)

    @property
    def most_people(self) -> int:
        return max(people for people, _ in self.rounds)


async def run_rounds(
    personas: Sequence[Persona],
    plan: Plan,
    dialog: Dialog,
    count: Callable[[], int] | None = None,
    statements: Callable[[], int] | None = None,
) -> list[Run]:
    runs = []
    for people, dialogs in plan.rounds:
        opened = count() if count else 0
        sent = statements() if statements else 0
        elapsed, steps = await run_personas(personas[:people], dialogs, dialog)
        runs.append(
            measure(
                people,
                elapsed,
                steps,
                count() - opened if count else None,
                statements() - sent if statements else None,
            )
        )
    return runs


# -- the anchors ---------------------------------------------------------------------------------------


async def copy_dialog(persona: Persona, n: int, steps: Steps) -> None:
    for i in range(UPDATES_PER_DIALOG):
        text = f"copy {n}.{i}"
        await step(
            steps, persona.send(text), lambda t=text: persona.expect(contains=t, timeout=ANSWER_TIMEOUT)
        )


def echo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    return dp


class _DbBotBase(DeclarativeBase):
    pass


class DbBotMessage(_DbBotBase):
    __tablename__ = "bench_db_bot_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(String(4096))


def db_bot_dispatcher(sessions: async_sessionmaker[Any]) -> Dispatcher:
    """The minimal DB bot: one INSERT and one commit per update, then the answer."""
    dp = Dispatcher()

    @dp.message()
    async def store_and_echo(message: Message) -> None:
        async with sessions() as session:
            session.add(DbBotMessage(chat_id=message.chat.id, text=message.text or "?"))
            await session.commit()
        await message.answer(message.text or "?")

    return dp


async def bench_anchor(
    emulator: BotAPIEmulator,
    dp: Dispatcher,
    first_id: int,
    name: str,
    plan: Plan,
    statements: Callable[[], int] | None = None,
) -> list[Run]:
    bot = Bot(TOKEN, session=emulator.session())
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False))
    try:
        personas = [
            emulator.add_user(first_id + i, f"{name} {i}", started=True) for i in range(plan.most_people)
        ]
        # One exchange each before the clock starts: the first getUpdates and connections are set up.
        await asyncio.gather(*(warm_up(p) for p in personas))
        return await run_rounds(personas, plan, copy_dialog, statements=statements)
    finally:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(polling, timeout=10)
        await bot.session.close()


async def warm_up(persona: Persona) -> None:
    await persona.send("warm-up")
    await persona.expect(contains="warm-up", timeout=ANSWER_TIMEOUT)


async def bench_db_bot(emulator: BotAPIEmulator, database_url: str, plan: Plan) -> list[Run]:
    # SQLAlchemy's defaults, but for SQLite's 5 s lock timeout: 50 writers at once exceed it, and a
    # "database is locked" error would leave a person without an answer instead of slowing the anchor.
    connect_args = {"timeout": 30} if database_url.startswith("sqlite") else {}
    engine = create_async_engine(database_url, connect_args=connect_args)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_DbBotBase.metadata.create_all)
        dp = db_bot_dispatcher(async_sessionmaker(engine, expire_on_commit=False))
        return await bench_anchor(emulator, dp, FIRST_DB_BOT_ID, "База", plan, statement_counter(engine))
    finally:
        await engine.dispose()


def connection_counter(engine: AsyncEngine) -> Callable[[], int]:
    opened = [0]

    def on_connect(*_: object) -> None:
        opened[0] += 1

    event.listen(engine.sync_engine, "connect", on_connect)
    return lambda: opened[0]


def statement_counter(engine: AsyncEngine) -> Callable[[], int]:
    sent = [0]

    def on_execute(*_: object) -> None:
        sent[0] += 1

    # After, not before: the bot's SQLite writers wait for their turn inside before_cursor_execute, and a
    # listener added to that event meanwhile would change the list they are being called from.
    event.listen(engine.sync_engine, "after_cursor_execute", on_execute)
    return lambda: sent[0]


# -- the bot -------------------------------------------------------------------------------------------


def recommendation(persona: Persona, number: str) -> SentMessage:
    return next(m for m in persona.messages if f"Рекомендация {number}" in (m.text or "") and m.buttons)


async def report_dialog(persona: Persona, n: int, steps: Steps) -> None:
    """One full report; later rounds on the same recommendation are new versions of it."""
    rec = recommendation(persona, RECOMMENDATIONS[n % len(RECOMMENDATIONS)])
    picker = await step(
        steps,
        persona.click(rec, "Отчитаться"),
        lambda: persona.expect(contains="Выберите статус", timeout=ANSWER_TIMEOUT),
    )
    await step(
        steps,
        persona.click(picker, STATUSES[n % len(STATUSES)]),
        lambda: persona.expect(contains="комментарий", timeout=ANSWER_TIMEOUT),
    )
    attach = await step(
        steps,
        persona.send(f"Отчёт {next(SERIAL)}: провели {n + 3} занятий, охват {10 + n}%"),
        lambda: persona.expect(contains="Приложите", timeout=ANSWER_TIMEOUT),
    )
    confirm = await step(
        steps,
        persona.click(attach, "Без подтверждений"),
        lambda: persona.expect(contains="Проверьте отчёт", timeout=ANSWER_TIMEOUT),
    )
    await step(
        steps,
        persona.click(confirm, "Отправить"),
        lambda: persona.expect(contains="Отчёт отправлен на проверку", timeout=ANSWER_TIMEOUT),
    )


def bench_settings(api_url: str, database_url: str, workdir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_api_url=api_url,
        database_url=database_url,
        admin_ids=frozenset({ADMIN_ID}),
        evidence_dir=workdir / "evidence",
        digest_dir=workdir / "digests",
        send_rate=1000.0,
        scheduler_tick_seconds=3600.0,
        log_level="WARNING",
    )


async def bench_bot(emulator: BotAPIEmulator, database_url: str, workdir: Path, plan: Plan) -> list[Run]:
    emulator.add_user(ADMIN_ID, "Анна", started=True)
    async with running_bot(bench_settings(emulator.base_url, database_url, workdir)) as runtime:
        await seed(runtime.session_factory, runtime.renderer, plan.most_people)
        personas = [
            emulator.add_user(FIRST_MEMBER_ID + i, f"Директор {i}", started=True)
            for i in range(plan.most_people)
        ]
        runtime.pump.poke()
        # The publication is not what is measured: every recommendation is delivered before the clock starts.
        await asyncio.gather(
            *(
                p.expect(contains=f"Рекомендация {RECOMMENDATIONS[-1]}", timeout=ANSWER_TIMEOUT)
                for p in personas
            )
        )
        return await run_rounds(
            personas,
            plan,
            report_dialog,
            connection_counter(runtime.engine),
            statement_counter(runtime.engine),
        )


async def seed(sessions: async_sessionmaker[Any], renderer: MessageRenderer, people: int) -> None:
    async with sessions() as session:
        repo = Repositories(session)
        for i in range(people):
            await seed_org(repo, f"ДДТ №{i}", OrgKind.INSTITUTION, "Смоленский район", [FIRST_MEMBER_ID + i])
        resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021-forum.md")
        await PublicationService(repo, renderer).publish(resolution.id, ADMIN_ID, dt.datetime.now(dt.UTC))
        await session.commit()


async def run_backend(backend: str, bot_url: str, db_bot_url: str, plan: Plan) -> BackendResult:
    result = BackendResult(backend)
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as tmp:
        async with BotAPIEmulator(token=TOKEN, bot_username=BOT_USERNAME, rate_limit=None) as emulator:
            result.runs["echo"] = await bench_anchor(emulator, echo_dispatcher(), FIRST_ECHO_ID, "Эхо", plan)
            result.runs["db-bot"] = await bench_db_bot(emulator, db_bot_url, plan)
            result.runs["bot"] = await bench_bot(emulator, bot_url, Path(tmp), plan)
    return result


@contextlib.asynccontextmanager
async def postgres_database(base_url: str) -> AsyncIterator[str | None]:
    """A fresh database on that server, dropped afterwards; None when the server is not reachable."""
    import asyncpg

    base = make_url(base_url)
    name = f"bot_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = await asyncpg.connect(
            base.set(drivername="postgresql").render_as_string(hide_password=False), timeout=5
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        print(f"PostgreSQL at {base.host}:{base.port} is not reachable ({exc}); skipping it", file=sys.stderr)
        yield None
        return
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield base.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run_all(plan: Plan, postgres: str | None) -> list[BackendResult]:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-updates-db-") as tmp:
        sqlite = f"sqlite+aiosqlite:///{Path(tmp) / 'bot.sqlite3'}"
        db_bot = f"sqlite+aiosqlite:///{Path(tmp) / 'db-bot.sqlite3'}"
        results.append(await run_backend("sqlite", sqlite, db_bot, plan))
    if postgres:
        async with postgres_database(postgres) as url:
            if url is not None:
                # One fresh database for both: the db-bot's table is its own.
                results.append(await run_backend("postgresql", url, url, plan))
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/updates.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dialogs", type=int, default=200, help="dialogs with --people at a time (default 200)"
    )
    parser.add_argument("--solo-dialogs", type=int, default=20, help="dialogs with one person (default 20)")
    parser.add_argument("--people", type=int, default=50, help="people at a time under load (default 50)")
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        help=f"a PostgreSQL server to create a scratch database on (default {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if min(args.dialogs, args.solo_dialogs, args.people) < 1:
        print("error: --dialogs, --solo-dialogs and --people must be at least 1", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    people = min(args.people, args.dialogs)
    plan = Plan(((1, args.solo_dialogs), (people, args.dialogs)))
    # The bot sets its start-up heap aside from the garbage collector when it starts (bot/runtime/heap.py).
    # Everything here shares one process, so that is done now, before the first contender: each of them
    # then runs as if in a process of its own, not walking the others' objects at every full collection.
    heap.settle()
    results = asyncio.run(run_all(plan, None if args.no_postgres else args.postgres))
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False))
        return 0
    print(
        f"{UPDATES_PER_DIALOG} updates a dialog; {args.solo_dialogs} dialogs with 1 person, "
        f"{args.dialogs} with {people} people at a time"
    )
    for result in results:
        print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
