"""index memberships.team_id

Revision ID: s3
Revises: s2
Create Date: 2026-02-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "s3"
down_revision: Union[str, Sequence[str], None] = "s2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("idx_memberships_team_id", "memberships", ["team_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("idx_memberships_team_id", table_name="memberships")
