"""Batch operations (SQLite)

Revision ID: b2
Revises: b1
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b2"
down_revision: str | Sequence[str] | None = "b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tag_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("mood", sa.String(20), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_journal_entries_tag_id"), "tags", ["tag_id"], ["id"])

    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("idx_journal_entries_tag_id"), ["tag_id"], unique=False)


def downgrade() -> None:
    """Rollback migration changes"""
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("idx_journal_entries_tag_id"))

    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_journal_entries_tag_id"), type_="foreignkey")
        batch_op.drop_column("tag_id")
