"""`python -m bot doctor`: every check OK on a sound installation; each kind of mistake is one FAIL line
saying what to fix, exit status 1, and never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.__main__ import load_settings
from bot.cli.doctor import FAIL, OK, SKIP, Check, report, run_checks
from bot.config import Settings
from storage.db import create_engine
from storage.migrate import upgrade
from tests.conftest import TOKEN, make_settings
from tg_emulator import BotAPIEmulator

ROOT = Path(__file__).resolve().parents[1]


async def migrated(url: str) -> str:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    return url


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


async def test_a_sound_installation_passes(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, emulator.base_url, await migrated(database_url))
    checks = await run_checks(lambda: settings)
    assert [c.status for c in checks if c.status == FAIL] == [], checks
    found = by_name(checks)
    assert found["bot api"].status == OK and "@forum_tracker_bot" in found["bot api"].detail
    assert (
        found["webhook"].status == OK
        and "не зарегистрирован, как и нужно при опросе" in found["webhook"].detail
    )
    assert found["database"].status == OK and "схема актуальна" in found["database"].detail
    assert found["redis"].status == SKIP
    assert "сводки по расписанию «0 9 * * mon» (следующая — " in found["settings"].detail
    assert report(checks) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "все проверки пройдены" and all(
        line.startswith(("ОК ", "ПРОПУСК ")) for line in out[:-1]
    )
    assert any(line.startswith("ПРОПУСК Redis: REDIS_URL не задан") for line in out)


async def test_webhook_mode_checks_the_registration(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str
) -> None:
    settings = make_settings(
        tmp_path,
        emulator.base_url,
        await migrated(database_url),
        webhook_url="https://bot.example.org",
        webhook_secret="s3cret",
    )
    found = by_name(await run_checks(lambda: settings))
    assert found["webhook settings"].status == OK
    assert found["webhook"].status == OK and "ещё не зарегистрирован" in found["webhook"].detail

    async with emulator.create_bot() as bot:
        await bot.set_webhook("https://elsewhere.example.org/hook", secret_token="x")
        found = by_name(await run_checks(lambda: settings))
        assert found["webhook"].status == FAIL and "другая установка бота" in found["webhook"].detail
        await bot.set_webhook("https://bot.example.org/telegram/webhook", secret_token="x")
        found = by_name(await run_checks(lambda: settings))
        assert (
            found["webhook"].status == OK
            and "зарегистрирован на https://bot.example.org/telegram/webhook" in found["webhook"].detail
        )
        # In polling mode the same registration is the problem: getUpdates would get 409.
        polling = settings.model_copy(update={"webhook_url": None})
        found = by_name(await run_checks(lambda: polling))
        assert found["webhook"].status == FAIL and "409" in found["webhook"].detail
        await bot.delete_webhook()

    no_secret = settings.model_copy(update={"webhook_secret": None})
    found = by_name(await run_checks(lambda: no_secret))
    assert found["webhook settings"].status == FAIL and "WEBHOOK_SECRET" in found["webhook settings"].detail
    plain = settings.model_copy(
        update={"telegram_api_url": "https://api.telegram.org", "webhook_url": "http://bot.example.org"}
    )
    found = by_name(await run_checks(lambda: plain))
    assert found["webhook settings"].status == FAIL and "https://" in found["webhook settings"].detail


async def test_each_mistake_is_named(tmp_path: Path, emulator: BotAPIEmulator) -> None:
    (tmp_path / "not-a-dir").write_text("a file where the evidence directory should be")
    unmigrated = tmp_path / "empty.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{unmigrated}")
    async with engine.connect():
        pass  # creates the file, no schema
    await engine.dispose()
    settings = make_settings(
        tmp_path,
        emulator.base_url,
        f"sqlite+aiosqlite:///{unmigrated}",
        bot_token=SecretStr("654321:WRONG_token_abcdefghijklmnopqrstuvwxyz"),
        redis_url="redis://127.0.0.1:1/0",
        evidence_dir=tmp_path / "not-a-dir" / "evidence",
    )
    checks = await run_checks(lambda: settings)
    found = by_name(checks)
    assert found["database"].status == FAIL and "python -m bot migrate" in found["database"].detail
    assert found["redis"].status == FAIL and "REDIS_URL" in found["redis"].detail
    assert found["bot api"].status == FAIL and "@BotFather" in found["bot api"].detail
    assert found["evidence dir"].status == FAIL and "EVIDENCE_DIR" in found["evidence dir"].detail
    assert found["digest dir"].status == OK
    assert report(checks) == 1

    missing = settings.model_copy(
        update={
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'nothing.sqlite3'}",
            "bot_token": SecretStr(""),
        }
    )
    found = by_name(await run_checks(lambda: missing))
    assert found["database"].status == FAIL and "файла базы данных" in found["database"].detail
    assert not (tmp_path / "nothing.sqlite3").exists()  # the doctor looks, it does not create
    assert found["bot token"].status == FAIL and found["bot api"].status == SKIP

    unreachable = settings.model_copy(
        update={"telegram_api_url": "http://127.0.0.1:1", "bot_token": SecretStr(TOKEN)}
    )
    found = by_name(await run_checks(lambda: unreachable))
    assert found["bot api"].status == FAIL and "TELEGRAM_API_URL" in found["bot api"].detail


async def test_a_schedule_that_is_not_cron_fails_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_CRON", "every monday")
    checks = await run_checks(load_settings)
    assert [(c.name, c.status) for c in checks] == [("settings", FAIL)]
    assert checks[0].detail.startswith("DIGEST_CRON: «every monday» — не расписание cron")


def doctor_process(tmp_path: Path, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for name in Settings.model_fields:
        env.pop(name.upper(), None)
    env.update(env_vars)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_from_the_command_line_never_a_traceback(tmp_path: Path) -> None:
    bad_settings = doctor_process(tmp_path, TIMEZONE="Mars/Olympus", BOT_TOKEN=TOKEN)
    assert bad_settings.returncode == 1
    assert (
        bad_settings.stdout.startswith("СБОЙ    настройки: TIMEZONE")
        and "Traceback" not in bad_settings.stderr
    )

    broken = doctor_process(
        tmp_path,
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL="http://127.0.0.1:1",
        DATABASE_URL="postgresql://nobody@127.0.0.1:1/none",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Traceback" not in broken.stdout + broken.stderr
    lines = broken.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:-1]] == [
        "ОК",  # settings
        "ОК",  # token
        "СБОЙ",  # database
        "СБОЙ",  # redis
        "СБОЙ",  # bot api
        "ОК",  # evidence dir
        "ОК",  # digest dir
    ], broken.stdout
    assert lines[-1] == "не пройдены 3 проверки"
