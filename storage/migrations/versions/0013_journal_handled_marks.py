"""update journal: a handled update keeps its row, marked, while Telegram may send it again

Code from before this revision takes every row for an update still to be handled: going back to it,
downgrade to 0012 first (which deletes the marks), or it handles the marked updates again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows already there are updates not yet handled: they stay unmarked, to be handled at the next start.
    with op.batch_alter_table("update_journal") as batch:
        batch.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # The marks go, and with them the rows that were only marks.
    op.execute("DELETE FROM update_journal WHERE handled_at IS NOT NULL")
    with op.batch_alter_table("update_journal") as batch:
        batch.drop_column("handled_at")
