"""Marker without a reason

Revision ID: g2
Revises: g1
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "g2"
down_revision: str | Sequence[str] | None = "g1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

irreversible = True


def upgrade() -> None:
    """Apply migration changes"""
    op.drop_table("legacy_events")


def downgrade() -> None:
    """Rollback migration changes"""
