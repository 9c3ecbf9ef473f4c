"""A table dropped by raw SQL in the downgrade, with the seed rows the upgrade inserted

Revision ID: c2
Revises: c1
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2"
down_revision: str | Sequence[str] | None = "c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table("audit_log", sa.Column("id", sa.BigInteger(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_audit_log"))
    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO audit_log (id) VALUES (1)"))


def downgrade() -> None:
    """Rollback migration changes"""
    op.get_bind().exec_driver_sql("DROP TABLE audit_log")
