"""
Revision ID: f3
Create Date: 2026-11-25 12:00:00
"""

from alembic import op

revision: str = "f3"
down_revision: str | None = "f2"


def upgrade() -> None:
    """Apply migration changes"""


def downgrade() -> None:
    """Rollback migration changes"""
