"""A downgrade whose raw SQL cannot be read: a stored procedure

Revision ID: c6
Revises: c5
Create Date: 2026-11-28 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c6"
down_revision: str | Sequence[str] | None = "c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table("audit_archive", sa.Column("id", sa.BigInteger(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_audit_archive"))
    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO audit_archive (id) SELECT id FROM audit_log"))


def downgrade() -> None:
    """Rollback migration changes"""
    op.get_bind().exec_driver_sql("CALL drop_audit_archive()")
