"""Give tags a colour, through helpers whose names start with upgrade_ (Superset)

Revision ID: n13
Revises:
Create Date: 2026-11-28 12:00:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n13"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.env")


def upgrade_note(message: str) -> None:
    """A helper taking a parameter: never one database's upgrade of the multidb template."""
    logger.info(message)


def upgrade_tags() -> None:
    """A helper without parameters, called by upgrade() below."""
    op.add_column("tags", sa.Column("color", sa.String(7), nullable=True))


def upgrade() -> None:
    """Apply migration changes"""
    upgrade_note("adding tags.color")
    upgrade_tags()


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_column("tags", "color")
