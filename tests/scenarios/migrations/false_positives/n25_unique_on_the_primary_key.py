"""unique=True on the column that is the whole primary key creates nothing (Open WebUI)

Revision ID: n25
Revises: n24
Create Date: 2026-11-28 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n25"
down_revision: str | Sequence[str] | None = "n24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "note",
        sa.Column("id", sa.Text(), nullable=False, primary_key=True, unique=True),
        sa.PrimaryKeyConstraint("id", name="pk_note"),
    )
    op.create_table(
        "channel",
        sa.Column("id", sa.Text(), nullable=False, unique=True),
        sa.Column("tenant", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", "tenant", name="pk_channel"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("channel")
    op.drop_table("note")
