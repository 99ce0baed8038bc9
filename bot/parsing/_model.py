"""Result types of the resolution parser."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from bot.domain import OrgKind
from bot.texts.i18n import translator


class ResolutionParseError(ValueError):
    """The document cannot be turned into a resolution. `key` and `params` name the catalog text that
    says why, so the bot and the CLI answer in the reader's language; `str()` is the Russian text."""

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(translator("ru").plain(key, **params))
        self.key = key
        self.params = params


@dataclass(frozen=True)
class ParsedGroup:
    """One addressee of the resolution and what it is recommended to do."""

    heading: str
    category: OrgKind
    recommendations: tuple[str, ...]


@dataclass(frozen=True)
class ParsedResolution:
    title: str
    date: datetime.date | None
    place: str | None
    groups: tuple[ParsedGroup, ...]

    @property
    def recommendation_count(self) -> int:
        return sum(len(group.recommendations) for group in self.groups)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "place": self.place,
            "addressees": [
                {
                    "heading": group.heading,
                    "category": group.category.value,
                    "recommendations": list(group.recommendations),
                }
                for group in self.groups
            ],
        }
