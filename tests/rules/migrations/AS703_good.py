"""Good: the downgrade undoes both steps, in reverse

Revision ID: as703good
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as703good"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table(
        "tags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
    )
    op.create_index("idx_tags_user_id", "tags", ["user_id"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_tags_user_id", table_name="tags")
    op.drop_table("tags")
