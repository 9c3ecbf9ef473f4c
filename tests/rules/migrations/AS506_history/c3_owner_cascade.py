"""Delete items with their owner

Revision ID: c3
Revises: b2
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c3"
down_revision: str | Sequence[str] | None = "b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.drop_constraint("item_owner_id_fkey", "item", type_="foreignkey")  # expect: AS506 drop_constraint('item_owner_id_fkey') depends on the name PostgreSQL generated for the unnamed foreign key item(owner_id) created in revision a1 (a1_items.py:32); with a naming convention a fresh replay names it 'fk_item_owner_id' and this drop fails: give that constraint this name explicitly there (name='item_owner_id_fkey'), which replays the same with or without a convention, or run `alembic-standards rename-constraints` first
    op.create_foreign_key("fk_item_owner_id", "item", "users", ["owner_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Tables
    op.drop_constraint("fk_item_owner_id", "item", type_="foreignkey")
    op.create_foreign_key("item_owner_id_fkey", "item", "users", ["owner_id"], ["id"])
