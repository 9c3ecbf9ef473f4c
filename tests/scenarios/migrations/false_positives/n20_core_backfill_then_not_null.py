"""Backfill with SQLAlchemy Core, then NOT NULL (Warehouse 1fdf5dc6bbf3)

Revision ID: n20
Revises:
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n20"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logins = sa.table("logins", sa.column("id"), sa.column("ip"))


def upgrade() -> None:
    """Apply migration changes"""
    connection = op.get_bind()
    connection.execute(logins.update().where(logins.c.ip.is_(None)).values(ip="0.0.0.0"))
    op.alter_column("logins", "ip", existing_type=sa.String(), nullable=False)


def downgrade() -> None:
    """Rollback migration changes"""
    op.alter_column("logins", "ip", existing_type=sa.String(), nullable=True)
