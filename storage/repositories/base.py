from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class Repository:
    """SQL lives here; committing is the caller's business (one unit of work per update)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
