"""index users by creation time, add a display name

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
    op.add_column("users", sa.Column("display_name", sa.String(length=100), nullable=True))
    op.create_index("idx_users_created_at", "users", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_column("users", "display_name")
