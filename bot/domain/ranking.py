"""The municipalities' traffic lights and their ranking: one rule for the dashboard and the digest.

Green: at least the green share of applicable items is «Выполнено» and accepted on review (by the
department or, under delegated review, a municipal authority), and nothing is overdue. Yellow: at least
the yellow share (overdue items or not). Red: below that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_GREEN_PERCENT = 80.0
DEFAULT_YELLOW_PERCENT = 50.0


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


# Best first: the order of a ranked list.
LIGHT_ORDER = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


@dataclass(frozen=True)
class Thresholds:
    """Green from `green` percent accepted «Выполнено» with nothing overdue, yellow from `yellow`."""

    green: float = DEFAULT_GREEN_PERCENT
    yellow: float = DEFAULT_YELLOW_PERCENT

    def light(self, percent: float, overdue: int = 0) -> Light:
        return traffic_light(percent, overdue, self)


def traffic_light(percent: float, overdue: int, thresholds: Thresholds) -> Light:
    """The light of one municipality: its share of accepted «Выполнено» and its overdue items."""
    if percent >= thresholds.green and overdue == 0:
        return Light.GREEN
    return Light.YELLOW if percent >= thresholds.yellow else Light.RED


@dataclass(frozen=True)
class Standing:
    """Where one municipality stands: accepted «Выполнено» of its applicable items, overdue items, and how
    many of its institutions the bot can reach (nobody registered: nobody to tell)."""

    name: str
    accepted_done: int
    applicable: int
    overdue: int
    institutions: int = 0
    unreachable: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.accepted_done / self.applicable if self.applicable else 0.0


@dataclass(frozen=True)
class Ranked:
    rank: int
    standing: Standing
    light: Light


def rank_municipalities(standings: Iterable[Standing], thresholds: Thresholds) -> list[Ranked]:
    """Best first: by light, then by share accepted, then fewer overdue items, then by name (stable)."""
    lit = [(item, thresholds.light(item.percent, item.overdue)) for item in standings]
    lit.sort(key=lambda pair: (LIGHT_ORDER[pair[1]], -pair[0].percent, pair[0].overdue, pair[0].name))
    return [Ranked(rank, item, light) for rank, (item, light) in enumerate(lit, start=1)]
