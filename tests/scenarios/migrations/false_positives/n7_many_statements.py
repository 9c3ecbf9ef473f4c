"""Seed seventeen settings

Revision ID: n7
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n7"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.execute("INSERT INTO settings (key, value) VALUES ('k0', 'v0')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k1', 'v1')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k2', 'v2')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k3', 'v3')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k4', 'v4')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k5', 'v5')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k6', 'v6')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k7', 'v7')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k8', 'v8')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k9', 'v9')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k10', 'v10')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k11', 'v11')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k12', 'v12')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k13', 'v13')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k14', 'v14')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k15', 'v15')")
    op.execute("INSERT INTO settings (key, value) VALUES ('k16', 'v16')")


def downgrade() -> None:
    """Rollback migration changes"""
    op.execute("DELETE FROM settings WHERE key LIKE 'k%'")
