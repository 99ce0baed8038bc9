"""The deployment files agree with each other: the Dockerfile's user and /data, the compose services and
their environment (after `cp .env.example .env`), nginx's upstreams, and the systemd unit's steps."""

from __future__ import annotations

import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
BOTS = ("bot1", "bot2")
PATH_SETTINGS = ("EVIDENCE_DIR", "DIGEST_DIR")


def dockerfile() -> dict[str, Any]:
    """ENV (merged), USER, VOLUME, EXPOSE and the RUN text, with continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    lines = re.sub(r"\\\n\s*", " ", text).splitlines()
    found: dict[str, Any] = {"env": {}, "run": ""}
    for line in lines:
        instruction, _, rest = line.strip().partition(" ")
        if instruction == "ENV":
            found["env"].update(dict(part.split("=", 1) for part in shlex.split(rest)))
        elif instruction in ("USER", "EXPOSE"):
            found[instruction.lower()] = rest.strip()
        elif instruction == "VOLUME":
            found["volume"] = yaml.safe_load(rest)
        elif instruction == "RUN":
            found["run"] += rest + "\n"
    return found


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def env_example() -> dict[str, str]:
    """What `cp .env.example .env` sets: uncommented KEY=VALUE lines."""
    pairs = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def effective_env(service: dict[str, Any]) -> dict[str, str]:
    """Docker's order: the image's ENV, then env_file, then the service's environment."""
    env = dict(dockerfile()["env"])
    assert service["env_file"] == ".env"
    env.update(env_example())
    env.update({k: str(v) for k, v in service["environment"].items()})
    return env


def test_compose_has_the_documented_services() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", *BOTS, "proxy"}
    assert services["migrate"]["command"] == ["python", "-m", "bot", "migrate"]
    for name in BOTS:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_copied_env_example_keeps_paths_on_the_volume_the_user_owns() -> None:
    image = dockerfile()
    assert image["user"] == "bot" and "useradd" in image["run"] and "--uid 1000 bot" in image["run"]
    (data,) = image["volume"]
    assert re.search(rf"chown -R bot:bot {data}\b", image["run"])
    for setting in PATH_SETTINGS:
        assert setting not in env_example(), f"{setting} in .env.example would override the image"
    for name in ("migrate", *BOTS):
        service = compose()["services"][name]
        env = effective_env(service)
        (mount,) = service["volumes"]
        volume, target = mount.split(":")
        assert target == data and volume in compose()["volumes"]
        for setting in PATH_SETTINGS:
            path = PurePosixPath(env[setting])
            assert path.is_absolute() and path.is_relative_to(data), (name, setting, path)
            assert env[setting] == image["env"][setting]
        assert (
            env["DATABASE_URL"].startswith("postgresql+asyncpg://")
            and "@postgres:5432/" in env["DATABASE_URL"]
        )
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        # The whole environment is one the bot accepts (besides the secrets .env is meant to get).
        Settings(_env_file=None, **{k.lower(): v for k, v in env.items() if k.isupper() and v != ""})


def test_matplotlib_has_a_cache_the_user_can_write() -> None:
    image = dockerfile()
    cache = image["env"]["MPLCONFIGDIR"]
    assert cache.startswith(image["env"]["HOME"] + "/") and cache in image["run"]
    unit = (DEPLOY / "forum-tracker-bot.service").read_text(encoding="utf-8")
    (cache_dir,) = re.findall(r"^CacheDirectory=(\S+)$", unit, re.M)
    assert re.search(rf"^Environment=.*MPLCONFIGDIR=/var/cache/{cache_dir}/", unit, re.M)


def test_systemd_migrates_before_it_starts() -> None:
    unit = (DEPLOY / "forum-tracker-bot.service").read_text(encoding="utf-8")
    steps = re.findall(r"^(ExecStartPre|ExecStart)=(.*)$", unit, re.M)
    assert steps[0] == ("ExecStartPre", "/opt/forum-tracker-bot/.venv/bin/python -m bot migrate")
    assert steps[-1][0] == "ExecStart"


def test_nginx_spreads_over_the_bots_and_retries_the_post() -> None:
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    services = compose()["services"]
    port = str(effective_env(services["bot1"])["WEBHOOK_PORT"])
    assert port == dockerfile()["expose"]
    assert re.findall(r"^\s*server (\S+?):(\d+)", conf, re.M) == [(name, port) for name in BOTS]
    (retry,) = re.findall(r"proxy_next_upstream ([^;]+);", conf)
    assert "non_idempotent" in retry.split()
    listen = re.search(r"listen (\d+);", conf)
    assert listen and services["proxy"]["ports"] == [f"{listen.group(1)}:{listen.group(1)}"]
    healthcheck = " ".join(services["bot1"]["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/readyz" in healthcheck
