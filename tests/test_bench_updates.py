"""The update benchmark's own code path, small: every dialog completes and every figure is there."""

from __future__ import annotations

import json

import pytest

from bench.updates import main


def test_small_update_bench_answers_every_update(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--dialogs", "4", "--solo-dialogs", "1", "--people", "2", "--no-postgres", "--json"])
    [sqlite] = json.loads(capsys.readouterr().out)
    assert code == 0
    assert sqlite["backend"] == "sqlite"
    for kind in ("echo", "db-bot", "bot"):
        # Five updates a dialog, each answered: one with a single person, four with two at a time.
        assert [(r["people"], r["updates"]) for r in sqlite["runs"][kind]] == [(1, 5), (2, 20)]
    assert all(r["connections"] is not None for r in sqlite["runs"]["bot"])
    # The db-bot's one INSERT per update; the bot's dialog step needs a few more, and no dozen.
    assert all(r["statements"] == r["updates"] for r in sqlite["runs"]["db-bot"])
    assert all(r["updates"] < r["statements"] < 10 * r["updates"] for r in sqlite["runs"]["bot"])
    assert set(sqlite["bot/db-bot"]) == {"1", "2"}
