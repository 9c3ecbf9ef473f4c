"""Drop drafts: first its foreign key and column, then the table; the downgrade creates it whole (MindsDB)

Revision ID: n18
Revises:
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n18"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.drop_constraint("fk_drafts_note_id", "drafts", type_="foreignkey")
    op.drop_column("drafts", "note_id")
    op.drop_table("drafts")


def downgrade() -> None:
    """Rollback migration changes"""
    op.create_table(
        "drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("note_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"], name="fk_drafts_note_id"),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
    )
