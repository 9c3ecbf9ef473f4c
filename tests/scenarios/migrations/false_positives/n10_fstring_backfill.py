"""Add a foreign key (no index: AS201), backfill with f-strings and a select (FitTrackee)

Revision ID: n10
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n10"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table("users", sa.column("id"))


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.add_column("workouts", sa.Column("owner_id", sa.Uuid(), nullable=True))
    op.create_foreign_key("fk_workouts_owner_id", "workouts", "users", ["owner_id"], ["id"])

    # 2. Data
    connection = op.get_bind()
    for user in connection.execute(users.select()):
        op.execute(f"UPDATE workouts SET owner_id = '{user.id}' WHERE owner_id IS NULL")


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Data
    op.execute("UPDATE workouts SET owner_id = NULL")

    # 2. Tables
    op.drop_constraint("fk_workouts_owner_id", "workouts", type_="foreignkey")
    op.drop_column("workouts", "owner_id")
