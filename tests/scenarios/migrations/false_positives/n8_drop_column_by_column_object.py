"""Add a properties column (JupyterHub drops it by a Column object)

Revision ID: n8
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n8"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.add_column("groups", sa.Column("properties", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_column("groups", sa.Column("properties"))
