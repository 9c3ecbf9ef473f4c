"""Rebuild the owner index concurrently, idempotently

Revision ID: n4
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n4"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    with op.get_context().autocommit_block():
        op.drop_index("idx_item_owner_id", table_name="item", if_exists=True, postgresql_concurrently=True)
        op.create_index("idx_item_owner_id", "item", ["owner_id"], postgresql_concurrently=True)


def downgrade() -> None:
    """Rollback migration changes"""
    with op.get_context().autocommit_block():
        op.drop_index("idx_item_owner_id", table_name="item", if_exists=True, postgresql_concurrently=True)
