"""Benchmark: the dashboard's API for 10,000 organizations × 60 recommendations.

    python bench/dashboard.py [--orgs 10000] [--recs 60] [--runs 7] [--database-url URL]

Seeds the database as bench/digest.py does (one published resolution, ORGS institutions over 27
municipalities, reports on about 80% of the cells), serves the dashboard over real HTTP on a free local
port and times, with initData signed for an admin, the overview and pages of the matrix (unfiltered,
filtered by status and review state, and searched). Prints the median and the slowest of RUNS requests
each after the first, and the first, against the targets: overview < 300 ms, a page of the matrix
< 500 ms. The first overview comes as the server starts and waits for the first count of every cell;
later ones reuse those figures until the data change; «overview after a change» adds an organization
and asks a few seconds later, when the background warmer (bot/web/warmup.py) has counted again.
SQLite in a temporary folder unless --database-url is given.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.composition import create_renderer
from bot.config import Settings
from bot.domain import OrgKind
from bot.domain.clock import FrozenClock
from bot.services.dashboard import OVERVIEWS
from bot.web.app import DashboardServer
from bot.web.context import WebContext
from bot.web.init_data import HEADER, sign
from storage.db import create_engine, create_reader_engine, create_session_factory
from storage.models import Organization

TOKEN = "123456:BENCH_dashboard_token_abcdefghijkl"
ADMIN = 1
OVERVIEW_TARGET_MS = 300.0
MATRIX_TARGET_MS = 500.0


def _digest_bench() -> Any:
    """bench/digest.py's seeding, reused (bench/ is not a package)."""
    path = Path(__file__).resolve().parent / "digest.py"
    spec = importlib.util.spec_from_file_location("bench_digest", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_digest"] = module
    spec.loader.exec_module(module)
    return module


async def _time(
    http: aiohttp.ClientSession, url: str, auth: str, runs: int
) -> tuple[float, float, float, Any]:
    """Milliseconds of the first request, median and slowest of `runs` more, and the last body."""
    timings, body = [], None
    for _ in range(runs + 1):
        started = time.perf_counter()
        async with http.get(url, headers={HEADER: auth}) as response:
            body = await response.json()
            if response.status != 200:
                raise RuntimeError(f"{url}: {response.status} {body}")
        timings.append(1000 * (time.perf_counter() - started))
    return timings[0], statistics.median(timings[1:]), max(timings[1:]), body


async def _after_change(
    http: aiohttp.ClientSession, url: str, auth: str, context: WebContext, server: DashboardServer
) -> tuple[float, float, float, Any]:
    """A new organization changes the data version; an official opens the overview a few seconds later,
    after the warmer's next round (bot/web/warmup.py) has counted the region again."""
    async with context.session_factory() as session:
        session.add(Organization(name="Новое учреждение", kind=OrgKind.INSTITUTION, dedup_key="bench-new"))
        await session.commit()
    assert server.warmer is not None
    await asyncio.sleep(server.warmer.every + 2)
    started = time.perf_counter()
    async with http.get(url, headers={HEADER: auth}) as response:
        body = await response.json()
    took = 1000 * (time.perf_counter() - started)
    return took, took, took, body


async def _cold_count(server: DashboardServer) -> float:
    """What the warmer spends when the data changed: every cell of the region counted again."""
    assert server.warmer is not None
    OVERVIEWS.clear()
    started = time.perf_counter()
    await server.warmer.warm_once()
    return 1000 * (time.perf_counter() - started)


async def measure(
    url: str, runs: int, today: dt.date, now: dt.datetime
) -> dict[str, tuple[float, float, float, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=TOKEN,  # type: ignore[arg-type]
            database_url=url,
            admin_ids=frozenset({ADMIN}),
            evidence_dir=Path(tmp),
            timezone="UTC",
        )
        engine, reader = create_engine(url), create_reader_engine(url)
        clock = FrozenClock(dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC))
        # Wired as the bot wires it (Runtime.web_context): the count ahead on a reader of its own.
        context = WebContext(
            settings,
            create_session_factory(engine),
            clock,
            create_renderer(settings),
            create_session_factory(reader) if reader is not None else None,
        )
        server = DashboardServer(context, "127.0.0.1", 0)
        await server.start()
        auth = sign(TOKEN, {"id": ADMIN, "first_name": "Bench"}, clock.now())
        api = server.local_url + "api/"
        queries = {
            "overview": "overview",
            "matrix, page 1": "matrix",
            "matrix, page 100": "matrix?page=99",
            "matrix, status=done": "matrix?status=done&page=50",
            "matrix, review=pending": "matrix?review=pending&page=10",
            "matrix, search": "matrix?" + urlencode({"q": "учреждение №5"}),
        }
        try:
            async with aiohttp.ClientSession() as http:
                results = {name: await _time(http, api + path, auth, runs) for name, path in queries.items()}
                results["overview after a change"] = await _after_change(
                    http, api + "overview", auth, context, server
                )
                cold = await _cold_count(server)
                print(f"the warmer's own count of the region, cache emptied: {cold:.1f} ms (not a request)")
                return results
        finally:
            await server.stop()
            await engine.dispose()
            if reader is not None:
                await reader.dispose()


async def main_async(args: argparse.Namespace) -> int:
    digest = _digest_bench()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        started = time.perf_counter()
        reports, _ = await digest.seed(url, args.orgs, args.recs)
        print(
            f"seeded {args.orgs} organizations × {args.recs} recommendations, {reports} reports "
            f"in {time.perf_counter() - started:.1f} s"
        )
        results = await measure(url, args.runs, digest.TODAY, digest.NOW)
    failed = False
    for name, (first, median, slowest, body) in results.items():
        target = OVERVIEW_TARGET_MS if name.startswith("overview") else MATRIX_TARGET_MS
        rows = f"; {len(body['rows'])} rows of {body['total']}" if "rows" in body else ""
        verdict = "ok" if median < target else "SLOW"
        if first >= target:
            verdict += ", the first SLOW"
        failed |= median >= target
        print(
            f"{name:24} first {first:7.1f} ms, then median {median:7.1f} ms, slowest {slowest:7.1f} ms "
            f"(target < {target:.0f}) {verdict}{rows}"
        )
    # The first overview comes just after the server starts, while the warmer counts every cell for the
    # first time (the request waits for that count); after a change the warmer has counted it already.
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--recs", type=int, default=60)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
