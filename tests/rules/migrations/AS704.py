"""Raw SQL: whether the downgrade undoes it cannot be decided (the catalogue's Bad example)

Revision ID: as704
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as704"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.execute("ALTER TABLE users ALTER COLUMN email TYPE citext")  # expect: AS704 cannot decide whether downgrade() undoes op.execute(...) (raw SQL); review it by hand


def downgrade() -> None:
    """Rollback migration changes"""
    op.execute("ALTER TABLE users ALTER COLUMN email TYPE text")
