# in-use: users.name, posts  # what the models map (check --metadata passes it)
"""users.name renamed while the running code (the models) still maps it

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
    op.alter_column("users", "name", new_column_name="full_name")  # expect: AS1008 renames (to 'full_name') column users.name, which the running code still uses: split it into expand (add the new), deploy code that stops using the old, then contract (drop it) in a later revision


def downgrade() -> None:
    """Rollback migration changes"""
    op.alter_column("users", "full_name", new_column_name="name")
