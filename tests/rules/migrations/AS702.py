"""Bad: downgrade does nothing

Revision ID: as702
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as702"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade() -> None:  # expect: AS702 downgrade() is only `pass` while upgrade() has 1 operation(s)
    """Rollback migration changes"""
    pass
