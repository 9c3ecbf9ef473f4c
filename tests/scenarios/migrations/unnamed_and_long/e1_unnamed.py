"""Unnamed constraints and indexes, and names too long for PostgreSQL

Revision ID: e1
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e1"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.UniqueConstraint("user_id", "name"),
        sa.CheckConstraint("length(name) > 0"),
    )
    op.create_index(None, "tags", ["name"])
    op.create_foreign_key(None, "tags", "users", ["user_id"], ["id"])
    op.create_unique_constraint(op.f(None), "tags", ["id", "name"])
    op.create_index("idx_tags_user_id_name_created_at_updated_at_and_a_few_more_columns", "tags", ["user_id"])
    op.create_check_constraint(op.f("ck_tags_a_convention_name_that_sqlalchemy_truncates_with_a_hash_suffix"), "tags", "id > 0")


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_constraint(None, "tags", type_="foreignkey")
    op.drop_table("tags")
