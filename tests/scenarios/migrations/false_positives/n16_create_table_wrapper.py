"""A table through the project's create_table() wrapper (Superset)

Revision ID: n16
Revises:
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from project.migrations.utils import create_table

revision: str = "n16"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table(
        "labels",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_labels"),
    )
    create_table(
        "archive",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("code", sa.String(8), nullable=False),
        sa.UniqueConstraint("code"),
    )


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_table("archive")
    op.drop_table("labels")
