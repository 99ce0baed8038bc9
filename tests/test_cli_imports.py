"""CLI commands import only what they use: `--help` and `parse` start without aiogram or SQLAlchemy, and
`migrate` without aiogram. Each command runs in a fresh interpreter, so nothing a test loaded counts."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ADMIN_ID, TOKEN
from tests.helpers import ROOT
from tg_emulator import BotAPIEmulator

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


# What a restart in polling mode must not load: Alembic (the schema is at its head), the web server of
# the webhook and the dashboard (WEBAPP_URL unset), PostgreSQL's dialect (SQLite) and the documents'
# libraries (they load when a document is first made).
NOT_AT_START = (
    "alembic",
    "mako",
    "pygments",
    "aiohttp.web",
    "aiogram.webhook",
    "sqlalchemy.dialects.postgresql",
    "asyncpg",
    "redis",
    "matplotlib",
    "openpyxl",
    "xlsxwriter",
    "docx",
    "segno",
    "rapidfuzz",
)
STARTED_PROBE = """
import json, os, signal, sys
from bot.__main__ import main
from bot.runtime.app import Runtime

async def started(self):
    # The dispatcher's start-up: everything is open and polling is about to begin.
    self.started.set()
    with open(sys.argv[1], "w") as out:
        json.dump(sorted(sys.modules), out)
    os.kill(os.getpid(), signal.SIGTERM)

Runtime._started = started
sys.exit(main(["run"]))
"""


async def test_a_polling_restart_loads_nothing_it_does_not_use(
    emulator: BotAPIEmulator, tmp_path: Path
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/db",
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": emulator.base_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "DIGEST_DIR": str(tmp_path / "digests"),
    }
    # A restart: the database is at the schema's head already.
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "migrate", cwd=tmp_path, env=env
    )
    assert await asyncio.wait_for(migrate.wait(), 120) == 0
    modules = tmp_path / "modules.json"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", STARTED_PROBE, str(modules), cwd=tmp_path, env=env, stderr=subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()[-2000:]
    loaded = set(json.loads(modules.read_text()))
    unwanted = {m for m in loaded if m.split(".")[0] in NOT_AT_START or m.startswith(NOT_AT_START)}
    assert "aiogram" in loaded and "sqlalchemy" in loaded  # the probe did see a started bot
    assert not unwanted, f"loaded at start: {sorted(unwanted)}"
