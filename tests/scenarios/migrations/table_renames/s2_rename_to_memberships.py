"""rename members to memberships

Revision ID: s2
Revises: s1
Create Date: 2026-02-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "s2"
down_revision: Union[str, Sequence[str], None] = "s1"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.rename_table("members", "memberships")


def downgrade() -> None:
    """Downgrade schema."""
    op.rename_table("memberships", "members")
