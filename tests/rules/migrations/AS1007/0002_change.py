"""posts.views bigint

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
    op.alter_column("posts", "views", existing_type=sa.Integer(), type_=sa.BigInteger())  # expect: AS1007 changes the type of posts.views from INTEGER to BIGINT: the table is rewritten under an ACCESS EXCLUSIVE lock; add a new column, backfill it, then switch


def downgrade() -> None:
    """Rollback migration changes"""
    op.alter_column("posts", "views", existing_type=sa.BigInteger(), type_=sa.Integer())
