"""Bad: unnamed constraint and index; Good: named ones

Revision ID: as501
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as501"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table(
        "tags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("color", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
        sa.UniqueConstraint("user_id", "name"),  # expect: AS501 unnamed unique constraint in op.create_table() on 'tags' (convention name: 'uq_tags_user_id_name')
        sa.UniqueConstraint("user_id", "color", name="uq_tags_user_id_color"),
        sa.Index(None, "user_id", "color"),  # expect: AS501 unnamed index in op.create_table() on 'tags' (convention name: 'idx_tags_user_id_color')
        sa.Index("idx_tags_color", "color"),
    )
    op.create_index("idx_tags_user_id", "tags", ["user_id"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_tags_user_id", table_name="tags")
    op.drop_table("tags")
