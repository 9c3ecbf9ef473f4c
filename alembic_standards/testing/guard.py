"""A guard that keeps migration tests away from a database holding data.

pytest-alembic's tests, which the README recommends importing beside ours, migrate the database
they are given: ``test_up_down_consistency`` goes down to base and back, dropping every table and
its rows on the way, and passes.  Pointed by mistake at a shared or developer database (a
``DATABASE_URL`` left in the shell, a conftest that reuses the app's engine) it silently empties
it.  Our own walking checks refuse a database that is not at base; this guard gives every
migration test the same safety, whoever wrote the test.

:func:`alembic_standards_database_guard` is an autouse fixture: imported into a test module (the
star import of :mod:`alembic_standards.testing` brings it) or a ``conftest.py``, it runs before
each test there that uses pytest-alembic's ``alembic_runner`` or ``alembic_engine`` and fails the
test, touching nothing, when any table of the database holds a row -- Alembic's own version table
excepted (it has a row whenever a previous test left the database at head, which loses no data).

Decisions:

* "Holds data" means rows, not tables: a database left at head by an earlier test of the same
  session is empty of data and safe to migrate; our walking checks report that state themselves.
* Every schema is looked at (PostgreSQL: all but the system schemas), since a project may keep its
  tables, or its version table, outside ``public``.  One query per 200 tables, ``EXISTS`` each, so
  the cost does not depend on the number of rows.
* A database that is disposable although it holds rows (fixtures loaded by a session fixture, a
  copy of production restored for a rehearsal) is marked by naming it, not by a switch:
  ``ALEMBIC_STANDARDS_DISPOSABLE_DATABASE=<database name>`` (several names separated by commas;
  for SQLite the file's path or file name).  A variable left set in a shell therefore cannot
  unlock another database.
"""

from __future__ import annotations

import os
import warnings
from pathlib import PurePath
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from sqlalchemy import Connection, Engine

__all__ = [
    "DISPOSABLE_DATABASE_ENV",
    "alembic_standards_database_guard",
    "check_database_is_disposable",
    "tables_with_rows",
]

DISPOSABLE_DATABASE_ENV = "ALEMBIC_STANDARDS_DISPOSABLE_DATABASE"

_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog"})
_CHUNK = 200  # EXISTS columns per query (PostgreSQL allows 1664 result columns)


class AlembicStandardsGuardWarning(UserWarning):
    """The guard could not look at the database (e.g. an async engine): the test runs unguarded."""


def _schemas(connection: Connection) -> list[str | None]:
    from sqlalchemy import inspect

    if connection.dialect.name != "postgresql":
        return [None]
    names = inspect(connection).get_schema_names()
    return [s for s in names if s not in _SYSTEM_SCHEMAS and not s.startswith(("pg_toast", "pg_temp"))]


def _with_rows(connection: Connection, tables: Sequence[tuple[str | None, str]]) -> Iterator[tuple[str | None, str]]:
    from sqlalchemy import exists, literal, select, table

    for start in range(0, len(tables), _CHUNK):
        chunk = tables[start : start + _CHUNK]
        probes = [
            exists(select(literal(1)).select_from(table(name, schema=schema))).label(f"t{i}")
            for i, (schema, name) in enumerate(chunk)
        ]
        row = connection.execute(select(*probes)).one()
        yield from (key for key, present in zip(chunk, row, strict=True) if present)


def tables_with_rows(connection: Connection) -> list[str]:
    """Qualified names of the tables holding at least one row (Alembic's version tables aside)."""
    from sqlalchemy import MetaData, Table, inspect

    from ..audit import is_version_table

    inspector = inspect(connection)
    tables = [(schema, name) for schema in _schemas(connection) for name in inspector.get_table_names(schema=schema)]
    found: list[str] = []
    for schema, name in _with_rows(connection, tables):
        reflected = Table(name, MetaData(), schema=schema, autoload_with=connection)
        if not is_version_table(reflected):
            found.append(f"{schema}.{name}" if schema else name)
    return found


def _marked_disposable(database: str | None) -> bool:
    wanted = {v.strip() for v in os.environ.get(DISPOSABLE_DATABASE_ENV, "").split(",") if v.strip()}
    if not database or not wanted:
        return False
    return database in wanted or PurePath(database).name in wanted


def check_database_is_disposable(bind: object, test: str) -> None:
    """Fail ``test`` (without touching anything) when ``bind``'s database holds rows and is not
    marked disposable.  ``bind`` is whatever the ``alembic_engine`` fixture gave: an Engine or a
    Connection is checked; anything else (an async engine) is let through with a warning."""
    from sqlalchemy import Connection, Engine

    __tracebackhide__ = True
    if isinstance(bind, Engine):
        engine: Engine = bind
    elif isinstance(bind, Connection):
        engine = bind.engine
    else:
        warnings.warn(
            AlembicStandardsGuardWarning(
                f"{test}: alembic_engine is a {type(bind).__name__}, not a SQLAlchemy Engine or Connection; "
                "alembic-standards cannot check that the database holds no data"
            ),
            stacklevel=1,
        )
        return
    database = engine.url.database
    if _marked_disposable(database):
        return
    if isinstance(bind, Connection):
        found = tables_with_rows(bind)
    else:
        with engine.connect() as connection:
            found = tables_with_rows(connection)
    if not found:
        return
    shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
    pytest.fail(
        f"alembic-standards refused to run {test}: the database {database!r} behind alembic_engine holds data "
        f"(rows in {shown}).\n"
        "Migration tests (pytest-alembic's test_up_down_consistency, test_upgrade, ... and the alembic-standards "
        "checks) migrate the database down to base, which drops every table with its rows.\n"
        "Fix: point alembic_engine at a disposable, empty database (one per test, as pytest-alembic expects). "
        f"If this database may be wiped, say so: {DISPOSABLE_DATABASE_ENV}={PurePath(database or '').name}",
        pytrace=False,
    )


@pytest.fixture(autouse=True)
def alembic_standards_database_guard(request: pytest.FixtureRequest) -> None:
    """Before each migration test (one using ``alembic_runner`` or ``alembic_engine``), fail it
    when the database holds data: see :mod:`alembic_standards.testing.guard`."""
    if not {"alembic_runner", "alembic_engine"} & set(request.fixturenames):
        return
    bind: object = request.getfixturevalue("alembic_engine")
    check_database_is_disposable(bind, request.node.name)
