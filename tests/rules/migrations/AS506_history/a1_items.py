"""Create items (before the team set a naming convention)

Revision ID: a1
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a1"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    op.create_table(
        "item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),  # expect: AS501 unnamed foreign key in op.create_table() on 'item' (convention name: 'fk_item_owner_id')
        sa.PrimaryKeyConstraint("id", name="pk_item"),
    )

    # 2. Indexes
    op.create_index("idx_item_owner_id", "item", ["owner_id"], unique=False)


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Indexes
    op.drop_index("idx_item_owner_id", table_name="item")

    # 2. Tables
    op.drop_table("item")
    op.drop_table("users")
