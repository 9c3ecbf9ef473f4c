"""Foreign key posts.user_id

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
    op.create_foreign_key("fk_posts_user_id", "posts", "users", ["user_id"], ["id"])  # expect: AS1002 adds foreign key 'fk_posts_user_id' to existing table 'posts' in one step: both tables are locked against writes while every row is checked; add it with postgresql_not_valid=True, then VALIDATE CONSTRAINT in a separate step
    with op.get_context().autocommit_block():
        op.create_index("idx_posts_user_id", "posts", ["user_id"], postgresql_concurrently=True)


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_posts_user_id", table_name="posts")
    op.drop_constraint("fk_posts_user_id", "posts", type_="foreignkey")
