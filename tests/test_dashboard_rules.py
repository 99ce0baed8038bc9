"""The dashboard's pure rules: who sees what, the traffic lights, and the settings it checks at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Settings, describe_invalid
from bot.domain import OrgKind, Role
from bot.domain.scope import REGION, ViewScope, view_scope
from bot.services.dashboard import Thresholds


@pytest.mark.parametrize(
    ("role", "kind", "place", "expected"),
    [
        (Role.ADMIN, None, None, REGION),
        (Role.OFFICIAL, None, None, REGION),
        (Role.MEMBER, OrgKind.MUNICIPAL, "Вяземский район", ViewScope("Вяземский район")),
        (Role.MEMBER, OrgKind.MUNICIPAL, "", None),
        (Role.MEMBER, OrgKind.INSTITUTION, "Вяземский район", None),
        (Role.MEMBER, OrgKind.DEPARTMENT, "", None),
        (Role.MEMBER, None, None, None),
        (None, None, None, None),
    ],
)
def test_view_scope(
    role: Role | None, kind: OrgKind | None, place: str | None, expected: ViewScope | None
) -> None:
    assert view_scope(role, kind, place) == expected


def test_a_scope_covers_its_municipality_only() -> None:
    north = ViewScope("Северный район")
    assert north.covers("Северный район") and not north.covers("Южный район") and not north.is_region
    assert REGION.covers("Южный район") and REGION.is_region


def test_traffic_lights() -> None:
    lights = Thresholds(green=80, yellow=50)
    assert [lights.light(p) for p in (100, 80, 79.9, 50, 49.9, 0)] == [
        "green",
        "green",
        "yellow",
        "yellow",
        "red",
        "red",
    ]
    # Anything overdue holds a municipality at yellow at best, however much is done.
    assert [lights.light(p, overdue=1) for p in (100, 50, 49.9)] == ["yellow", "yellow", "red"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"webapp_url": "http://bot.example.org/app"}, "https://"),
        ({"webapp_init_max_age": 10}, "greater than or equal"),
    ],
)
def test_dashboard_settings_are_checked(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "values",
    [
        {"ranking_green_percent": 40, "ranking_yellow_percent": 60},
        # The names older .env files use still count.
        {"dashboard_green_percent": 40, "dashboard_yellow_percent": 60},
    ],
)
def test_yellow_above_green_is_one_clear_line(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **values)  # type: ignore[arg-type]
    assert describe_invalid(caught.value) == (
        "RANKING_YELLOW_PERCENT (60) больше RANKING_GREEN_PERCENT (40): "
        "порог жёлтого не может быть выше порога зелёного."
    )


def test_webapp_url_is_kept_without_its_trailing_slash() -> None:
    settings = Settings(_env_file=None, webapp_url="https://bot.example.org/app/")  # type: ignore[call-arg]
    assert settings.webapp_url == "https://bot.example.org/app"
    assert Settings(_env_file=None, webapp_url="").webapp_url is None  # type: ignore[call-arg]
