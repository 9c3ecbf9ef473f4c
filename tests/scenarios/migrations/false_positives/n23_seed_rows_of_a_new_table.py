"""Seed rows of a new table, and locks that change nothing (Warehouse)

Revision ID: n23
Revises:
Create Date: 2026-11-28 16:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "n23"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.execute("CREATE TABLE admin_flag (id text PRIMARY KEY, enabled boolean NOT NULL)")
    op.execute("LOCK TABLE admin_flag IN SHARE ROW EXCLUSIVE MODE")
    op.execute("INSERT INTO admin_flag (id, enabled) VALUES ('disallow-new-user-registration', FALSE)")


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_table("admin_flag")
