"""A foreign key indexed by raw SQL

Revision ID: c3
Revises: c2
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3"
down_revision: str | Sequence[str] | None = "c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.add_column("audit_log", sa.Column("user_id", sa.Integer(), nullable=True))
    op.create_foreign_key("fk_audit_log_user_id", "audit_log", "users", ["user_id"], ["id"])
    op.execute("CREATE INDEX CONCURRENTLY idx_audit_log_user_id ON audit_log (user_id)")


def downgrade() -> None:
    """Rollback migration changes"""
    op.execute("DROP INDEX idx_audit_log_user_id")
    op.drop_constraint("fk_audit_log_user_id", "audit_log", type_="foreignkey")
    op.drop_column("audit_log", "user_id")
