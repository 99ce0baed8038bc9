"""The digest benchmark's own code path, small: seeding, building, and the counts it reports."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "digest.py"


async def test_digest_benchmark_small(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_digest", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_digest"] = module
    spec.loader.exec_module(module)
    url = f"sqlite+aiosqlite:///{tmp_path / 'bench.sqlite3'}"
    await module.seed(url, 40, 6)
    elapsed, xlsx_size, cells = await module.measure(url)
    assert cells == 240 and xlsx_size > 0 and elapsed >= 0
