"""Create users

Revision ID: 0001
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_tags_user_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
    )

    # 2. Indexes
    op.create_index(op.f("idx_tags_user_id"), "tags", ["user_id"], unique=False)


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Indexes
    op.drop_index(op.f("idx_tags_user_id"), table_name="tags")

    # 2. Tables
    op.drop_table("tags")
    op.drop_table("users")
