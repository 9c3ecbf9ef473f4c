"""Rebuild tags as a copy, rename it and index the new name (Airflow's SQLite rebuilds)

Revision ID: n14
Revises:
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n14"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.create_table(
        "new_tags",
        sa.Column("id", sa.Uuid(), primary_key=True, nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(columns=("user_id",), refcolumns=["users.id"], ondelete="CASCADE"),
    )
    op.rename_table("new_tags", "tags")

    # 2. Indexes
    op.create_index("idx_tags_user_id", "tags", ["user_id"])


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Indexes
    op.drop_index("idx_tags_user_id", table_name="tags")

    # 2. Tables
    op.rename_table("tags", "new_tags")
    op.drop_table("new_tags")
