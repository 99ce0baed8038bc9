"""`python -m bot`: subcommands, and configuration mistakes that end in one clear line, not a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import Settings
from storage.migrate import revisions_in_order

SAMPLES = resources.files("bot.samples")
GOOD_TOKEN = "123456:TEST_token_abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No .env and no stray settings from the machine: each case sets what it needs."""
    monkeypatch.chdir(tmp_path)
    names = ("BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_URL", "ADMIN_IDS", "TIMEZONE", "REDIS_URL")
    for name in (*names, "LOG_FORMAT", "LEASE_TTL_SECONDS", "DIGEST_CRON", "LOCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")


def test_parse_json_of_both_shared_resolutions(tmp_path: Path) -> None:
    expected = {"smolensk-2018-forum.txt": [3, 3, 4, 5], "smolensk-2021-forum.md": [3, 4, 4, 4]}
    for name, counts in expected.items():
        path = tmp_path / name
        path.write_bytes(SAMPLES.joinpath(name).read_bytes())
        result = subprocess.run(
            [sys.executable, "-m", "bot", "parse", str(path), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert [len(a["recommendations"]) for a in data["addressees"]] == counts
        assert [a["category"] for a in data["addressees"]] == [
            "department",
            "municipal",
            "institute",
            "institution",
        ]
        assert set(data) == {"title", "date", "place", "addressees"}
    assert data["date"] == "2021-08-24" and data["place"] == "г. Смоленск"


def test_parse_preview_and_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.md"
    path.write_bytes(SAMPLES.joinpath("smolensk-2021-forum.md").read_bytes())
    assert main(["parse", str(path)]) == 0
    assert "Групп адресатов: 4. Рекомендаций: 15" in capsys.readouterr().out

    empty = tmp_path / "empty.txt"
    empty.write_text("Просто текст без рекомендаций.", encoding="utf-8")
    assert main(["parse", str(empty)]) == 2
    assert "не найдено ни одной рекомендации" in capsys.readouterr().err
    assert main(["parse", str(tmp_path / "missing.docx")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"Файл {tmp_path / 'missing.docx'} не найден."
    assert main(["parse", str(tmp_path)]) == 2
    assert "это папка, а нужен файл" in capsys.readouterr().err


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "migrate", "import-orgs", "parse"):
        assert command in out


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "BOT_TOKEN не задан"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN не похож на токен бота"),
        ({"BOT_TOKEN": GOOD_TOKEN, "DATABASE_URL": "mysql://db/x"}, "DATABASE_URL указывает драйвер «mysql»"),
        (
            {"BOT_TOKEN": GOOD_TOKEN, "DATABASE_URL": "not a url"},
            "DATABASE_URL «not a url» — не адрес базы данных",
        ),
        (
            {"BOT_TOKEN": GOOD_TOKEN, "ADMIN_IDS": "12,abc"},
            "ADMIN_IDS: нужны номера (id) пользователей Telegram",
        ),
        ({"BOT_TOKEN": GOOD_TOKEN, "TIMEZONE": "Mars/Olympus"}, "TIMEZONE: «Mars/Olympus» — не часовой пояс"),
        (
            {"BOT_TOKEN": GOOD_TOKEN, "LOG_FORMAT": "xml"},
            "LOG_FORMAT: значение «xml» не подходит — допустимые значения: 'text', 'json'.",
        ),
        (
            {"BOT_TOKEN": GOOD_TOKEN, "LEASE_TTL_SECONDS": "1"},
            "LEASE_TTL_SECONDS: значение «1» не подходит — нужно число не меньше 3.",
        ),
        (
            {"BOT_TOKEN": GOOD_TOKEN, "DIGEST_CRON": "every monday"},
            "DIGEST_CRON: «every monday» — не расписание cron",
        ),
        ({"BOT_TOKEN": GOOD_TOKEN, "DIGEST_CRON": "0 9 30 2 *"}, "сводка не придёт ни разу"),
        ({"BOT_TOKEN": GOOD_TOKEN, "LOCALE": "de"}, "LOCALE"),
        (
            {"BOT_TOKEN": GOOD_TOKEN, "REDIS_URL": "redis://127.0.0.1:9/0"},
            "Redis по адресу из REDIS_URL не отвечает",
        ),
        ({"BOT_TOKEN": GOOD_TOKEN, "REDIS_URL": "http://x"}, "REDIS_URL не похож на адрес Redis"),
        ({"BOT_TOKEN": GOOD_TOKEN, "EVIDENCE_DIR": "/proc/forum-bot"}, "(EVIDENCE_DIR)"),
        (
            {"BOT_TOKEN": GOOD_TOKEN, "DIGEST_DIR": "/dev/null/digests"},
            "(DIGEST_DIR): по этому пути уже лежит файл",
        ),
        (
            {"BOT_TOKEN": GOOD_TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:9"},
            "Bot API по адресу TELEGRAM_API_URL=http://127.0.0.1:9 недоступен",
        ),
        (
            {"BOT_TOKEN": GOOD_TOKEN, "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:9/none"},
            "Не удалось открыть базу данных по адресу DATABASE_URL",
        ),
    ],
)
def test_configuration_mistakes_end_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err and not err.startswith("error:")


def test_import_orgs_from_disk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "orgs.csv"
    table.write_text(
        "name;kind;municipality\nДДТ;institution;Вязьма\nДДТ;institution;Вязьма\n", encoding="utf-8"
    )
    assert main(["import-orgs", str(table), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Добавлено: 1" in out and "повтор строки 2" in out and "ничего не сохранено" in out
    assert main(["import-orgs", str(table)]) == 0
    assert main(["import-orgs", str(table)]) == 0
    assert "такая организация уже есть" in capsys.readouterr().out
    assert main(["import-orgs", str(tmp_path / "absent.csv")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"Файл {tmp_path / 'absent.csv'} не найден." and "error" not in err
    word = tmp_path / "orgs.docx"
    word.write_bytes(docx_bytes())
    assert main(["import-orgs", str(word)]) == 2
    assert capsys.readouterr().err.startswith("Это файл DOCX, а не таблица.")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_migrate_says_what_it_applied(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    revisions = revisions_in_order()
    assert capsys.readouterr().out.strip() == (
        f"База данных обновлена, применены миграции: {', '.join(revisions)}."
    )
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"Новых миграций нет: база данных уже в актуальном состоянии (версия {revisions[-1]})."
    )


@pytest.mark.parametrize("command", [["run"], ["import-orgs", "orgs.csv"]])
def test_an_unreachable_database_with_a_forced_language_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "orgs.csv").write_text("название;тип\nДДТ;учреждение\n", encoding="utf-8")
    monkeypatch.setenv("BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("LOCALE", "ru")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:9/none")
    assert main(command) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Не удалось открыть базу данных по адресу DATABASE_URL: ")
    assert len(err.splitlines()) == 1


def test_demo_into_an_unusable_folder_is_one_line(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("a file, not a folder")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--output", str(taken)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"В папку {taken} нельзя записать файлы: по этому пути уже лежит файл. "
        "Укажите другую папку в параметре --output."
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_operational_settings_come_from_dotenv_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_FORMAT=json\nLEASE_TTL_SECONDS=45\n", encoding="utf-8")
    settings = Settings()
    assert settings.log_format == "json" and settings.lease_ttl_seconds == 45.0
