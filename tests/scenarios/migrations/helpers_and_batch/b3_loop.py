"""Operations in a loop over computed names

Revision ID: b3
Revises: b2
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b3"
down_revision: str | Sequence[str] | None = "b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDITED = ("users", "tags")


def upgrade() -> None:
    """Apply migration changes"""
    for table in AUDITED:
        op.add_column(table, sa.Column("audited_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Rollback migration changes"""
    for table in AUDITED:
        op.drop_column(table, "audited_at")
