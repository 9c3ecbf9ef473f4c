"""Good: irreversible, and why

Revision ID: as705good
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as705good"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
irreversible = "Drops the legacy audit table; its data is archived in S3 (TICKET-123)."  # expect: AS702 revision is marked irreversible ('Drops the legacy audit table; its data is archived in S3 (TICKET-123).'); its downgrade does not reverse the upgrade: AS702 downgrade() only raises NotImplementedError while upgrade() has 1 operation(s)


def upgrade() -> None:
    """Apply migration changes"""
    op.drop_table("legacy_audit")


def downgrade() -> None:
    """Rollback migration changes"""
    raise NotImplementedError("irreversible")
