"""The same change through Alembic operations: the checker decides (the catalogue's Good example)

Revision ID: as704_good
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import CITEXT

revision: str = "as704_good"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.alter_column("users", "email", type_=CITEXT(), existing_type=sa.Text())


def downgrade() -> None:
    """Rollback migration changes"""
    op.alter_column("users", "email", type_=sa.Text(), existing_type=CITEXT())
