"""A backfill in batches, each committed, after an index build (Warehouse)

Revision ID: n24
Revises: n23
Create Date: 2026-11-28 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n24"
down_revision: str | Sequence[str] | None = "n23"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _remaining(bind: sa.Connection) -> int:
    return bind.execute(sa.text("SELECT count(*) FROM admin_flag WHERE enabled IS NULL")).scalar_one()


def upgrade() -> None:
    """Apply migration changes"""
    op.execute("SET lock_timeout = '5s'")
    op.add_column("admin_flag", sa.Column("note", sa.Text(), nullable=True))
    bind = op.get_bind()
    while _remaining(bind) > 0:
        bind.execute(sa.text("UPDATE admin_flag SET note = 'none' WHERE id IN (SELECT id FROM admin_flag LIMIT 1000)"))
        bind.commit()


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_column("admin_flag", "note")
