"""parents, four tables with an unindexed key each

Revision ID: d1
Revises:
Create Date: 2026-03-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "d1"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table("parents", sa.Column("id", sa.Uuid(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_parents"))
    op.create_table(
        "drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["parents.id"], name="fk_drafts_parent_id"),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["parents.id"], name="fk_notes_parent_id"),
        sa.PrimaryKeyConstraint("id", name="pk_notes"),
    )
    op.create_table(
        "scraps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["parents.id"], name="fk_scraps_parent_id"),
        sa.PrimaryKeyConstraint("id", name="pk_scraps"),
    )
    op.create_table(
        "kept",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["parents.id"], name="fk_kept_parent_id"),
        sa.PrimaryKeyConstraint("id", name="pk_kept"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("kept")
    op.drop_table("scraps")
    op.drop_table("notes")
    op.drop_table("drafts")
    op.drop_table("parents")
