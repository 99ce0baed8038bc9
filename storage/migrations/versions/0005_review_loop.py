"""review loop: review state of reports, decisions as revisions, deadline extensions, evidence gate

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEW_STATE = sa.Enum("pending", "accepted", "returned", name="reviewstate", native_enum=False, length=32)
EVENT = sa.Enum(
    "submitted", "accepted", "returned", "reopened", name="revisionevent", native_enum=False, length=32
)
EXTENSION_STATE = sa.Enum(
    "pending", "approved", "denied", name="extensionstate", native_enum=False, length=32
)


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key to an existing table otherwise.
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("review_state", REVIEW_STATE, server_default="pending", nullable=False))
        batch.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reviewed_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("review_comment", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reports_reviewed_by_people"), "people", ["reviewed_by"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(op.f("ix_reports_review_state"), ["review_state"])
    # Reports made before the review loop wait for review like new ones, oldest first.
    op.execute("UPDATE reports SET submitted_at = updated_at")
    with op.batch_alter_table("report_revisions") as batch:
        batch.add_column(sa.Column("event", EVENT, server_default="submitted", nullable=False))
        batch.add_column(sa.Column("review_state", REVIEW_STATE, server_default="pending", nullable=False))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
    with op.batch_alter_table("resolutions") as batch:
        batch.add_column(
            sa.Column("evidence_required_for_done", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("people") as batch:
        batch.add_column(
            sa.Column("review_notices_muted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _create_deadline_extensions()


def _create_deadline_extensions() -> None:
    op.create_table(
        "deadline_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("new_deadline", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", EXTENSION_STATE, nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("source_key", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_deadline_extensions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_deadline_extensions_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["people.id"],
            name=op.f("fk_deadline_extensions_requested_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["people.id"],
            name=op.f("fk_deadline_extensions_decided_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_extensions")),
        sa.UniqueConstraint("source_key", name=op.f("uq_deadline_extensions_source_key")),
    )
    op.create_index(
        "ix_deadline_extensions_org_rec", "deadline_extensions", ["organization_id", "recommendation_id"]
    )
    op.create_index(op.f("ix_deadline_extensions_state"), "deadline_extensions", ["state"])


def downgrade() -> None:
    op.drop_index(op.f("ix_deadline_extensions_state"), table_name="deadline_extensions")
    op.drop_index("ix_deadline_extensions_org_rec", table_name="deadline_extensions")
    op.drop_table("deadline_extensions")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("review_notices_muted")
    with op.batch_alter_table("resolutions") as batch:
        batch.drop_column("evidence_required_for_done")
    with op.batch_alter_table("report_revisions") as batch:
        batch.drop_column("note")
        batch.drop_column("review_state")
        batch.drop_column("event")
    with op.batch_alter_table("reports") as batch:
        batch.drop_index(op.f("ix_reports_review_state"))
        batch.drop_constraint(op.f("fk_reports_reviewed_by_people"), type_="foreignkey")
        batch.drop_column("review_comment")
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_by")
        batch.drop_column("submitted_at")
        batch.drop_column("review_state")
