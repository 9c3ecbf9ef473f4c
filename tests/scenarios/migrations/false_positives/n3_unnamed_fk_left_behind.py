"""Unnamed constraints the downgrade forgets

Revision ID: n3
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n3"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.add_column("item", sa.Column("sku", sa.String(20), nullable=True))
    op.create_unique_constraint(None, "item", ["owner_id", "sku"])
    op.create_foreign_key(None, "item", "owner", ["owner_id"], ["id"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_column("item", "sku")
