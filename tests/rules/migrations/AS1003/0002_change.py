"""Check posts.title

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 12:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.execute("SET lock_timeout = '5s'")
    op.create_check_constraint("ck_posts_title", "posts", "length(title) > 0")  # expect: AS1003 adds check constraint 'ck_posts_title' to existing table 'posts' in one step: the table is locked while every row is checked; add it with postgresql_not_valid=True, then VALIDATE CONSTRAINT


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_constraint("ck_posts_title", "posts", type_="check")
