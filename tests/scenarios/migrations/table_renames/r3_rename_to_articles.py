"""rename drafts to articles

Revision ID: r3
Revises: r2
Create Date: 2026-02-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "r3"
down_revision: Union[str, Sequence[str], None] = "r2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.rename_table("drafts", "articles")


def downgrade() -> None:
    """Downgrade schema."""
    op.rename_table("articles", "drafts")
