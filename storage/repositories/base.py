from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class Repository:
    """SQL lives here; committing is the caller's business (one unit of work per update)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session


# The own deadline (latest approved extension) of one (organization, recommendation), read by
# ReportRepo.target in its statement and handed to ExtensionRepo.own_deadlines, which the report dialog
# asks right after: one statement per step instead of two. Kept in the session's info, so only for this
# unit of work; taken on first use and dropped whenever ExtensionRepo writes.
PREFETCHED_OWN_DEADLINE = "prefetched_own_deadline"
