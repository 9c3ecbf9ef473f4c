"""Raw DDL and its undoing, raw or not (Warehouse, Dispatch)

Revision ID: c5
Revises: c4
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5"
down_revision: str | Sequence[str] | None = "c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.execute("ALTER TABLE audit_log ADD COLUMN seq SERIAL")
    op.execute("CREATE INDEX idx_audit_log_lower_note ON audit_log (lower(note))")
    op.create_index("idx_audit_log_seq", "audit_log", ["seq"])
    op.execute("ALTER TABLE audit_log ADD COLUMN kind TEXT; ANALYZE audit_log")


def downgrade() -> None:
    """Rollback migration changes"""
    op.execute("ALTER TABLE audit_log DROP COLUMN kind")
    op.execute("DROP INDEX IF EXISTS idx_audit_log_seq")
    op.drop_index("idx_audit_log_lower_note", table_name="audit_log")
    op.drop_column("audit_log", "seq")
