"""Add notes.tag_id with its index and foreign key; the downgrade drops the column (Prefect, Langflow)

Revision ID: n17
Revises:
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n17"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # A table Alembic's batch mode left behind when an earlier run failed (SQLite).
    op.drop_table("_alembic_tmp_notes")
    with op.batch_alter_table("notes") as batch_op:
        batch_op.add_column(sa.Column("tag_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key("fk_notes_tag_id", "tags", ["tag_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index("idx_notes_tag_id", ["tag_id"])


def downgrade() -> None:
    """Rollback migration changes"""
    with op.batch_alter_table("notes") as batch_op:
        batch_op.drop_column("tag_id")
