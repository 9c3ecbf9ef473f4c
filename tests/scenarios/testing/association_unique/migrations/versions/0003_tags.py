"""tags, post_tags, events

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "post_tags",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_post_tags_post_id")),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_post_tags_tag_id")),
        sa.UniqueConstraint("post_id", "tag_id", name=op.f("uq_post_tags_post_id_tag_id")),
    )
    op.create_index(op.f("idx_post_tags_tag_id"), "post_tags", ["tag_id"], unique=False)
    op.create_table("events", sa.Column("payload", sa.String(length=200), nullable=False))


def downgrade() -> None:
    op.drop_table("events")
    op.drop_index(op.f("idx_post_tags_tag_id"), table_name="post_tags")
    op.drop_table("post_tags")
    op.drop_table("tags")
