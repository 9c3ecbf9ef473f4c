"""pytest-alembic fixtures for the sample project: its migrations, against ``DATABASE_URL``.

The checks need a real PostgreSQL database (unique constraints, transactional DDL, native UUID),
so ``alembic_engine`` comes from ``DATABASE_URL`` and the tests are skipped without it.  Every
test starts from an *empty* database, as pytest-alembic requires: the ``public`` schema is dropped
and recreated before each test -- point ``DATABASE_URL`` at a database that exists for tests only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def alembic_config() -> dict[str, Any]:
    return {"file": str(PROJECT / "alembic.ini")}


@pytest.fixture
def alembic_engine() -> Iterator[Engine]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        pytest.skip("set DATABASE_URL to an empty PostgreSQL database to run the migration checks")
    engine = create_engine(url)
    _reset(engine)
    try:
        yield engine
    finally:
        _reset(engine)
        engine.dispose()


def _reset(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
