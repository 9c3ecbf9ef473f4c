"""Drop the legacy audit table

Revision ID: g1
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "g1"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

irreversible = "The legacy audit rows are archived to S3 before this runs (DB-42)."


def upgrade() -> None:
    """Apply migration changes"""
    op.drop_table("legacy_audit")


def downgrade() -> None:
    """Rollback migration changes"""
