"""Add reminders and a nickname

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.create_table(
        "reminders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", name="fk_reminders_user_id"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reminders"),
    )
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
    op.alter_column("users", "email", existing_type=sa.String(255), type_=sa.String(320))
    # An index created by an earlier revision covers this foreign key.
    op.create_foreign_key("fk_users_id_tags", "users", "tags", ["id"], ["id"])

    # 2. Indexes
    op.create_index("idx_reminders_user_id", "reminders", ["user_id", "id"])

    # 3. Data
    op.execute("UPDATE users SET nickname = email")


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Data (nothing to undo: nickname is dropped below)
    # 2. Indexes
    op.drop_index("idx_reminders_user_id", table_name="reminders")

    # 3. Tables
    op.drop_constraint("fk_users_id_tags", "users", type_="foreignkey")
    op.alter_column("users", "email", existing_type=sa.String(320), type_=sa.String(255))
    op.drop_column("users", "nickname")
    op.drop_table("reminders")
