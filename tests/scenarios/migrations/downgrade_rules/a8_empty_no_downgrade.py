"""An empty revision without downgrade()

Revision ID: a8
Revises:
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

revision: str = "a8"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
