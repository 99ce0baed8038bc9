"""chat menus: the digest of each chat's command menu and menu button as last set

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Empty at first: the first start-up after the upgrade sets every menu once, then only changes.
    op.create_table(
        "chat_menus",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("commands", sa.String(length=16), nullable=True),
        sa.Column("button", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_chat_menus")),
    )


def downgrade() -> None:
    op.drop_table("chat_menus")
