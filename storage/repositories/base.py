from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, Result
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
# The report target (storage.repositories.reports.prefetch_target) read with the caller at the start of an
# update whose dialog is a report on a recommendation: the step's ReportRepo.target then runs no
# statement. Taken on first use; dropped when ReportRepo writes.
PREFETCHED_TARGET = "prefetched_report_target"


async def execute_core(session: AsyncSession, statement: Executable, params: Any = None) -> Result[Any]:
    """A Core statement (no mapped entities in its result) run on the session's connection, inside its
    transaction. `session.execute` would route it through the ORM's execution path (autoflush, the ORM
    compile state, session events), about 0.15 ms of CPU a statement here, for nothing a Core statement
    uses. No autoflush: callers run it where nothing the ORM holds is waiting to be flushed, or where
    that does not matter to the statement."""
    connection = await session.connection()
    return await connection.execute(statement, params)
