"""Labels, through a helper defined inside upgrade() and a project helper named like an operation (MLflow, Superset)

Revision ID: n15
Revises:
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from project.migrations.utils import create_index

revision: str = "n15"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""

    def _labels() -> None:
        op.create_table(
            "labels",
            sa.Column("id", sa.Uuid(), nullable=False),
            sa.Column("name", sa.String(50), nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_labels"),
        )

    # 1. Tables
    _labels()
    create_index("labels", "idx_labels_name", ["name"])
    op.add_column("labels", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_table("labels")
