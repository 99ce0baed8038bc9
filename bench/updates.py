"""Update-handling benchmark: report dialogs completed per second by one bot process, against a bare
aiogram echo bot on the same emulator in the same run.

    python bench/updates.py [--dialogs 200] [--concurrency 20] [--postgres URL | --no-postgres] [--json]

A dialog is the member's report as the tests walk it: «📝 Отчитаться» on a recommendation → a status →
a comment → «Без подтверждений» → «Отправить», five updates each answered by the bot. The echo bot's
dialog is five messages, each answered with a copy: the same number of updates and answers, with no
database, FSM or views behind them. The ratio (bot / echo) says how much of the per-update cost is the
bot's own work rather than aiogram, HTTP and the emulator.

Both run against the emulator without a send limit, `--concurrency` personas at a time, on SQLite and,
when it is reachable, PostgreSQL (a database of its own is created and dropped on that server).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.types import Message
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.domain import OrgKind
from bot.runtime.harness import running_bot
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from storage.repositories import Repositories
from tg_emulator import BotAPIEmulator, Persona, SentMessage

TOKEN = "123456:BENCH_token_abcdefghijklmnopqrstuvwxyz"
BOT_USERNAME = "forum_tracker_bot"
ADMIN_ID = 1000
FIRST_MEMBER_ID = 200_000
FIRST_ECHO_ID = 300_000
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()
# The 2021 resolution addresses four recommendations to each institution.
RECOMMENDATIONS = ("4.1", "4.2", "4.3", "4.4")
STATUSES = ("В работе", "Выполнено")
UPDATES_PER_DIALOG = 5
# A ceiling per answer; a healthy run answers in milliseconds.
ANSWER_TIMEOUT = 60.0


@dataclass(frozen=True)
class Throughput:
    dialogs: int
    elapsed: float
    per_second: float
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class BackendResult:
    backend: str
    bot: Throughput
    echo: Throughput

    @property
    def ratio(self) -> float:
        return self.bot.per_second / self.echo.per_second if self.echo.per_second else 0.0

    def lines(self) -> list[str]:
        return [
            f"[{self.backend}]",
            _line("bot: ", "report", self.bot),
            _line("echo:", "echo", self.echo),
            f"  bot/echo: {self.ratio:.3f}",
        ]


def _line(label: str, kind: str, t: Throughput) -> str:
    updates = t.per_second * UPDATES_PER_DIALOG
    return (
        f"  {label} {t.dialogs} {kind} dialogs in {t.elapsed:.2f} s = {t.per_second:.1f} dialogs/s "
        f"({updates:.0f} updates/s), dialog p50 {t.p50_ms:.0f} ms, p95 {t.p95_ms:.0f} ms"
    )


def throughput(dialogs: int, elapsed: float, durations: list[float]) -> Throughput:
    ordered = sorted(durations)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else 0.0
    return Throughput(
        dialogs=dialogs,
        elapsed=elapsed,
        per_second=dialogs / elapsed if elapsed > 0 else 0.0,
        p50_ms=statistics.median(ordered) * 1000 if ordered else 0.0,
        p95_ms=p95 * 1000,
    )


def split(total: int, parts: int) -> list[int]:
    """`total` dialogs over `parts` personas, as evenly as whole dialogs allow."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


async def run_personas(
    personas: Sequence[Persona],
    counts: Sequence[int],
    dialog: Callable[[Persona, int], Awaitable[None]],
) -> tuple[float, list[float]]:
    durations: list[float] = []

    async def walk(persona: Persona, count: int) -> None:
        for n in range(count):
            started = time.perf_counter()
            await dialog(persona, n)
            durations.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(walk(p, c) for p, c in zip(personas, counts, strict=True)))
    return time.perf_counter() - started, durations


# -- the baseline ------------------------------------------------------------------------------------


def echo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    return dp


async def echo_dialog(persona: Persona, n: int) -> None:
    for step in range(UPDATES_PER_DIALOG):
        text = f"echo {n}.{step}"
        await persona.send(text)
        await persona.expect(contains=text, timeout=ANSWER_TIMEOUT)


async def bench_echo(emulator: BotAPIEmulator, dialogs: int, concurrency: int) -> Throughput:
    bot = Bot(TOKEN, session=emulator.session())
    dp = echo_dispatcher()
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False))
    try:
        personas = [
            emulator.add_user(FIRST_ECHO_ID + i, f"Эхо {i}", started=True) for i in range(concurrency)
        ]
        # One exchange each before the clock starts: the first getUpdates and connections are set up.
        await asyncio.gather(*(echo_warm_up(p) for p in personas))
        elapsed, durations = await run_personas(personas, split(dialogs, concurrency), echo_dialog)
    finally:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(polling, timeout=10)
        await bot.session.close()
    return throughput(dialogs, elapsed, durations)


async def echo_warm_up(persona: Persona) -> None:
    await persona.send("warm-up")
    await persona.expect(contains="warm-up", timeout=ANSWER_TIMEOUT)


# -- the bot -------------------------------------------------------------------------------------------


def recommendation(persona: Persona, number: str) -> SentMessage:
    return next(m for m in persona.messages if f"Рекомендация {number}" in (m.text or "") and m.buttons)


async def report_dialog(persona: Persona, n: int) -> None:
    """One full report; later rounds on the same recommendation are new versions of it."""
    await persona.click(recommendation(persona, RECOMMENDATIONS[n % len(RECOMMENDATIONS)]), "Отчитаться")
    picker = await persona.expect(contains="Выберите статус", timeout=ANSWER_TIMEOUT)
    await persona.click(picker, STATUSES[n % len(STATUSES)])
    await persona.expect(contains="комментарий", timeout=ANSWER_TIMEOUT)
    await persona.send(f"Отчёт {n}: провели {n + 3} занятий, охват {10 + n}%")
    attach = await persona.expect(contains="Прикрепите", timeout=ANSWER_TIMEOUT)
    await persona.click(attach, "Без подтверждений")
    confirm = await persona.expect(contains="Проверьте отчёт", timeout=ANSWER_TIMEOUT)
    await persona.click(confirm, "Отправить")
    await persona.expect(contains="Отчёт принят", timeout=ANSWER_TIMEOUT)


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


async def bench_bot(
    emulator: BotAPIEmulator, database_url: str, workdir: Path, dialogs: int, concurrency: int
) -> Throughput:
    emulator.add_user(ADMIN_ID, "Анна", started=True)
    async with running_bot(bench_settings(emulator.base_url, database_url, workdir)) as runtime:
        async with runtime.session_factory() as session:
            repo = Repositories(session)
            for i in range(concurrency):
                await seed_org(
                    repo, f"ДДТ №{i}", OrgKind.INSTITUTION, "Смоленский район", [FIRST_MEMBER_ID + i]
                )
            resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021-forum.md")
            await PublicationService(repo, runtime.renderer).publish(
                resolution.id, ADMIN_ID, dt.datetime.now(dt.UTC)
            )
            await session.commit()
        personas = [
            emulator.add_user(FIRST_MEMBER_ID + i, f"Директор {i}", started=True) for i in range(concurrency)
        ]
        runtime.pump.poke()
        # The publication is not what is measured: every recommendation is delivered before the clock starts.
        await asyncio.gather(
            *(
                p.expect(contains=f"Рекомендация {RECOMMENDATIONS[-1]}", timeout=ANSWER_TIMEOUT)
                for p in personas
            )
        )
        elapsed, durations = await run_personas(personas, split(dialogs, concurrency), report_dialog)
    return throughput(dialogs, elapsed, durations)


async def run_backend(backend: str, database_url: str, dialogs: int, concurrency: int) -> BackendResult:
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as tmp:
        async with BotAPIEmulator(token=TOKEN, bot_username=BOT_USERNAME, rate_limit=None) as emulator:
            echo = await bench_echo(emulator, dialogs, concurrency)
            bot = await bench_bot(emulator, database_url, Path(tmp), dialogs, concurrency)
    return BackendResult(backend, bot, echo)


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


async def run_all(dialogs: int, concurrency: int, postgres: str | None) -> list[BackendResult]:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-updates-db-") as tmp:
        sqlite_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        results.append(await run_backend("sqlite", sqlite_url, dialogs, concurrency))
    if postgres:
        async with postgres_database(postgres) as url:
            if url is not None:
                results.append(await run_backend("postgresql", url, dialogs, concurrency))
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/updates.py", description=__doc__.splitlines()[0])
    parser.add_argument("--dialogs", type=int, default=200, help="report dialogs to complete (default 200)")
    parser.add_argument("--concurrency", type=int, default=20, help="personas at a time (default 20)")
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
    if args.dialogs < 1 or args.concurrency < 1:
        print("error: --dialogs and --concurrency must be at least 1", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    postgres = None if args.no_postgres else args.postgres
    results = asyncio.run(run_all(args.dialogs, min(args.concurrency, args.dialogs), postgres))
    if args.json:
        print(json.dumps([{**asdict(r), "ratio": r.ratio} for r in results], ensure_ascii=False))
    else:
        concurrency = min(args.concurrency, args.dialogs)
        print(f"{args.dialogs} dialogs of {UPDATES_PER_DIALOG} updates, {concurrency} personas at a time")
        for result in results:
            print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
