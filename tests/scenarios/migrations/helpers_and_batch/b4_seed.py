"""Seed rows

Revision ID: b4
Revises: b3
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4"
down_revision: str | Sequence[str] | None = "b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

frequencies = sa.table("frequencies", sa.column("name", sa.String))


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    moods = op.create_table(
        "moods",
        sa.Column("name", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_moods"),
    )

    # 2. Data
    op.bulk_insert(moods, [{"name": "calm"}, {"name": "happy"}])
    op.bulk_insert(frequencies, [{"name": "hourly"}])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_table("moods")
