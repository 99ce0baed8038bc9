"""Benchmark: the report on execution (DOCX) for 10,000 organizations × 60 recommendations.

    python bench/execution_report.py [--orgs 10000] [--recs 60]

Seeds what bench/digest.py seeds (one published resolution, ORGS institutions over 27 municipalities,
reports on about 80 % of the cells, three evidence items per organization), then accepts half of the
reports and gives every «n/a» a reason, so every list of the report is long. The report is built in a
fresh process (so its peak memory is its own) and the script prints elapsed seconds, ru_maxrss, the
DOCX size, and whether the target (< 30 s, < 500 MB) is met. SQLite, in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import digest as digest_bench  # noqa: E402  (bench/digest.py: the same seeding)

from bot.domain import ReportStatus, ReviewState  # noqa: E402
from bot.services.execution_report import ExecutionReportService  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.models import Report, Resolution  # noqa: E402
from storage.repositories import Repositories  # noqa: E402

TARGET_SECONDS = 30.0
TARGET_MB = 500.0
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


async def seed(url: str, orgs: int, recs: int) -> dict[str, int]:
    reports, evidence = await digest_bench.seed(url, orgs, recs)
    engine = create_engine(url)
    async with engine.begin() as conn:
        # Every other report accepted (by id parity: spread over organizations and items alike).
        await conn.execute(
            update(Report)
            .where(Report.id % 2 == 0)
            .values(review_state=ReviewState.ACCEPTED, comment="Проведён педсовет, издан приказ")
        )
        await conn.execute(
            update(Report)
            .where(Report.status == ReportStatus.NOT_APPLICABLE)
            .values(reason="Нет обучающихся нужного возраста")
        )
    await engine.dispose()
    return {"reports": reports, "evidence": evidence}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


async def measure(url: str) -> dict[str, Any]:
    before = rss_mb()
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        res_id = await session.scalar(select(Resolution.id))
        assert res_id is not None
        started, cpu = time.perf_counter(), time.process_time()
        document = await ExecutionReportService(Repositories(session), ZoneInfo("Europe/Moscow")).build(
            res_id, NOW, "ru"
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await engine.dispose()
    return {
        "recommendations": _sections(document.content),
        "elapsed": elapsed,
        "cpu": cpu,
        "rss_before_mb": before,
        "rss_peak_mb": rss_mb(),
        "docx_kb": len(document.content) / 1024,
    }


def _sections(content: bytes) -> int:
    """Recommendation sections in the document, read back: the report covered every item."""
    import io

    from docx import Document

    paragraphs = Document(io.BytesIO(content)).paragraphs
    return sum(1 for p in paragraphs if p.style is not None and p.style.name == "Heading 3")


def _child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(orgs: int, recs: int) -> bool:
    print(
        f"execution report benchmark: {orgs} organizations × {recs} recommendations = {orgs * recs} cells, "
        f"{os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        started = time.perf_counter()
        seeded = _child(["--seed-only", url, "--orgs", str(orgs), "--recs", str(recs)])
        print(
            f"SQLite: seeded {seeded['reports']} reports and {seeded['evidence']} evidence items "
            f"in {time.perf_counter() - started:.1f} s"
        )
        result = _child(["--measure-only", url])
    print(
        f"SQLite: report built in {result['elapsed']:.2f} s (CPU {result['cpu']:.2f} s), "
        f"DOCX {result['docx_kb']:.0f} KB with {result['recommendations']} recommendation sections"
    )
    print(
        f"SQLite: peak memory ru_maxrss {result['rss_peak_mb']:.0f} MB "
        f"({result['rss_before_mb']:.0f} MB of it interpreter and libraries before the build)"
    )
    met = result["elapsed"] < TARGET_SECONDS and result["rss_peak_mb"] < TARGET_MB
    print(f"SQLite: target < {TARGET_SECONDS:.0f} s and < {TARGET_MB:.0f} MB: {'met' if met else 'NOT met'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--recs", type=int, default=60)
    parser.add_argument("--seed-only", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--measure-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        print(json.dumps(asyncio.run(seed(args.seed_only, args.orgs, args.recs))))
    elif args.measure_only:
        print(json.dumps(asyncio.run(measure(args.measure_only))))
    else:
        sys.exit(0 if run(args.orgs, args.recs) else 1)


if __name__ == "__main__":
    main()
