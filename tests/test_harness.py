"""The PostgreSQL harness really gives each test a real, isolated PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from support.postgres import create_database, drop_database


def test_pg_engine_is_real_postgresql(pg_engine: Engine) -> None:
    with pg_engine.connect() as conn:
        version = conn.execute(text("SHOW server_version_num")).scalar_one()
        assert int(version) >= 120000
        tables = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar_one()
        assert tables == 0


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    finally:
        engine.dispose()


def _databases(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
    finally:
        engine.dispose()


def test_each_database_is_isolated_and_dropped_after_use(postgres_server: str) -> None:
    """What ``pg_url`` does for every test: a fresh database that sees nothing of another's, and
    is gone afterwards (so a leftover table cannot reach a later test)."""
    first, second = create_database(postgres_server), create_database(postgres_server)
    try:
        engine = create_engine(first)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE leftover (id int)"))
        finally:
            engine.dispose()
        assert _tables(first) == ["leftover"]
        assert _tables(second) == []
    finally:
        drop_database(first)
        drop_database(second)
    names = _databases(postgres_server)
    assert first.rsplit("/", 1)[1] not in names
    assert second.rsplit("/", 1)[1] not in names


@pytest.mark.parametrize("attempt", [1, 2])
def test_pg_url_starts_empty_even_after_a_test_left_a_table(pg_engine: Engine, attempt: int) -> None:
    # Both cases create the same table: the second would fail with DuplicateTable if the
    # harness handed it the first one's database.
    with pg_engine.begin() as conn:
        conn.execute(text("CREATE TABLE leftover (id int)"))


SLIPPING_TESTS = """
import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    if request.param == "sqlite":
        return "sqlite://"
    return request.getfixturevalue("pg_url")


def test_backends(url):
    assert url


def test_asks_at_run_time(request):
    request.getfixturevalue("pg_url")
"""


def _harness_project(pytester: pytest.Pytester) -> None:
    tests = Path(__file__).resolve().parent
    pytester.makeconftest((tests / "conftest.py").read_text(encoding="utf-8"))
    support = pytester.mkpydir("support")
    (support / "postgres.py").write_text((tests / "support" / "postgres.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_slipping=SLIPPING_TESTS)
    pytester.makeini("[pytest]\nmarkers =\n    postgres: needs PostgreSQL\n")


def test_postgresql_backend_cases_are_marked_postgres(pytester: pytest.Pytester) -> None:
    _harness_project(pytester)
    result = pytester.runpytest_subprocess("-m", "not postgres", "-p", "no:cacheprovider", "--collect-only", "-q")
    assert [line for line in result.outlines if "::" in line] == [
        "test_slipping.py::test_backends[sqlite]",
        "test_slipping.py::test_asks_at_run_time",
    ]


def test_no_postgres_fails_a_test_that_reaches_postgresql(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ALEMBIC_STANDARDS_NO_POSTGRES a test that reaches PostgreSQL anyway (here, one that
    asks at run time without saying so) fails naming itself, even where a server is reachable."""
    _harness_project(pytester)
    monkeypatch.setenv("ALEMBIC_STANDARDS_NO_POSTGRES", "1")
    monkeypatch.setenv("ALEMBIC_STANDARDS_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/postgres")
    monkeypatch.delenv("CI", raising=False)
    result = pytester.runpytest_subprocess("-m", "not postgres", "-p", "no:cacheprovider", "-q", "-rN")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_asks_at_run_time _*",
            "this test needs PostgreSQL, but ALEMBIC_STANDARDS_NO_POSTGRES is set*",
        ]
    )


def test_no_postgres_hides_the_binaries(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from support.postgres import PostgresServer, PostgresUnavailable, find_pg_bin

    (tmp_path / "initdb").touch()
    monkeypatch.delenv("ALEMBIC_STANDARDS_NO_POSTGRES", raising=False)  # CI runs this layer with it set
    monkeypatch.setenv("ALEMBIC_STANDARDS_PG_BIN", str(tmp_path))
    assert find_pg_bin() == tmp_path
    monkeypatch.setenv("ALEMBIC_STANDARDS_NO_POSTGRES", "1")
    assert find_pg_bin() is None
    with pytest.raises(PostgresUnavailable, match="PostgreSQL binaries not found"):
        PostgresServer().start()
