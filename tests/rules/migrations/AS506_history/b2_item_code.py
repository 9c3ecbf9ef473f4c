# config: ignore = ["AS10"]  # the lock-safety rules have fixtures of their own (AS10xx)
"""Add item code

Revision ID: b2
Revises: a1
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b2"
down_revision: str | Sequence[str] | None = "a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.add_column("item", sa.Column("code", sa.String(20), nullable=True))


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Tables
    op.drop_column("item", "code")
