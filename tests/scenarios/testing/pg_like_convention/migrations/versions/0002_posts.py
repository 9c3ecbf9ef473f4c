"""posts

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f("ck_posts_status_valid")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("posts_user_id_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("posts_pkey")),
        sa.UniqueConstraint("user_id", "title", name=op.f("posts_user_id_title_key")),
    )
    op.create_index("idx_posts_user_id_created_at", "posts", ["user_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("idx_posts_user_id_created_at", table_name="posts")
    op.drop_table("posts")
