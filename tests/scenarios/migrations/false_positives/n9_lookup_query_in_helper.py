"""Add a scopes column, looking services up with a query (JupyterHub)

Revision ID: n9
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n9"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICES = "SELECT name FROM services WHERE oauth_client_id = :identifier"


def service_names(db: sa.Connection, identifier: str) -> list[str]:
    return [row.name for row in db.execute(sa.text(SERVICES), {"identifier": identifier})]


def upgrade() -> None:
    """Apply migration changes"""
    op.add_column("api_tokens", sa.Column("scopes", sa.JSON(), nullable=True))
    service_names(op.get_bind(), "jupyterhub")


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_column("api_tokens", "scopes")
