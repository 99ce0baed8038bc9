"""Deadlines as rules: which one binds an organization, and what a request to move it must say."""

from __future__ import annotations

import datetime as dt

from bot.domain.errors import DomainError

MAX_EXTENSION_REASON = 1000
MAX_DECISION_COMMENT = 1000
# Further than this is not a deadline but a different plan: the department should hear of it otherwise.
MAX_EXTENSION_DAYS = 730
DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d")


def effective_deadline(
    own: dt.date | None, recommendation: dt.date | None, resolution: dt.date | None
) -> dt.date | None:
    """The organization's own deadline (its latest approved extension) over the recommendation's, over
    the resolution's."""
    return own or recommendation or resolution


def parse_new_deadline(text: str, today: dt.date, current: dt.date | None) -> dt.date:
    """A requested date: a real calendar day, after today and after the deadline in force."""
    text = text.strip().rstrip(".")
    for fmt in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
            break
        except ValueError:
            continue
    else:
        raise DomainError("ext.bad_date")
    return check_new_deadline(day, today, current)


def check_new_deadline(day: dt.date, today: dt.date, current: dt.date | None) -> dt.date:
    """The rules a requested date keeps: after today, after the deadline in force, not years away."""
    if day <= today:
        raise DomainError("ext.date_not_future")
    if current is not None and day <= current:
        raise DomainError("ext.date_not_later", current=current.strftime("%d.%m.%Y"))
    if (day - today).days > MAX_EXTENSION_DAYS:
        raise DomainError("ext.date_too_far")
    return day


def validate_extension_text(text: str, limit: int, empty_key: str) -> str:
    """A reason or a decision comment: not empty, not longer than `limit`."""
    text = text.strip()
    if not text:
        raise DomainError(empty_key)
    if len(text) > limit:
        raise DomainError("ext.too_long", limit=limit, length=len(text))
    return text
