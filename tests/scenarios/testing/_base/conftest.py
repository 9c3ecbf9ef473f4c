import os

import pytest
from sqlalchemy import create_engine, text


@pytest.fixture
def alembic_config():
    return {"file": os.path.join(os.path.dirname(__file__), "alembic.ini")}


@pytest.fixture
def alembic_engine():
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    yield engine
    engine.dispose()
