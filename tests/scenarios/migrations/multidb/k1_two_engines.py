"""users on engine1, events on engine2 (Alembic's multidb template)

Revision ID: k1
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "k1"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade(engine_name: str) -> None:
    """Apply migration changes"""
    globals()[f"upgrade_{engine_name}"]()


def downgrade(engine_name: str) -> None:
    """Rollback migration changes"""
    globals()[f"downgrade_{engine_name}"]()


def upgrade_engine1() -> None:
    op.create_table("users", sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_users"))


def downgrade_engine1() -> None:
    op.drop_table("users")


def upgrade_engine2() -> None:
    op.create_table("events", sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_events"))
    op.create_index("idx_events_id", "events", ["id"])
    op.execute("INSERT INTO events (id) VALUES (1)")


def downgrade_engine2() -> None:
    pass
