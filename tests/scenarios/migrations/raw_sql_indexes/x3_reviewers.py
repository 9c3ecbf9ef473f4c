"""rename the author index, add reviewers

Revision ID: x3
Revises: x2
Create Date: 2026-03-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "x3"
down_revision: Union[str, Sequence[str], None] = "x2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("ALTER INDEX idx_posts_author_id RENAME TO idx_posts_writer_id")
    op.add_column("posts", sa.Column("reviewer_id", sa.Uuid(), nullable=True))
    op.create_foreign_key("fk_posts_reviewer_id_users", "posts", "users", ["reviewer_id"], ["id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("fk_posts_reviewer_id_users", "posts", type_="foreignkey")
    op.drop_column("posts", "reviewer_id")
    op.execute("ALTER INDEX idx_posts_writer_id RENAME TO idx_posts_author_id")
