"""Sections out of order

Revision ID: f1
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_index("idx_tags_user_id", "tags", ["user_id"])
    op.execute("INSERT INTO tags (id, user_id) SELECT id, id FROM users")
    op.create_table("reminders", sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_reminders"))


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_table("reminders")
    op.execute("DELETE FROM tags")
    op.drop_index("idx_tags_user_id", table_name="tags")
