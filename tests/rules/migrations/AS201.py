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
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_tags_user_id"),  # expect: AS201 foreign key tags(user_id) -> users.id is not covered by an index created in this revision or before it; add op.create_index('idx_tags_user_id', 'tags', ['user_id'])
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_tags_owner_id"),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name="fk_tags_org_id"),  # expect: AS201 foreign key tags(org_id) -> orgs.id is not covered by an index created in this revision or before it; add op.create_index('idx_tags_org_id', 'tags', ['org_id'])
        sa.ForeignKeyConstraint(["parent_id"], ["tags.id"], name="fk_tags_parent_id"),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
    )
    op.create_index("idx_tags_owner_id", "tags", ["owner_id"])
    # Partial: only `<column> IS NOT NULL` covers the key (the rows a lookup of a deleted parent finds).
    op.create_index("uq_tags_org_id", "tags", ["org_id"], unique=True, postgresql_where=sa.text("deleted_at IS NULL"))
    op.create_index("idx_tags_parent_id", "tags", ["parent_id"], postgresql_where=sa.text("parent_id IS NOT NULL"))


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_tags_parent_id", table_name="tags")
    op.drop_index("uq_tags_org_id", table_name="tags")
    op.drop_index("idx_tags_owner_id", table_name="tags")
    op.drop_table("tags")
