"""A foreign key indexed by SQL with a computed part

Revision ID: c4
Revises: c3
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4"
down_revision: str | Sequence[str] | None = "c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMN = "actor_id"


def upgrade() -> None:
    """Apply migration changes"""
    op.add_column("audit_log", sa.Column("actor_id", sa.Integer(), nullable=True))
    op.create_foreign_key("fk_audit_log_actor_id", "audit_log", "users", ["actor_id"], ["id"])
    op.execute(f"CREATE INDEX idx_audit_log_actor_id ON audit_log ({COLUMN})")


def downgrade() -> None:
    """Rollback migration changes"""
    op.execute("DROP INDEX idx_audit_log_actor_id")
    op.drop_constraint("fk_audit_log_actor_id", "audit_log", type_="foreignkey")
    op.drop_column("audit_log", "actor_id")
