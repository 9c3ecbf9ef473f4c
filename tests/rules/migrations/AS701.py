"""Bad: no downgrade at all

Revision ID: as701
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as701"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:  # expect: AS701 revision has no downgrade() while upgrade() has 1 operation(s)
    """Apply migration changes"""
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
