"""Bad: a foreign key without an index; Good: one with its index

Revision ID: as201
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as201"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table(
        "tags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_tags_user_id"),  # expect: AS201 foreign key tags(user_id) -> users.id is not covered by an index created in this revision or before it; add op.create_index('idx_tags_user_id', 'tags', ['user_id'])
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_tags_owner_id"),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
    )
    op.create_index("idx_tags_owner_id", "tags", ["owner_id"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_tags_owner_id", table_name="tags")
    op.drop_table("tags")
