"""users.email not null

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
    op.alter_column("users", "email", existing_type=sa.String(255), nullable=False)  # expect: AS1005 sets NOT NULL on users.email of an existing table: the table is locked while every row is scanned; add CHECK (column IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it, then set NOT NULL (PostgreSQL 12+ skips the scan) and drop the check


def downgrade() -> None:
    """Rollback migration changes"""
    op.alter_column("users", "email", existing_type=sa.String(255), nullable=True)
