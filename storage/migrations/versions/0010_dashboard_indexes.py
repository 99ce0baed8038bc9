"""dashboard indexes: reports by organization and by recommendation, with status and review state

The dashboard's overview counts answers from these indexes alone, in their order, so its GROUP BY streams
without a sort (storage/repositories/dashboard.py). The one on recommendation replaces
ix_reports_recommendation_id, its prefix.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_reports_org_status", "reports", ["organization_id", "status", "review_state", "recommendation_id"]
    )
    op.create_index(
        "ix_reports_rec_status", "reports", ["recommendation_id", "status", "review_state", "organization_id"]
    )
    op.drop_index("ix_reports_recommendation_id", table_name="reports")


def downgrade() -> None:
    op.create_index("ix_reports_recommendation_id", "reports", ["recommendation_id"])
    op.drop_index("ix_reports_rec_status", table_name="reports")
    op.drop_index("ix_reports_org_status", table_name="reports")
