"""Move sport images to a new table; the downgrade re-adds the column, then restores its values (FitTrackee)

Revision ID: n12
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n12"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.create_table(
        "sport_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sport_images"),
    )
    op.drop_column("sports", "img")


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Tables
    op.drop_table("sport_images")
    op.add_column("sports", sa.Column("img", sa.String(255), nullable=True))

    # 2. Data
    op.execute("UPDATE sports SET img = '/img/sports/' || label || '.png'")
