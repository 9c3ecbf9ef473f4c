"""Index posts.user_id

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
    op.create_index("idx_posts_user_id", "posts", ["user_id"])  # expect: AS1001 creates index 'idx_posts_user_id' on existing table 'posts' without CONCURRENTLY: writes to the table are blocked while the index builds; use postgresql_concurrently=True inside op.get_context().autocommit_block()


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_posts_user_id", table_name="posts")
