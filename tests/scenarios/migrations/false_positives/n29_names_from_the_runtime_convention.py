"""names Alembic gives through env.py's target_metadata naming convention (Indico), and a CHECK
dropped with its column

Revision ID: n29
Revises: n28
Create Date: 2026-11-28 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n29"
down_revision: str | Sequence[str] | None = "n28"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIMIT = 3


def upgrade() -> None:
    """Upgrade schema."""
    # ck_%(table_name)s_%(constraint_name)s names it ck_folders_not_hidden_and_visible.
    op.create_check_constraint("not_hidden_and_visible", "folders", "NOT (is_hidden AND is_visible)")
    # fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s: fk_comments_revision_id_revisions.
    op.drop_constraint("fk_comments_revision_id_revisions", "comments", type_="foreignkey")
    op.create_foreign_key(None, "comments", "revisions", ["revision_id"], ["id"], ondelete="CASCADE")
    # pk_%(table_name)s, then a new key on id.
    op.drop_constraint("pk_bookable_hours", "bookable_hours")
    op.create_primary_key(None, "bookable_hours", ["id"])
    # A CHECK on a column the downgrade drops (an f-string condition: its words are still read).
    op.add_column("categories", sa.Column("wallet_mode", sa.Integer(), nullable=True))
    op.create_check_constraint("wallet_mode_valid", "categories", f"wallet_mode < {LIMIT}")
    # ix_%(column_0_label)s: ix_users_merged_into_id.
    op.create_index(None, "users", ["merged_into_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_users_merged_into_id", table_name="users")
    op.drop_column("categories", "wallet_mode")
    op.drop_constraint("pk_bookable_hours", "bookable_hours")
    op.create_primary_key(None, "bookable_hours", ["room_id", "start_time"])
    op.drop_constraint("fk_comments_revision_id_revisions", "comments", type_="foreignkey")
    op.create_foreign_key(None, "comments", "revisions", ["revision_id"], ["id"])
    op.drop_constraint("ck_folders_not_hidden_and_visible", "folders")
