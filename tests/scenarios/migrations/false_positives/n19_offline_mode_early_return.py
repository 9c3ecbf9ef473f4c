"""Add labels.folder_id and its index, with an offline-mode path that returns early (Open WebUI)

Revision ID: n19
Revises:
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "n19"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    if context.is_offline_mode():
        op.add_column("labels", sa.Column("folder_id", sa.Uuid(), nullable=True))
        op.create_index("idx_labels_folder_id", "labels", ["folder_id"])
        return
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("labels")}
    if "folder_id" not in columns:
        op.add_column("labels", sa.Column("folder_id", sa.Uuid(), nullable=True))
    op.create_index("idx_labels_folder_id", "labels", ["folder_id"])


def downgrade() -> None:
    """Rollback migration changes"""
    if context.is_offline_mode():
        op.drop_index("idx_labels_folder_id", table_name="labels")
        op.drop_column("labels", "folder_id")
        return
    op.drop_index("idx_labels_folder_id", table_name="labels")
    op.drop_column("labels", "folder_id")
