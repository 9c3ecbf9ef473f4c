"""Runs code at import

Revision ID: i1
Revises:
Create Date: 2026-11-25 12:00:00
"""

import os
import pathlib
from collections.abc import Sequence

from alembic import op

os.system("touch " + os.environ.get("ALEMBIC_STANDARDS_MARKER", "/tmp/alembic-standards-imported"))
pathlib.Path(os.environ.get("ALEMBIC_STANDARDS_MARKER", "/tmp/alembic-standards-imported")).write_text("imported")
raise SystemExit("this file must never be imported by the checker")

revision: str = "i1"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.drop_table("tags")


def downgrade() -> None:
    """Rollback migration changes"""
