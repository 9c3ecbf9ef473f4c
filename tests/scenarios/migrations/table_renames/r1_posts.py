"""create users and posts

Revision ID: r1
Revises: 
Create Date: 2026-02-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "r1"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("editor_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_posts"),
    )
    op.create_index("idx_posts_author_id", "posts", ["author_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("idx_posts_author_id", table_name="posts")
    op.drop_table("posts")
    op.drop_table("users")
