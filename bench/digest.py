"""Benchmark: build a digest (text, XLSX, chart) for 10,000 organizations × 60 recommendations.

    python bench/digest.py [--orgs 10000] [--recs 60] [--database-url URL]

Seeds one published resolution whose single institution group has RECS recommendations, ORGS
institutions over 27 municipalities, reports on about 80% of the cells (inserted in random order, as
they arrive in life) and three evidence items per organization, then times `build_digest` and prints
elapsed seconds and peak memory (tracemalloc's peak and the process's ru_maxrss).

Runs on SQLite and on PostgreSQL: the one given by --database-url, or else the local one at
postgresql+asyncpg://postgres@127.0.0.1:5432/test when it answers. On PostgreSQL everything lives in
a schema of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.documents import MAX_EVIDENCE_ROWS, Digest, build_digest
from bot.documents.chart import build_chart
from bot.documents.figures import figures_from, load_matrix
from bot.documents.report_log import load_report_log
from bot.documents.text import render_digest_text
from bot.documents.xlsx import build_xlsx
from bot.domain import EvidenceKind, OrgKind, ReportStatus, ResolutionStatus, Role
from bot.texts.i18n import translator
from storage.db import create_engine, create_session_factory, is_sqlite, normalize_url
from storage.migrate import upgrade
from storage.models import (
    AddresseeGroup,
    Evidence,
    Organization,
    Person,
    Recommendation,
    Report,
    Resolution,
)
from storage.repositories.digest import DigestRepo

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CHUNK = 10_000
MUNICIPALITIES = 27
EVIDENCE_PER_ORG = 3
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 2)
TARGET_SECONDS = 10.0
TARGET_MB = 500.0
STATUS_WEIGHTS = {
    ReportStatus.DONE: 4,
    ReportStatus.IN_PROGRESS: 3,
    ReportStatus.NOT_STARTED: 2,
    ReportStatus.NOT_APPLICABLE: 1,
}


def engine_for(url: str, schema: str | None = None) -> AsyncEngine:
    if schema is None:
        return create_engine(url)
    # Every connection sees only the bench's schema: migrations, seeding and the digest alike.
    return create_engine(url, connect_args={"server_settings": {"search_path": schema}})


async def _insert_chunks(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await conn.execute(insert(table), rows[start : start + CHUNK])


async def _seed_resolution(conn: Any, recs: int) -> list[int]:
    """One published resolution with one addressee group of `recs` recommendations; their ids."""
    res_id = (
        await conn.execute(
            insert(Resolution).returning(Resolution.id),
            [
                {
                    "title": "Резолюция форума (бенчмарк)",
                    "status": ResolutionStatus.PUBLISHED,
                    "created_by": 1,
                    "deadline": dt.date(2026, 10, 1),
                    "published_at": NOW,
                    "created_at": NOW,
                    "source_name": "",
                }
            ],
        )
    ).scalar_one()
    group_id = (
        await conn.execute(
            insert(AddresseeGroup).returning(AddresseeGroup.id),
            [
                {
                    "resolution_id": res_id,
                    "position": 1,
                    "heading": "Учреждениям дополнительного образования",
                    "kind": OrgKind.INSTITUTION,
                }
            ],
        )
    ).scalar_one()
    rec_rows = [
        {"group_id": group_id, "position": i + 1, "text": f"Рекомендация номер {i + 1} " + "текст " * 20}
        for i in range(recs)
    ]
    return list((await conn.execute(insert(Recommendation).returning(Recommendation.id), rec_rows)).scalars())


async def _seed_organizations(conn: Any, orgs: int) -> list[int]:
    """`orgs` institutions spread over MUNICIPALITIES districts, one registered head each; their ids."""
    org_rows = [
        {
            "name": f"Учреждение №{i}",
            "kind": OrgKind.INSTITUTION,
            "municipality": f"Район {i % MUNICIPALITIES:02d}",
            "dedup_key": f"bench-{i}",
            "is_active": True,
            "created_at": NOW,
        }
        for i in range(orgs)
    ]
    await _insert_chunks(conn, Organization, org_rows)
    org_ids = list((await conn.execute(select(Organization.id).order_by(Organization.id))).scalars())
    people = [
        {
            "telegram_id": 10_000_000 + i,
            "full_name": f"Руководитель {i}",
            "role": Role.MEMBER,
            "organization_id": org_id,
            "created_at": NOW,
        }
        for i, org_id in enumerate(org_ids)
    ]
    await _insert_chunks(conn, Person, people)
    return org_ids


async def _seed_reports(conn: Any, org_ids: list[int], rec_ids: list[int], rng: random.Random) -> int:
    """Reports on about 80 % of the cells, statuses by STATUS_WEIGHTS; how many were written."""
    cells = [(org_id, rec_id) for org_id in org_ids for rec_id in rec_ids]
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=len(cells))
    reports = [
        {
            "organization_id": org_id,
            "recommendation_id": rec_id,
            "status": status,
            "comment": "Сделано",
            "version": 1,
            "updated_at": NOW - dt.timedelta(minutes=rng.randrange(100_000)),
        }
        for (org_id, rec_id), status in zip(cells, statuses, strict=True)
        if rng.random() < 0.8
    ]
    # Reports arrive mixed across organizations; rows in organization order would flatter SQLite.
    rng.shuffle(reports)
    await _insert_chunks(conn, Report, reports)
    return len(reports)


async def _seed_evidence(conn: Any) -> int:
    """A document, a link and a text on the first EVIDENCE_PER_ORG reports of each organization."""
    by_org: dict[int, list[int]] = {}
    for report_id, org_id in await conn.execute(select(Report.id, Report.organization_id)):
        items = by_org.setdefault(org_id, [])
        if len(items) < EVIDENCE_PER_ORG:
            items.append(report_id)
    kinds = [EvidenceKind.DOCUMENT, EvidenceKind.LINK, EvidenceKind.TEXT]
    evidence = [
        {
            "report_id": report_id,
            "revision_version": 1,
            "kind": kinds[i],
            "file_name": f"отчёт-{report_id}.pdf" if i == 0 else None,
            "file_size": 120_000 if i == 0 else None,
            "url": f"https://school.example/news/{report_id}" if i == 1 else None,
            "text": "Проведён педсовет, протокол №3" if i == 2 else None,
            "created_at": NOW,
        }
        for report_ids in by_org.values()
        for i, report_id in enumerate(report_ids)
    ]
    await _insert_chunks(conn, Evidence, evidence)
    return len(evidence)


async def seed(url: str, orgs: int, recs: int, schema: str | None = None) -> tuple[int, int]:
    """Bulk Core inserts, no ORM objects; returns (reports, evidence items) written."""
    engine = engine_for(url, schema)
    await upgrade(engine)
    rng = random.Random(42)
    async with engine.begin() as conn:
        rec_ids = await _seed_resolution(conn, recs)
        org_ids = await _seed_organizations(conn, orgs)
        reports = await _seed_reports(conn, org_ids, rec_ids, rng)
        evidence = await _seed_evidence(conn)
        if not is_sqlite(url):
            # A live database has had autovacuum analyze these tables; fresh bulk loads have no statistics.
            await conn.execute(text("ANALYZE"))
    await engine.dispose()
    return reports, evidence


async def _build(url: str, schema: str | None, trace: bool = False) -> tuple[float, float, Digest]:
    """Wall-clock and CPU seconds (this process, all threads) of one build_digest, and the digest."""
    engine = engine_for(url, schema)
    session_factory = create_session_factory(engine)
    if trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    async with session_factory() as session:
        digest = await build_digest(session, None, None, TODAY, None, translator("ru"))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await engine.dispose()
    return elapsed, cpu, digest


async def phases(url: str, schema: str | None) -> dict[str, float]:
    """The steps of build_digest one by one, to show where the time goes."""
    engine = engine_for(url, schema)
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[name], started = now - started, now

    async with create_session_factory(engine)() as session:
        repo = DigestRepo(session)
        matrix = await load_matrix(repo, None, None)
        lap("matrix (SQL + fill)")
        evidence = await repo.evidence_rows([rec.rec_id for rec in matrix.recs], None, MAX_EVIDENCE_ROWS)
        lap("evidence SQL")
        reports = await load_report_log(repo, matrix)
        lap("reports SQL")
    figures = figures_from(matrix, TODAY)
    lap("figures")
    render_digest_text(translator("ru"), figures, None)
    lap("text")
    build_xlsx(figures, matrix, evidence, translator("ru"), reports=reports)
    lap("xlsx")
    build_chart(figures, translator("ru"))
    lap("chart")
    await engine.dispose()
    return seconds


async def measure(url: str, schema: str | None = None) -> tuple[float, int, int]:
    """Seconds for one build_digest, the XLSX size in bytes and the number of cells."""
    elapsed, _, digest = await _build(url, schema)
    return elapsed, len(digest.xlsx), digest.figures.overall.total


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


async def measure_child(url: str, schema: str | None) -> dict[str, Any]:
    """Runs in a fresh process, so ru_maxrss is the digest's and not the seeding's or another run's."""
    before = rss_mb()
    elapsed, cpu, digest = await _build(url, schema)
    peak_rss = rss_mb()
    # A second, traced run: tracemalloc slows allocation down, so it must not be the timed one.
    traced_elapsed, _, _ = await _build(url, schema, trace=True)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "elapsed": elapsed,
        "cpu": cpu,
        "phases": await phases(url, schema),
        "traced_elapsed": traced_elapsed,
        "tracemalloc_peak_mb": traced_peak / 1e6,
        "rss_before_mb": before,
        "rss_peak_mb": peak_rss,
        "xlsx_mb": len(digest.xlsx) / 1e6,
        "png_kb": len(digest.png) / 1e3,
        "text_parts": len(digest.text_parts),
        "cells": digest.figures.overall.total,
    }


def _child(args: list[str]) -> str:
    done = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return done.stdout


async def run_one(name: str, url: str, orgs: int, recs: int, schema: str | None) -> None:
    extra = ["--schema", schema] if schema else []
    started = time.perf_counter()
    seeded = json.loads(_child(["--seed-only", url, "--orgs", str(orgs), "--recs", str(recs), *extra]))
    print(
        f"{name}: seeded {seeded['reports']} reports and {seeded['evidence']} evidence items "
        f"in {time.perf_counter() - started:.1f} s"
    )
    result = json.loads(_child(["--measure-only", url, *extra]))
    print(
        f"{name}: build_digest {result['elapsed']:.2f} s (CPU of this process {result['cpu']:.2f} s) "
        f"for {result['cells']} cells ({result['text_parts']} text parts, "
        f"XLSX {result['xlsx_mb']:.1f} MB, PNG {result['png_kb']:.0f} kB)"
    )
    steps = ", ".join(f"{step} {seconds:.2f}" for step, seconds in result["phases"].items())
    print(f"{name}: steps, run again one by one (s): {steps}")
    print(
        f"{name}: peak memory: tracemalloc {result['tracemalloc_peak_mb']:.0f} MB "
        f"(traced run {result['traced_elapsed']:.2f} s), ru_maxrss {result['rss_peak_mb']:.0f} MB "
        f"({result['rss_before_mb']:.0f} MB of it interpreter and libraries before the build)"
    )
    met = result["elapsed"] < TARGET_SECONDS and result["rss_peak_mb"] < TARGET_MB
    print(f"{name}: target < {TARGET_SECONDS:.0f} s and < {TARGET_MB:.0f} MB: {'met' if met else 'NOT met'}")


async def _postgres_admin(url: str) -> Any:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.connect(dsn, timeout=5)


async def postgres_schema(url: str) -> str | None:
    """A fresh schema in that database, or None (with the reason printed) when it does not answer."""
    try:
        conn = await _postgres_admin(url)
    except Exception as exc:  # any failure to connect means "skip PostgreSQL", never a crash
        print(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})")
        return None
    schema = f"bench_digest_{uuid.uuid4().hex[:8]}"
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    await conn.close()
    return schema


async def drop_postgres_schema(url: str, schema: str) -> None:
    conn = await _postgres_admin(url)
    await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    await conn.close()


async def run(orgs: int, recs: int, database_url: str | None) -> None:
    print(
        f"digest benchmark: {orgs} organizations × {recs} recommendations = {orgs * recs} cells, "
        f"{os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory() as tmp:
        await run_one("SQLite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}", orgs, recs, None)
    pg = normalize_url(database_url or POSTGRES)
    if is_sqlite(pg):
        return
    schema = await postgres_schema(pg)
    if schema is None:
        return
    try:
        await run_one("PostgreSQL", pg, orgs, recs, schema)
    finally:
        await drop_postgres_schema(pg, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--recs", type=int, default=60)
    parser.add_argument("--database-url", help=f"the PostgreSQL to use (default: {POSTGRES} if it answers)")
    parser.add_argument("--seed-only", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--measure-only", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        reports, evidence = asyncio.run(seed(args.seed_only, args.orgs, args.recs, args.schema))
        print(json.dumps({"reports": reports, "evidence": evidence}))
    elif args.measure_only:
        print(json.dumps(asyncio.run(measure_child(args.measure_only, args.schema))))
    else:
        asyncio.run(run(args.orgs, args.recs, args.database_url))


if __name__ == "__main__":
    main()
