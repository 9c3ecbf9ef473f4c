"""Still checked

Revision ID: h2
Revises: h1
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "h2"
down_revision: str | Sequence[str] | None = "h1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.drop_table("tags")


def downgrade() -> None:
    """Rollback migration changes"""
    pass
