"""Year over year: a recommendation that repeats one of an earlier resolution, and the admin's word on it."""

from __future__ import annotations

from enum import StrEnum


class LinkState(StrEnum):
    # Found by the similarity of the texts at import; shown as a repeat until the admin says otherwise.
    FOUND = "found"
    CONFIRMED = "confirmed"
    # Kept (not deleted) so that matching the resolution again does not bring the same link back.
    UNLINKED = "unlinked"


SHOWN = (LinkState.FOUND, LinkState.CONFIRMED)
