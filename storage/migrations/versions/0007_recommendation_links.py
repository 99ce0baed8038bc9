"""recommendation links: year-over-year repeats between resolutions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINK_STATE = sa.Enum("found", "confirmed", "unlinked", name="linkstate", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "recommendation_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rec_id", sa.Integer(), nullable=False),
        sa.Column("earlier_rec_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("state", LINK_STATE, nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rec_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_links_rec_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["earlier_rec_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_links_earlier_rec_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_links")),
        sa.UniqueConstraint(
            "rec_id", "earlier_rec_id", name=op.f("uq_recommendation_links_rec_id_earlier_rec_id")
        ),
    )
    op.create_index(op.f("ix_recommendation_links_rec_id"), "recommendation_links", ["rec_id"])
    op.create_index(
        op.f("ix_recommendation_links_earlier_rec_id"), "recommendation_links", ["earlier_rec_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_recommendation_links_earlier_rec_id"), table_name="recommendation_links")
    op.drop_index(op.f("ix_recommendation_links_rec_id"), table_name="recommendation_links")
    op.drop_table("recommendation_links")
