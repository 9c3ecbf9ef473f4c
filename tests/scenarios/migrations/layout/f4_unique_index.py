"""A table, its index, then its unique index (Warehouse's useruniquelogin)

Revision ID: f4
Revises: f1
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f4"
down_revision: str | Sequence[str] | None = "f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table(
        "logins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("ip", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_logins"),
    )
    op.create_index("idx_logins_user_id", "logins", ["user_id"], unique=False)
    op.create_index("uq_logins_user_id_ip", "logins", ["user_id", "ip"], unique=True)


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("uq_logins_user_id_ip", table_name="logins")
    op.drop_index("idx_logins_user_id", table_name="logins")
    op.drop_table("logins")
