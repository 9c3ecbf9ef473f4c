"""Alembic environment with alembic-standards enabled.

Two lines make a project follow the standards (both marked below):

1. ``autogenerate_plugins`` adds alembic-standards' comparators (foreign-key indexes, names,
   section order) to Alembic's own;
2. ``process_revision_directives`` refuses a revision whose downgrade does not undo its upgrade,
   and lays the operations out in the template's sections.  Hooks of your own go through
   ``alembic_standards.chain(your_hook)`` so that ours runs last.

Point ``target_metadata`` at your models' MetaData (use
``MetaData(naming_convention=alembic_standards.NAMING_CONVENTION)`` so every constraint is named).
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from sqlalchemy import Connection, engine_from_config, pool

import alembic_standards

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if os.environ.get("DATABASE_URL"):
    config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"].replace("%", "%%"))

# from myapp.models import Base
# target_metadata = Base.metadata
target_metadata = None

CONFIGURE_OPTIONS = {
    "target_metadata": target_metadata,
    # 1. Alembic's own comparison plus alembic-standards'.
    "autogenerate_plugins": ["alembic.autogenerate.*", "alembic_standards.*"],
    # 2. The revision-time hook.
    "process_revision_directives": alembic_standards.process_revision_directives,
    "compare_type": True,
}


def _database_url() -> str:
    """The configured URL; a clear error (not a driver traceback) while it is still the placeholder."""
    url = config.get_main_option("sqlalchemy.url") or ""
    if not url or url.startswith("driver://"):
        raise CommandError(f"no database configured: set DATABASE_URL, or sqlalchemy.url in {config.config_file_name}")
    return url


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade --sql``) without a database connection."""
    context.configure(
        url=_database_url(),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **CONFIGURE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        render_as_batch=connection.dialect.name == "sqlite",
        **CONFIGURE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the database (a connection handed over in ``config.attributes`` is reused)."""
    # pytest-alembic hands over an Engine; other callers may hand over an open Connection.
    given = config.attributes.get("connection", None)
    if isinstance(given, Connection):
        _run(given)
        return
    engine = given
    if engine is None:
        _database_url()
        engine = engine_from_config(
            config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
    with engine.connect() as connection:
        _run(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
