"""foreign keys on articles

Revision ID: r4
Revises: r3
Create Date: 2026-02-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "r4"
down_revision: Union[str, Sequence[str], None] = "r3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_foreign_key("fk_articles_author_id_users", "articles", "users", ["author_id"], ["id"])
    op.create_foreign_key("fk_articles_editor_id_users", "articles", "users", ["editor_id"], ["id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("fk_articles_editor_id_users", "articles", type_="foreignkey")
    op.drop_constraint("fk_articles_author_id_users", "articles", type_="foreignkey")
