"""Shared fixtures: a real PostgreSQL for integration tests, SQLite for the fast ones.

PostgreSQL comes from ``ALEMBIC_STANDARDS_TEST_DATABASE_URL`` when set (any database on the
server; each test gets its own fresh database created next to it), otherwise from a throwaway
server that this test session starts and stops itself (see ``tests/support/postgres.py``).
When ``CI`` is set, failing to get PostgreSQL is an error, never a skip.

Tests say what they need.  A test is marked ``postgres`` automatically when its fixture closure
reaches PostgreSQL (``pg_url``, ``pg_engine``, ``postgres_server``) or when it is the PostgreSQL
case of a test parametrised over backends: a parameter (of the test or of one of its fixtures)
whose value is ``"postgresql"`` -- the convention every backend-parametrised test here follows,
since such a case reaches ``pg_url`` only at run time through ``request.getfixturevalue``.  So
``pytest -m "not postgres"`` runs the fast unit layer alone.

``ALEMBIC_STANDARDS_NO_POSTGRES=1`` proves it (CI runs the fast layer so): the harness then sees
no PostgreSQL at all (neither binaries nor ``ALEMBIC_STANDARDS_TEST_DATABASE_URL``), and a test
that asks for it fails -- never skips -- naming itself.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from support.postgres import PostgresServer, PostgresUnavailable, create_database, drop_database, no_postgres

REPO_ROOT = Path(__file__).resolve().parent.parent

# The migration checker caches per-file results next to the project's pyproject.toml by default;
# keep every cache this test session (and the pytester/subprocess runs it starts) writes out of
# the repository.
os.environ.setdefault("ALEMBIC_STANDARDS_CACHE_DIR", tempfile.mkdtemp(prefix="alembic-standards-cache-"))

# pytester runs whole pytest sessions on scenario projects (tests/test_testing_checks.py).
pytest_plugins = ("pytester",)


POSTGRES_FIXTURES = frozenset({"pg_url", "pg_engine", "postgres_server"})
POSTGRES_BACKEND = "postgresql"
"""The parameter value that names the PostgreSQL case of a backend-parametrised test."""


def needs_postgres(item: pytest.Item) -> bool:
    """True when ``item`` uses PostgreSQL: through its fixtures, or as a ``"postgresql"`` case."""
    if POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    return any(isinstance(value, str) and value == POSTGRES_BACKEND for value in params)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if needs_postgres(item):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Base URL of a PostgreSQL server for this session."""
    if no_postgres():
        # Fails the test that asked (pytest names it), here and for every later one.
        pytest.fail(
            "this test needs PostgreSQL, but ALEMBIC_STANDARDS_NO_POSTGRES is set: the fast layer must "
            "not reach it (mark the test postgres, or name its PostgreSQL case 'postgresql')",
            pytrace=False,
        )
    url = os.environ.get("ALEMBIC_STANDARDS_TEST_DATABASE_URL")
    if url:
        yield url
        return
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and could not be started: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    url = create_database(postgres_server)
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT
