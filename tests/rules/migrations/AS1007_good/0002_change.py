"""Longer posts.title

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
    op.alter_column("posts", "title", existing_type=sa.String(200), type_=sa.String(400))
    op.alter_column("users", "name", existing_type=sa.String(100), type_=sa.Text())


def downgrade() -> None:
    """Rollback migration changes"""
    op.alter_column("users", "name", existing_type=sa.Text(), type_=sa.String(100))
    op.alter_column("posts", "title", existing_type=sa.String(400), type_=sa.String(200))
