"""Rebuild an index concurrently, no lock timeout needed (Polar's INVALID-leftover pattern)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 23:30:00
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # CREATE/DROP INDEX CONCURRENTLY take SHARE UPDATE EXCLUSIVE: no query waits behind them.
    with op.get_context().autocommit_block():
        op.drop_index("idx_posts_title", table_name="posts", if_exists=True, postgresql_concurrently=True)
        op.create_index("idx_posts_title", "posts", ["title"], postgresql_concurrently=True)


def downgrade() -> None:
    """Rollback migration changes"""
    with op.get_context().autocommit_block():
        op.drop_index("idx_posts_title", table_name="posts", postgresql_concurrently=True)
