"""Bad: an index before a table in upgrade(); Good: the downgrade's reverse order

Revision ID: as804
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as804"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_index("idx_tags_user_id", "tags", ["user_id"])
    op.create_table("reminders", sa.Column("id", sa.Uuid(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_reminders"))  # expect: AS804 upgrade(): op.create_table() (tables) is out of the template's section order (tables, indexes, data; creations in that order, drops in reverse)


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_tags_user_id", table_name="tags")
    op.drop_table("reminders")
