"""Unique users.email

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
    op.create_unique_constraint("uq_users_email", "users", ["email"])  # expect: AS1004 adds unique constraint 'uq_users_email' to existing table 'users' directly: the table is locked while its index builds; create a unique index CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_constraint("uq_users_email", "users", type_="unique")
