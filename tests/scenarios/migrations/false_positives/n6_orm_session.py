"""Normalise e-mail addresses through the ORM

Revision ID: n6
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import orm

revision: str = "n6"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



class User(orm.DeclarativeBase):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String)


def upgrade() -> None:
    """Apply migration changes"""
    bind = op.get_bind()
    session = orm.Session(bind=bind)
    for user in session.query(User):
        user.email = user.email.lower()
    session.commit()


def downgrade() -> None:
    """Rollback migration changes"""
    pass
