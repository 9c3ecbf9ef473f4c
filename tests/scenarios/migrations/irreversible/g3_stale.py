"""Marked irreversible although the downgrade is complete

Revision ID: g3
Revises: g2
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "g3"
down_revision: str | Sequence[str] | None = "g2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

irreversible: str = "was irreversible before someone wrote the downgrade"


def upgrade() -> None:
    """Apply migration changes"""
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_column("users", "nickname")
