"""Rename items to products, with its index

Revision ID: n1
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n1"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.rename_table("items", "products")
    op.drop_index("idx_items_name", table_name="products")
    op.create_index("idx_products_name", "products", ["name"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_products_name", table_name="products")
    op.rename_table("products", "items")
    op.create_index("idx_items_name", "items", ["name"])
