# config: ignore = ["AS10"]  # the lock-safety rules have fixtures of their own (AS10xx)
"""Bad: a foreign key no revision indexes; Good: one an earlier revision indexed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_foreign_key("fk_tags_user_id", "tags", "users", ["user_id"], ["id"])
    op.create_foreign_key("fk_tags_owner_id", "tags", "users", ["owner_id"], ["id"])  # expect: AS201 foreign key tags(owner_id) -> users.id is not covered by an index created in this revision or before it; add op.create_index('idx_tags_owner_id', 'tags', ['owner_id'])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_constraint("fk_tags_owner_id", "tags", type_="foreignkey")
    op.drop_constraint("fk_tags_user_id", "tags", type_="foreignkey")
