"""the downgrade is the exact reverse of an upgrade that changes a column, then replaces its index
(Lemur, Prefect's trigger_in_index), and a downgrade that drops NOT NULL before the UPDATE that
needs it (Prefect's work_queue_data_migration)

Revision ID: n28
Revises: n27
Create Date: 2026-11-28 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n28"
down_revision: str | Sequence[str] | None = "n27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.alter_column("widget", "name", existing_type=sa.String(50), nullable=True)
    op.drop_index("idx_widget_name", table_name="widget")
    op.create_index("uq_widget_name", "widget", ["name"], unique=True)
    op.execute("UPDATE widget SET pool_id = 1 WHERE pool_id IS NULL")
    op.alter_column("widget", "pool_id", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column("widget", "pool_id", existing_type=sa.Integer(), nullable=True)
    op.execute("UPDATE widget SET pool_id = NULL WHERE pool_id = 1")
    op.drop_index("uq_widget_name", table_name="widget")
    op.create_index("idx_widget_name", "widget", ["name"], unique=False)
    op.alter_column("widget", "name", existing_type=sa.String(50), nullable=True)
