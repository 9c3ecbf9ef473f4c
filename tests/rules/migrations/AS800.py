"""Bad: not Python (a missing colon)

Revision ID: as800
Revises:
Create Date: 2026-11-25 12:00:00
"""

revision = "as800"
down_revision = None


def upgrade() -> None  # expect: AS800 syntax error: expected ':' (file not checked)
    op.drop_table("tags")
