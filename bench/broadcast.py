"""Broadcast benchmark: how close the outbox pump comes to the send limit, losing and repeating nothing.

    python bench/broadcast.py [--recipients 2000] [--rate 100] [--database-url URL] [--json]
    python bench/broadcast.py --per-chat [--recipients 300] [--rate 30] [--json]

The emulator enforces `--rate` messages/s (burst `--rate`, as a bot that was idle has); the real bot, run
in this process, is configured with the same SEND_RATE, publishes a resolution, and the figures come
from the emulator's own log of successful sends. Two scenarios:

- default: the resolution's only group gives each recipient an introduction and one recommendation;
- `--per-chat`: Telegram's real limits, 30 msg/s overall and 1 msg/s to one chat (the emulator refuses
  a second message to a chat within a second); each recipient gets an introduction and four
  recommendations, so the pump must interleave chats to keep the overall limit busy.

Target: achieved/limit ≥ 0.9 with nothing lost and nothing sent twice.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.domain import OrgKind, OutboxState
from bot.runtime.app import Runtime
from bot.runtime.harness import running_bot
from bot.services.publication import PublicationService, PublishResult, batch_name
from bot.services.seed import seed_many, seed_resolution
from storage.repositories import Repositories
from tg_emulator import BotAPIEmulator

TOKEN = "123456:BENCH_token_abcdefghijklmnopqrstuvwxyz"
BOT_USERNAME = "forum_tracker_bot"
ADMIN_ID = 1000
FIRST_RECIPIENT_ID = 100_000
TARGET_RATIO = 0.9

# One group, one recommendation: each recipient gets the introduction and that recommendation.
DOCUMENT = """**РЕЗОЛЮЦИЯ**
**форума педагогических работников дополнительного образования детей**

г. Смоленск

24 августа 2021 г.

**Учреждениям дополнительного образования детей Смоленской области:**

- обеспечить доступность дополнительного образования для детей с различными образовательными потребностями.
""".encode()
# The 2021 resolution addresses four recommendations to institutions: an introduction and four each.
FIVE_EACH = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()


@dataclass(frozen=True)
class BroadcastResult:
    messages: int
    recipients: int
    elapsed: float
    achieved_rate: float
    limit: float
    ratio: float
    rate_limited: int
    duplicates: int
    lost: int
    per_chat_rate: float | None = None
    chat_refusals: int = 0
    global_refusals: int = 0

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicates == 0

    def lines(self) -> list[str]:
        verdict = "ok" if self.ok and self.ratio >= TARGET_RATIO else "below target"
        per_chat = f"{self.per_chat_rate:g} msg/s per chat" if self.per_chat_rate else "none per chat"
        return [
            f"messages: {self.messages}",
            f"recipients: {self.recipients}",
            f"elapsed: {self.elapsed:.2f} s",
            f"achieved rate: {self.achieved_rate:.1f} msg/s",
            f"limit: {self.limit:g} msg/s overall, {per_chat}",
            f"share of the cap (achieved/limit): {self.ratio:.3f}",
            f"429s: {self.rate_limited} (overall: {self.global_refusals}, per chat: {self.chat_refusals})",
            f"duplicates: {self.duplicates}",
            f"lost: {self.lost}",
            f"verdict: {verdict} (target ratio ≥ {TARGET_RATIO}, 0 lost, 0 duplicates)",
        ]


def steady_rate(times: Sequence[float], burst: int) -> float:
    """Messages per second after the opening burst: a bot that was idle may send `burst` messages at
    once, which says nothing about the rate it keeps up."""
    steady = list(times[burst:]) if len(times) > burst + 1 else list(times)
    if len(steady) < 2 or steady[-1] <= steady[0]:
        return 0.0
    return (len(steady) - 1) / (steady[-1] - steady[0])


def bench_settings(
    api_url: str, database_url: str, workdir: Path, rate: float, per_chat_interval: float = 1.0
) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_api_url=api_url,
        database_url=database_url,
        admin_ids=frozenset({ADMIN_ID}),
        evidence_dir=workdir / "evidence",
        send_rate=rate,
        per_chat_interval=per_chat_interval,
        scheduler_tick_seconds=3600.0,
        log_level="WARNING",
    )


async def run_broadcast(
    recipients: int = 2000,
    rate: float = 100.0,
    database_url: str | None = None,
    give_up_after: float | None = None,
    per_chat_rate: float | None = None,
) -> BroadcastResult:
    """Publishes to `recipients` started members and waits until nothing is left to send (or
    `give_up_after` seconds, by default twice what the rate needs plus a margin; the rest is lost).
    With `per_chat_rate` the emulator limits each chat too and every recipient gets five messages."""
    burst = max(1, int(rate))
    document = FIVE_EACH if per_chat_rate else DOCUMENT
    interval = 1.0 / per_chat_rate if per_chat_rate else 1.0
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp:
        workdir = Path(tmp)
        url = database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        async with BotAPIEmulator(
            token=TOKEN,
            bot_username=BOT_USERNAME,
            rate_limit=rate,
            burst=float(burst),
            per_chat_rate=per_chat_rate,
        ) as emulator:
            # The admin exists before the bot starts: its menu is set at start-up, the report goes there.
            emulator.add_user(ADMIN_ID, "Анна", started=True)
            settings = bench_settings(emulator.base_url, url, workdir, rate, interval)
            async with running_bot(settings) as runtime:
                ids, resolution_id = await _seed(runtime, recipients, document)
                for telegram_id in ids:
                    emulator.add_user(telegram_id, f"Руководитель {telegram_id}", started=True)
                result = await _publish(runtime, resolution_id)
                started = time.monotonic()
                runtime.pump.poke()
                batch = batch_name(resolution_id)
                limit = give_up_after if give_up_after is not None else 2 * result.messages / rate + 30
                counts = await _wait_sent(runtime.session_factory, batch, time.monotonic() + limit)
                elapsed = time.monotonic() - started
        recipient_set = set(ids)
        times = [at for at, chat_id, _ in emulator.sent_log if chat_id in recipient_set]
        achieved = steady_rate(times, burst)
        return BroadcastResult(
            messages=result.messages,
            recipients=result.recipients,
            elapsed=elapsed,
            achieved_rate=achieved,
            limit=rate,
            ratio=achieved / rate,
            rate_limited=emulator.stats.rate_limited,
            duplicates=emulator.duplicates(),
            lost=result.messages - counts.get(OutboxState.SENT, 0),
            per_chat_rate=per_chat_rate,
            chat_refusals=emulator.engine.limiter.chat_refusals,
            global_refusals=emulator.engine.limiter.global_refusals,
        )


async def _seed(runtime: Runtime, recipients: int, document: bytes) -> tuple[list[int], int]:
    """`recipients` institutions with one started head each, and the resolution to publish to them."""
    async with runtime.session_factory() as session:
        repo = Repositories(session)
        ids = await seed_many(repo, recipients, OrgKind.INSTITUTION, FIRST_RECIPIENT_ID, ["Смоленск"])
        resolution = await seed_resolution(repo, document, "bench.md", ADMIN_ID)
        await session.commit()
    return ids, resolution.id


async def _publish(runtime: Runtime, resolution_id: int) -> PublishResult:
    async with runtime.session_factory() as session:
        result = await PublicationService(Repositories(session), runtime.renderer).publish(
            resolution_id, ADMIN_ID, dt.datetime.now(dt.UTC)
        )
        await session.commit()
    return result


async def _wait_sent(
    session_factory: async_sessionmaker[AsyncSession], batch: str, deadline: float
) -> dict[OutboxState, int]:
    while True:
        async with session_factory() as session:
            counts = await Repositories(session).outbox.counts(batch)
        unfinished = counts.get(OutboxState.PENDING, 0) + counts.get(OutboxState.SENDING, 0)
        if not unfinished or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/broadcast.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--per-chat",
        action="store_true",
        help="Telegram's limits: 1 msg/s per chat, five messages each (default 300 recipients, 30 msg/s)",
    )
    parser.add_argument("--recipients", type=int, default=None, help="members to publish to (default 2000)")
    parser.add_argument("--rate", type=float, default=None, help="messages/s, for the bot and the emulator")
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: a fresh SQLite file in a temp dir)"
    )
    parser.add_argument("--give-up-after", type=float, default=None, help="seconds to wait for the rest")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.recipients is None:
        args.recipients = 300 if args.per_chat else 2000
    if args.rate is None:
        args.rate = 30.0 if args.per_chat else 100.0
    if args.recipients < 1 or args.rate <= 0:
        print("error: --recipients must be at least 1 and --rate positive", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    per_chat_rate = 1.0 if args.per_chat else None
    result = asyncio.run(
        run_broadcast(args.recipients, args.rate, args.database_url, args.give_up_after, per_chat_rate)
    )
    if args.json:
        print(json.dumps({**asdict(result), "ok": result.ok}))
    else:
        print("\n".join(result.lines()))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
