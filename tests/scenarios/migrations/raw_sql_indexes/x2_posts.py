"""create posts, indexed in raw SQL

Revision ID: x2
Revises: x1
Create Date: 2026-03-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "x2"
down_revision: Union[str, Sequence[str], None] = "x1"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "posts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("editor_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_posts"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name="fk_posts_author_id_users"),
        sa.ForeignKeyConstraint(["editor_id"], ["users.id"], name="fk_posts_editor_id_users"),
    )
    op.execute("CREATE INDEX idx_posts_author_id ON posts (author_id)")
    op.execute("CREATE INDEX idx_posts_title_ts ON posts USING gin (to_tsvector('english', title))")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP INDEX idx_posts_title_ts")
    op.execute("DROP INDEX idx_posts_author_id")
    op.drop_table("posts")
