"""A conftest that hands every test the same database, as-is: the setup the guard exists for
(a DATABASE_URL pointing at a database with data in it)."""

import os

import pytest
from sqlalchemy import create_engine


@pytest.fixture
def alembic_config():
    return {"file": os.path.join(os.path.dirname(__file__), "alembic.ini")}


@pytest.fixture
def alembic_engine():
    engine = create_engine(os.environ["DATABASE_URL"])
    yield engine
    engine.dispose()
