"""Add a spatial column and its index with GeoAlchemy2's operations (FitTrackee)

Revision ID: n11
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n11"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.add_geospatial_column("segments", sa.Column("geom", sa.Text(), nullable=True))

    # 2. Indexes
    op.create_geospatial_index("idx_segments_geom", "segments", ["geom"], unique=False, postgresql_using="gist")


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Indexes
    op.drop_geospatial_index("idx_segments_geom", table_name="segments", column_name="geom")

    # 2. Tables
    op.drop_geospatial_column("segments", "geom")
