import os

import pytest
from sqlalchemy import create_engine, text


@pytest.fixture
def alembic_config():
    return {"file": os.path.join(os.path.dirname(__file__), "alembic.ini")}


@pytest.fixture
def alembic_engine(tmp_path):
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):  # a fresh file per test
        url = f"sqlite:///{tmp_path / 'test.db'}"
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":  # start from an empty database
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    yield engine
    engine.dispose()
