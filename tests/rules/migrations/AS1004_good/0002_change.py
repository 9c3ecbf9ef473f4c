"""Unique users.email through a concurrent index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 12:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.execute("SET lock_timeout = '5s'")
    with op.get_context().autocommit_block():
        op.create_index("uq_users_email", "users", ["email"], unique=True, postgresql_concurrently=True)  # expect: AS703 downgrade() does not undo op.create_index() of index 'uq_users_email' on 'users'; expected op.drop_index('uq_users_email', table_name='users')
    op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email")


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_constraint("uq_users_email", "users", type_="unique")
