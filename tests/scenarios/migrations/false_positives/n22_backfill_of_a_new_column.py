"""A new column filled by raw SQL, dropped by the downgrade (Mealie, CTFd, Redash)

Revision ID: n22
Revises:
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n22"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.add_column("teams", sa.Column("is_ocr", sa.Boolean(), nullable=True))
    op.execute("UPDATE teams SET is_ocr = FALSE WHERE id IN (SELECT id FROM teams, LATERAL (SELECT 1) x)")
    op.execute("UPDATE teams SET is_ocr = TRUE, name = upper(name)")


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_column("teams", "is_ocr")
