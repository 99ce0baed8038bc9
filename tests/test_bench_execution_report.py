"""The execution report benchmark's own code path, small: seeding, building, reading the sections back."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "execution_report.py"


async def test_execution_report_benchmark_small(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_execution_report", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_execution_report"] = module
    spec.loader.exec_module(module)
    url = f"sqlite+aiosqlite:///{tmp_path / 'bench.sqlite3'}"
    seeded = await module.seed(url, 40, 6)
    assert 0 < seeded["evidence"] <= 120 and 0 < seeded["reports"] <= 240
    result = await module.measure(url)
    assert result["recommendations"] == 6 and result["docx_kb"] > 0 and result["elapsed"] >= 0
