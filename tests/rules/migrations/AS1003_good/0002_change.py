"""Check posts.title, not valid then validated

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
    op.create_check_constraint("ck_posts_title", "posts", "length(title) > 0", postgresql_not_valid=True)
    op.execute("ALTER TABLE posts VALIDATE CONSTRAINT ck_posts_title")


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_constraint("ck_posts_title", "posts", type_="check")
