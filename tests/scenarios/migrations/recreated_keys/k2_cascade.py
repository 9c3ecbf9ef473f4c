"""files.challenge_id: on delete cascade (the key dropped and created again, still unindexed)

Revision ID: k2
Revises: k1
Create Date: 2026-02-02 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "k2"
down_revision: Union[str, Sequence[str], None] = "k1"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_constraint("fk_files_challenge_id", "files", type_="foreignkey")
    op.create_foreign_key(
        "fk_files_challenge_id", "files", "challenges", ["challenge_id"], ["id"], ondelete="CASCADE"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("fk_files_challenge_id", "files", type_="foreignkey")
    op.create_foreign_key("fk_files_challenge_id", "files", "challenges", ["challenge_id"], ["id"])
