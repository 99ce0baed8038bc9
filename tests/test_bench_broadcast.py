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
