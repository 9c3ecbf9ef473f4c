"""drafts and scraps are gone, notes lose their parent: their keys went with them

Revision ID: d2
Revises: d1
Create Date: 2026-03-02 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "d2"
down_revision: Union[str, Sequence[str], None] = "d1"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.drop_column("notes", "parent_id")
    op.drop_table("drafts")
    op.drop_table("scraps")


def downgrade() -> None:
    """Downgrade schema."""
    op.create_table(
        "scraps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["parents.id"], name="fk_scraps_parent_id"),
        sa.PrimaryKeyConstraint("id", name="pk_scraps"),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["parents.id"], name="fk_drafts_parent_id"),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
    )
    op.add_column("notes", sa.Column("parent_id", sa.Uuid(), nullable=True))
    op.create_foreign_key("fk_notes_parent_id", "notes", "parents", ["parent_id"], ["id"])
