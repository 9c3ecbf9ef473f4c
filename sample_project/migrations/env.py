"""Alembic environment of the sample project, with alembic-standards enabled.

The database URL comes from ``DATABASE_URL`` when set, else from ``alembic.ini`` (SQLite).  A
connection handed over by pytest-alembic (``config.attributes["connection"]``) is used as is.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sample_app.models import Base
from sqlalchemy import engine_from_config, pool

import alembic_standards

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if os.environ.get("DATABASE_URL"):
    config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"].replace("%", "%%"))

target_metadata = Base.metadata

CONFIGURE_OPTIONS = {
    "target_metadata": target_metadata,
    # Line 1: Alembic's own comparison plus ours (FK indexes, names, layout).
    "autogenerate_plugins": ["alembic.autogenerate.*", "alembic_standards.*"],
    # Line 2: the revision-time hook (refuses a revision without a real downgrade, lays out sections).
    "process_revision_directives": alembic_standards.process_revision_directives,
    "compare_type": True,
}


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **CONFIGURE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection", None)
    if connectable is None:
        connectable = engine_from_config(
            config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            render_as_batch=connection.dialect.name == "sqlite",
            **CONFIGURE_OPTIONS,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
