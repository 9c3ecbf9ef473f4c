"""users.status backfilled outside the transaction

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
    op.add_column("users", sa.Column("status", sa.String(20), nullable=True))
    with op.get_context().autocommit_block():
        op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_column("users", "status")
