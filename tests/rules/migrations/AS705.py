"""Bad: irreversible without a reason

Revision ID: as705
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "as705"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
irreversible = True  # expect: AS705 irreversible marker has no reason: write `irreversible = "<why this revision cannot be rolled back>"`


def upgrade() -> None:
    """Apply migration changes"""
    op.drop_table("legacy_audit")


def downgrade() -> None:  # expect: AS702 downgrade() only raises NotImplementedError while upgrade() has 1 operation(s)
    """Rollback migration changes"""
    raise NotImplementedError("irreversible")
