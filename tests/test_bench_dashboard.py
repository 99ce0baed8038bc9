"""The dashboard benchmark's own code path, small: seeding, serving, timing every query."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "dashboard.py"


async def test_dashboard_benchmark_small(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_dashboard", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_dashboard"] = module
    spec.loader.exec_module(module)
    digest = module._digest_bench()
    url = f"sqlite+aiosqlite:///{tmp_path / 'bench.sqlite3'}"
    await digest.seed(url, 120, 6)
    results = await module.measure(url, 1, digest.TODAY, digest.NOW)
    first, median, slowest, overview = results["overview"]
    assert overview["overall"]["total"] == 720 and first > 0 and median <= slowest
    _, _, _, page = results["matrix, page 1"]
    assert page["total"] == 120 and len(page["rows"]) == 50 and len(page["columns"]) == 6
