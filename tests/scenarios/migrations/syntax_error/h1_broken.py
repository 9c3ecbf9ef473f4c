"""Broken

Revision ID: h1
Revises:
Create Date: 2026-11-25 12:00:00
"""

revision: str = "h1"
down_revision = None


def upgrade() -> None
    op.drop_table("tags")
