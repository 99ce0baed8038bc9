"""The broadcast benchmark runs end to end: small and fast here, figures not judged, only correctness."""

from __future__ import annotations

import json

import pytest

from bench.broadcast import main


def test_small_broadcast_loses_and_repeats_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--recipients", "50", "--rate", "1000", "--json"])
    figures = json.loads(capsys.readouterr().out)
    assert figures["messages"] == 100  # an introduction and the one recommendation for each recipient
    assert figures["recipients"] == 50
    assert figures["lost"] == 0
    assert figures["duplicates"] == 0
    assert code == 0


def test_per_chat_scenario_loses_and_repeats_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """Telegram's limits (30/s, one a second per chat), five messages each: the emulator refuses what
    comes too close, and the pump must still deliver every message exactly once."""
    code = main(["--per-chat", "--recipients", "12", "--json"])
    figures = json.loads(capsys.readouterr().out)
    assert figures["messages"] == 60
    assert figures["per_chat_rate"] == 1.0
    assert figures["lost"] == 0
    assert figures["duplicates"] == 0
    assert code == 0
