"""The PostgreSQL harness really gives each test a real, isolated PostgreSQL database."""

from __future__ import annotations

from sqlalchemy import Engine, text


def test_pg_engine_is_real_postgresql(pg_engine: Engine) -> None:
    with pg_engine.connect() as conn:
        version = conn.execute(text("SHOW server_version_num")).scalar_one()
        assert int(version) >= 120000
        tables = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar_one()
        assert tables == 0


def test_each_test_gets_its_own_database(pg_engine: Engine) -> None:
    with pg_engine.begin() as conn:
        conn.execute(text("CREATE TABLE leftover (id int)"))
        name = conn.execute(text("SELECT current_database()")).scalar_one()
    assert name.startswith("t_")
