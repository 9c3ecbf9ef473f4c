"""users.token, default set after the column

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 12:05:00
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
    op.execute("SET lock_timeout = '5s'")
    op.add_column("users", sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False))
    op.add_column("users", sa.Column("token", sa.Uuid(), nullable=True))
    op.alter_column("users", "token", existing_type=sa.Uuid(), server_default=sa.text("gen_random_uuid()"))


def downgrade() -> None:
    """Rollback migration changes"""
    op.alter_column("users", "token", existing_type=sa.Uuid(), server_default=None)
    op.drop_column("users", "token")
    op.drop_column("users", "created_at")
