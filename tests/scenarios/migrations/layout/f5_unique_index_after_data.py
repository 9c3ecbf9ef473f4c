"""A unique index after a data step on another table: out of order either way

Revision ID: f5
Revises: f4
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f5"
down_revision: str | Sequence[str] | None = "f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table("devices", sa.Column("id", sa.Uuid(), nullable=False), sa.Column("serial", sa.Text(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_devices"))
    op.execute("UPDATE logins SET ip = '0.0.0.0' WHERE ip = ''")
    op.create_index("uq_devices_serial", "devices", ["serial"], unique=True)


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("uq_devices_serial", table_name="devices")
    op.drop_table("devices")
