"""index posts.title the blocking way (AS1001)

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("idx_posts_title", "posts", ["title"], unique=False)


def downgrade() -> None:
    op.drop_index("idx_posts_title", table_name="posts")
