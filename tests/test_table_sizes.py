"""Severity of the AS10xx rules from the live table size: the reader on PostgreSQL (ANALYZEd
tables, no mocks) and the pure scaler, with exact messages."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from alembic_standards.config import Config, load_config
from alembic_standards.findings import StandardsError
from alembic_standards.table_sizes import LargeTable, TableSize, format_bytes, read_table_sizes

if TYPE_CHECKING:
    from sqlalchemy import Engine


# ------------------------------------------------------------------------------------ the reader
@pytest.fixture
def sized(pg_engine: Engine) -> Engine:
    with pg_engine.begin() as connection:
        for statement in (
            "CREATE TABLE orders (id bigint PRIMARY KEY, note text)",
            "INSERT INTO orders SELECT g, repeat('x', 100) FROM generate_series(1, 30000) AS g",
            "CREATE SCHEMA billing",
            'CREATE TABLE billing."Invoices" (id bigint PRIMARY KEY)',
            'INSERT INTO billing."Invoices" SELECT g FROM generate_series(1, 500) AS g',
            "CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at)",
            "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
            "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
            "INSERT INTO events SELECT g, date '2025-06-01' + mod(g, 400) FROM generate_series(1, 4000) AS g",
            "CREATE TABLE fresh (id bigint)",  # never analyzed: no row estimate yet
            "INSERT INTO fresh SELECT generate_series(1, 100)",
        ):
            connection.exec_driver_sql(statement)
    with pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql('ANALYZE orders, billing."Invoices", events')
    return pg_engine


def _bytes(engine: Engine, name: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(sa.text("SELECT pg_total_relation_size(to_regclass(:n))"), {"n": name}).scalar_one()
        )


def test_reads_rows_and_bytes_of_every_table_named_in_one_query(sized: Engine) -> None:
    statements: list[str] = []
    sa.event.listen(sized, "before_cursor_execute", lambda *args: statements.append(args[2]))
    sizes = read_table_sizes(
        sized, {(None, "orders"), ("billing", "Invoices"), (None, "events"), (None, "fresh"), (None, "missing")}
    )
    assert len(statements) == 1
    assert sizes is not None
    assert sizes[(None, "orders")] == TableSize(rows=30_000, bytes=_bytes(sized, "orders"))
    assert sizes[("billing", "Invoices")] == TableSize(rows=500, bytes=_bytes(sized, 'billing."Invoices"'))
    # A partitioned table is the sum of its partitions (it has no storage of its own).
    partitions = _bytes(sized, "events_2025") + _bytes(sized, "events_2026")
    assert sizes[(None, "events")] == TableSize(rows=4_000, bytes=partitions)
    assert sizes[(None, "fresh")] == TableSize(rows=None, bytes=_bytes(sized, "fresh"))
    assert (None, "missing") not in sizes
    assert set(sizes) == {(None, "orders"), ("billing", "Invoices"), (None, "events"), (None, "fresh")}


def test_reads_from_a_url_and_names_it_without_the_password_on_failure(sized: Engine, pg_url: str) -> None:
    assert read_table_sizes(pg_url, {(None, "orders")}) == {
        (None, "orders"): TableSize(rows=30_000, bytes=_bytes(sized, "orders"))
    }
    bad = sa.make_url(pg_url).set(password="s3cret-pw", port=1).render_as_string(hide_password=False)
    with pytest.raises(StandardsError) as raised:
        read_table_sizes(bad, {(None, "orders")})
    assert "cannot read table sizes from" in str(raised.value)
    assert "s3cret-pw" not in str(raised.value)


def test_no_sizes_on_a_database_without_statistics(sqlite_url: str) -> None:
    engine = sa.create_engine(sqlite_url)
    try:
        assert read_table_sizes(engine, {(None, "orders")}) is None
    finally:
        engine.dispose()


def test_format_bytes() -> None:
    assert [format_bytes(n) for n in (0, 1023, 8192, 10 * 1024 * 1024, 325_000_000, 3 * 1024**3 // 2)] == [
        "0 bytes",
        "1023 bytes",
        "8.0 kB",
        "10 MB",
        "310 MB",
        "1.5 GB",
    ]
    assert LargeTable().describe() == "10,000 rows or 10 MB"


# ------------------------------------------------------------------------------------ configuration
def _config(tmp_path: Path, body: str) -> Config:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.alembic_standards]\nfail_on = 'error'\n{body}\n", encoding="utf-8")
    return load_config(path)


def test_large_table_threshold_defaults_and_configured(tmp_path: Path) -> None:
    assert _config(tmp_path, "").large_table == LargeTable(rows=10_000, bytes=10 * 1024 * 1024)
    assert _config(tmp_path, "large_table = { rows = 1_000_000, size_mb = 512 }").large_table == LargeTable(
        rows=1_000_000, bytes=512 * 1024 * 1024
    )
    assert _config(tmp_path, "large_table = { rows = 50 }").large_table == LargeTable(rows=50)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("large_table = 10000", "large_table: expected a table, e.g. { rows = 10_000, size_mb = 10 }"),
        ("large_table = { rows = -1 }", "large_table.rows: expected a whole number >= 0, got -1"),
        ("large_table = { rows = true }", "large_table.rows: expected a whole number >= 0, got True"),
        ("large_table = { size_mb = '10MB' }", "large_table.size_mb: expected a whole number >= 0, got '10MB'"),
        ("large_table = { row = 3 }", "large_table.row: unknown key\n  hint: did you mean 'rows'?"),
    ],
)
def test_large_table_threshold_errors_name_the_file_and_line(tmp_path: Path, body: str, error: str) -> None:
    with pytest.raises(StandardsError) as raised:
        _config(tmp_path, body)
    assert str(raised.value) == f"{tmp_path / 'pyproject.toml'}:3: [tool.alembic_standards] {error}"
