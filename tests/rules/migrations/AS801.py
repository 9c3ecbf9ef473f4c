from collections.abc import Sequence  # expect: AS801 revision has no module docstring (message, Revision ID, Revises, Create Date)

import sqlalchemy as sa
from alembic import op

revision: str = "as801"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_column("users", "nickname")

