"""base

Revision ID: a1
Revises:
Create Date: 2020-01-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.sql import text

revision: str = "a1"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table(
        "parent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_parent"),
    )
    op.create_table(
        "child",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(50), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_child"),
    )


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_table("child")
    op.drop_table("parent")
