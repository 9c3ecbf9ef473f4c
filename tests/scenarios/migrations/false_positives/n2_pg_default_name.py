"""Owner foreign key created unnamed, dropped by PostgreSQL's name

Revision ID: n2
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n2"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_foreign_key(None, "item", "owner", ["owner_id"], ["id"])
    op.create_index("idx_item_owner_id", "item", ["owner_id"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_item_owner_id", table_name="item")
    op.drop_constraint("item_owner_id_fkey", "item", type_="foreignkey")
