"""Add nickname, backfill it, then make it required

Revision ID: n5
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n5"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))

    # 3. Data, then the constraint that needs it
    op.execute("UPDATE users SET nickname = email")
    op.alter_column("users", "nickname", existing_type=sa.String(50), nullable=False)
    # Not on the backfilled table: still in the wrong section.
    op.create_table("audit", sa.Column("id", sa.BigInteger(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_audit"))


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_table("audit")
    op.drop_column("users", "nickname")
