"""Downgrade forgets objects

Revision ID: a6
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a6"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table("tags", sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_tags"))
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
    op.create_unique_constraint("uq_users_nickname", "users", ["nickname"])
    op.drop_column("users", "legacy")
    op.create_index("idx_tags_id", "tags", ["id"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_table("tags")
    op.drop_column("users", "nickname")
