"""delegated review: a resolution's own switch, and the body each review decision was taken for

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL: the resolution follows REVIEW_DELEGATION; every existing one does.
    with op.batch_alter_table("resolutions") as batch:
        batch.add_column(sa.Column("review_delegation", sa.Boolean(), nullable=True))
    # Batch mode: SQLite cannot add a foreign key to an existing table otherwise. Existing decisions are
    # the department's (NULL).
    with op.batch_alter_table("report_revisions") as batch:
        batch.add_column(sa.Column("acting_org_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_report_revisions_acting_org_id_organizations"),
            "organizations",
            ["acting_org_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("report_revisions") as batch:
        batch.drop_constraint(op.f("fk_report_revisions_acting_org_id_organizations"), type_="foreignkey")
        batch.drop_column("acting_org_id")
    with op.batch_alter_table("resolutions") as batch:
        batch.drop_column("review_delegation")
