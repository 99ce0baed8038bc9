"""evidence removal: a member takes a wrong file off a report; the row and the file are kept for history

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key to an existing table otherwise.
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("removed_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("removed_in_version", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_evidence_removed_by_people"), "people", ["removed_by"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.drop_constraint(op.f("fk_evidence_removed_by_people"), type_="foreignkey")
        batch.drop_column("removed_in_version")
        batch.drop_column("removed_by")
        batch.drop_column("removed_at")
