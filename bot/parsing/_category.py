"""Guessing which kind of body an addressee heading speaks to."""

from __future__ import annotations

import re

from bot.domain import OrgKind

# Each pattern names a body; when a heading names several, the one named first is the addressee
# («Учреждениям, подведомственным Департаменту» is addressed to the institutions).
_PATTERNS: tuple[tuple[OrgKind, str], ...] = (
    (OrgKind.DEPARTMENT, r"департамент"),
    (OrgKind.DEPARTMENT, r"министерств"),
    (OrgKind.DEPARTMENT, r"\bкомитет"),
    (OrgKind.DEPARTMENT, r"правительств"),
    (OrgKind.DEPARTMENT, r"\bгубернатор"),
    (OrgKind.MUNICIPAL, r"муниципальн\w*\s+(?:орган|служб|управлен|методическ|администрац|образовани)"),
    (OrgKind.MUNICIPAL, r"орган\w*\s+местного\s+самоуправления"),
    (OrgKind.MUNICIPAL, r"методическ\w*\s+служб"),
    (OrgKind.MUNICIPAL, r"администраци\w*\s+(?:муниципальн|город|район)"),
    (OrgKind.MUNICIPAL, r"\bмуниципалитет"),
    (OrgKind.MUNICIPAL, r"осуществляющ\w*\s+управление\s+в\s+сфере\s+образования"),
    (OrgKind.MUNICIPAL, r"орган\w*\s+управления\s+образованием"),
    (OrgKind.INSTITUTE, r"институт"),
    (OrgKind.INSTITUTE, r"\bдпо\b"),
    (OrgKind.INSTITUTE, r"\b(?:соиро|сопро|иро|ипк|ипкро)\b"),
    (OrgKind.INSTITUTE, r"развития\s+образования"),
    (OrgKind.INSTITUTE, r"повышения\s+квалификации"),
    (OrgKind.INSTITUTE, r"дополнительного\s+профессионального\s+образования"),
    # The institute's own legal form is «автономное учреждение ДПО»: that «учреждение» is not a school.
    (OrgKind.INSTITUTION, r"учреждени\w*+(?!\s+(?:дополнительного\s+)?профессионального)"),
    (OrgKind.INSTITUTION, r"организаци\w*\s+дополнительного\s+образования"),
    (OrgKind.INSTITUTION, r"образовательн\w*\s+организаци"),
    (OrgKind.INSTITUTION, r"организаци\w*,?\s+осуществляющ\w*\s+образовательную"),
    (OrgKind.INSTITUTION, r"\bшкол(?:а|ы|е|у|ой|ам|ами|ах)?\b"),
    (OrgKind.INSTITUTION, r"\b(?:гимнази|лице[йяю]|колледж|техникум|детск\w*\s+сад)"),
    (OrgKind.INSTITUTION, r"\b(?:доу|мбоу|моу|мбу\s*до|мбудо)\b"),
)
_COMPILED = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _PATTERNS)

# A bare «муниципальным …» decides only when nothing more specific is named
# («Муниципальным образовательным организациям» are schools, not a municipal authority).
_MUNICIPAL_FALLBACK = re.compile(r"муниципальн", re.IGNORECASE)
_MARKUP = re.compile(r"[*_#`>]+")


def suggest_category(heading: str) -> OrgKind:
    """Guess the category of an addressee heading from its wording."""
    text = _MARKUP.sub(" ", heading).replace("ё", "е").replace("Ё", "Е")
    matches = [(found.start(), kind) for kind, pattern in _COMPILED if (found := pattern.search(text))]
    if matches:
        return min(matches, key=lambda match: match[0])[1]
    if _MUNICIPAL_FALLBACK.search(text):
        return OrgKind.MUNICIPAL
    return OrgKind.OTHER
