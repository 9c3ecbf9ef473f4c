"""A foreign key created for MySQL alone (CTFd 9889b8c53673)

Revision ID: n21
Revises:
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n21"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.add_column("teams", sa.Column("bracket_id", sa.Integer(), nullable=True))
    url = str(op.get_bind().engine.url)
    if url.startswith("mysql"):
        op.create_foreign_key("teams_ibfk_1", "teams", "brackets", ["bracket_id"], ["id"])


def downgrade() -> None:
    """Rollback migration changes"""
    url = str(op.get_bind().engine.url)
    if url.startswith("mysql"):
        op.drop_constraint("teams_ibfk_1", "teams", type_="foreignkey")
    op.drop_column("teams", "bracket_id")
