"""seed rows through SQLAlchemy Core into a table the upgrade creates (Open WebUI)

Revision ID: n26
Revises: n25
Create Date: 2026-11-28 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n26"
down_revision: str | Sequence[str] | None = "n25"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    seeds = op.create_table(
        "seeds",
        sa.Column("id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_seeds"),
    )
    connection = op.get_bind()
    connection.execute(sa.insert(seeds).values(id="a"))
    connection.execute(seeds.insert().values(id="b"))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("seeds")
