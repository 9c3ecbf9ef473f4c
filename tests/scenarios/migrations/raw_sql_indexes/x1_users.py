"""create users, tidy their names

Revision ID: x1
Revises: 
Create Date: 2026-03-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "x1"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

users = sa.table("users", sa.column("id"), sa.column("name"))
NAMES = sa.select(users.c.id, users.c.name)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    connection = op.get_bind()
    for row in connection.execute(NAMES):  # SQL built at run time: it cannot index a table made later
        connection.execute(users.update().where(users.c.id == row.id).values(name=row.name.strip()))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("users")
