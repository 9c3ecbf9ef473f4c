"""a helper reached once straight and once inside a loop (Lemur's c301c59688d2)

Revision ID: n27
Revises: n26
Create Date: 2026-11-28 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n27"
down_revision: str | Sequence[str] | None = "n26"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    fill("a")
    for name in ("b", "c"):
        fill(name)
    add_flag("flag_a")
    for name in ("flag_b", "flag_c"):
        add_flag(name)


def downgrade() -> None:
    """Downgrade schema."""
    for name in ("flag_a", "flag_b", "flag_c"):
        op.drop_column("gadget", name)


def fill(value: str) -> None:
    op.execute(sa.text("UPDATE gadget SET label = :v WHERE label IS NULL").bindparams(v=value))
    commit()


def commit() -> None:
    op.execute("COMMIT")


def add_flag(name: str) -> None:
    op.add_column("gadget", sa.Column(name, sa.Integer(), sa.ForeignKey("owner.id")))
