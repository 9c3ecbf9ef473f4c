"""Dialect-conditional branches and raw SQL

Revision ID: c1
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "c1"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    if context.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "idx_users_email_trgm",
            "users",
            ["email"],
            postgresql_using="gin",
            postgresql_ops={"email": "gin_trgm_ops"},
        )
    else:
        op.create_index("idx_users_email_trgm", "users", ["email"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("idx_users_email_trgm", table_name="users")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP EXTENSION IF EXISTS pg_trgm")
