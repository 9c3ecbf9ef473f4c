"""files.parent_id: one foreign key, created in either arm of a branch

Revision ID: k3
Revises: k2
Create Date: 2026-02-03 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "k3"
down_revision: Union[str, Sequence[str], None] = "k2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("files", sa.Column("parent_id", sa.Uuid(), nullable=True))
    if sa.inspect(op.get_bind()).has_table("legacy_files"):
        op.create_foreign_key("fk_files_parent_id", "files", "files", ["parent_id"], ["id"], ondelete="SET NULL")
    else:
        op.create_foreign_key("fk_files_parent_id", "files", "files", ["parent_id"], ["id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("fk_files_parent_id", "files", type_="foreignkey")
    op.drop_column("files", "parent_id")
