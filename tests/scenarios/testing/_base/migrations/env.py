"""A plain env.py (no alembic-standards plugin): the checks must work on any project."""

import os

from alembic import context
from sqlalchemy import create_engine

from app.models import Base

target_metadata = Base.metadata


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


# pytest-alembic hands over its engine as the "connection" attribute.
connectable = context.config.attributes.get("connection") or create_engine(os.environ["DATABASE_URL"])
with connectable.connect() as connection:
    run(connection)
