"""Downgrade through helper functions

Revision ID: b1
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b1"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "journal_entries"


def upgrade() -> None:
    """Apply migration changes"""
    _create_tables()
    op.create_index("idx_journal_entries_user_id", TABLE, ["user_id"])


def _create_tables() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_journal_entries_user_id"),
        sa.PrimaryKeyConstraint("id", name="pk_journal_entries"),
    )


def _drop_everything() -> None:
    _drop_indexes()
    op.drop_table(TABLE)


def _drop_indexes() -> None:
    op.drop_index("idx_journal_entries_user_id", table_name=TABLE)


def downgrade() -> None:
    """Rollback migration changes"""
    _drop_everything()
