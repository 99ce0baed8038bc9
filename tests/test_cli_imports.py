"""CLI commands import only what they use: `--help` and `parse` start without aiogram or SQLAlchemy, and
`migrate` without aiogram. Each command runs in a fresh interpreter, so nothing a test loaded counts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

HEAVY = ("aiogram", "aiohttp", "sqlalchemy", "matplotlib", "pydantic")
PROBE = """
import contextlib, io, json, sys
from bot.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}))
"""


def loaded_by(args: list[str], tmp_path: Path) -> tuple[object, set[str]]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/db",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return figures["code"], set(figures["loaded"])


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--help"], set()),
        (["parse", str(ROOT / "bot" / "samples" / "smolensk-2021-forum.md")], set()),
        (["migrate"], {"sqlalchemy", "pydantic"}),
    ],
)
def test_a_command_loads_only_what_it_uses(args: list[str], allowed: set[str], tmp_path: Path) -> None:
    code, loaded = loaded_by(args, tmp_path)
    assert code == 0
    assert loaded <= allowed, f"{args[0]} loaded {sorted(loaded - allowed)}"
