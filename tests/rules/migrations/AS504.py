"""Bad: a name over 63 bytes; Good: a short one

Revision ID: as504
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as504"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_index("idx_journal_entries_user_id_entry_date_created_at_updated_at_title", "journal_entries", ["user_id", "entry_date"])  # expect: AS504 name 'idx_journal_entries_user_id_entry_date_created_at_updated_at_title' is 66 bytes; PostgreSQL keeps 63
    op.create_index("idx_journal_entries_user_date", "journal_entries", ["user_id", "entry_date"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_journal_entries_user_date", table_name="journal_entries")
    op.drop_index("idx_journal_entries_user_id_entry_date_created_at_updated_at_title", table_name="journal_entries")
