"""Bad: the downgrade forgets the table

Revision ID: as703
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as703"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table(  # expect: AS703 downgrade() does not undo op.create_table() of table 'tags'; expected op.drop_table('tags')
        "tags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
    )
    op.create_index("idx_tags_user_id", "tags", ["user_id"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_tags_user_id", table_name="tags")
