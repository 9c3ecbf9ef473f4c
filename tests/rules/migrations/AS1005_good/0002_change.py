"""users.email not null, proven by a validated check

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
    op.create_check_constraint(
        "ck_users_email_not_null", "users", "email IS NOT NULL", postgresql_not_valid=True
    )
    op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_email_not_null")
    op.alter_column("users", "email", existing_type=sa.String(255), nullable=False)


def downgrade() -> None:
    """Rollback migration changes"""
    op.alter_column("users", "email", existing_type=sa.String(255), nullable=True)
    op.drop_constraint("ck_users_email_not_null", "users", type_="check")
