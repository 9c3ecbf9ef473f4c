"""Severity of the AS10xx rules from the live table size: the reader on PostgreSQL (ANALYZEd
tables, no mocks) and the pure scaler, with exact messages."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from alembic_standards.config import Config, load_config
from alembic_standards.findings import Finding, Location, RuleId, Severity, StandardsError
from alembic_standards.table_sizes import (
    LargeTable,
    TableSize,
    format_bytes,
    read_table_sizes,
    scale_by_table_size,
    tables_named,
)

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
    assert LargeTable().describe() == "100,000 rows or 10 MB"


# ------------------------------------------------------------------------------------ configuration
def _config(tmp_path: Path, body: str) -> Config:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.alembic_standards]\nfail_on = 'error'\n{body}\n", encoding="utf-8")
    return load_config(path)


def test_large_table_threshold_defaults_and_configured(tmp_path: Path) -> None:
    assert _config(tmp_path, "").large_table == LargeTable(rows=100_000, bytes=10 * 1024 * 1024)
    assert _config(tmp_path, "large_table = { rows = 1_000_000, size_mb = 512 }").large_table == LargeTable(
        rows=1_000_000, bytes=512 * 1024 * 1024
    )
    assert _config(tmp_path, "large_table = { rows = 50 }").large_table == LargeTable(rows=50)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("large_table = 10000", "large_table: expected a table, e.g. { rows = 100_000, size_mb = 10 }"),
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


# ------------------------------------------------------------------------------------ the scaler
def _finding(rule: RuleId, table: str | None = "orders", schema: str | None = None) -> Finding:
    return Finding(
        rule,
        Severity.WARNING,
        "the statement blocks writes",
        Location(path=Path("versions/0002_x.py"), line=12, table=table, schema=schema, revision="0002"),
    )


SIZES = {
    (None, "orders"): TableSize(rows=1_200_000, bytes=325_000_000),
    (None, "tags"): TableSize(rows=120, bytes=49_152),
    (None, "blobs"): TableSize(rows=40, bytes=64 * 1024 * 1024),  # few rows, large: TOAST
    (None, "fresh"): TableSize(rows=None, bytes=8192),
    (None, "empty"): TableSize(rows=0, bytes=16_384),
    ("billing", "invoices"): TableSize(rows=200_000, bytes=2 * 1024 * 1024),
}


@pytest.mark.parametrize(
    ("rule", "table", "schema", "severity", "note"),
    [
        (RuleId.AS1001, "orders", None, Severity.ERROR, "orders: about 1,200,000 rows, 310 MB, large table"),
        (RuleId.AS1002, "tags", None, Severity.INFO, "tags: about 120 rows, 48 kB, small table"),
        (RuleId.AS1007, "blobs", None, Severity.ERROR, "blobs: about 40 rows, 64 MB, large table"),
        (
            RuleId.AS1003,
            "fresh",
            None,
            Severity.INFO,
            "fresh: row count not yet estimated (no ANALYZE), 8.0 kB, small table",
        ),
        (
            RuleId.AS1005,
            "invoices",
            "billing",
            Severity.ERROR,
            "billing.invoices: about 200,000 rows, 2.0 MB, large table",
        ),
        (RuleId.AS1004, "gone", None, Severity.WARNING, "gone is not in the database: severity not scaled"),
        # AS1011 fails on any row: one row is "large"; an empty table is not; no estimate: unknown.
        (RuleId.AS1011, "tags", None, Severity.ERROR, "tags: about 120 rows, 48 kB, large table"),
        (RuleId.AS1011, "empty", None, Severity.INFO, "empty: about 0 rows, 16 kB, small table"),
        (
            RuleId.AS1011,
            "fresh",
            None,
            Severity.WARNING,
            "fresh: row count not yet estimated (no ANALYZE), 8.0 kB: severity not scaled",
        ),
    ],
)
def test_scales_by_size_and_states_it(
    rule: RuleId, table: str, schema: str | None, severity: Severity, note: str
) -> None:
    [scaled] = scale_by_table_size([_finding(rule, table, schema)], SIZES, LargeTable())
    assert scaled == Finding(
        rule, severity, f"the statement blocks writes ({note})", _finding(rule, table, schema).location
    )


def test_threshold_is_configurable_and_reached_by_rows_or_bytes() -> None:
    by_rows = LargeTable(rows=100, bytes=1024**3)
    by_bytes = LargeTable(rows=10**9, bytes=40_000)
    found = [_finding(RuleId.AS1001, "tags")]
    assert scale_by_table_size(found, SIZES, by_rows)[0].severity is Severity.ERROR
    assert scale_by_table_size(found, SIZES, by_bytes)[0].severity is Severity.ERROR
    assert scale_by_table_size(found, SIZES, LargeTable(rows=121, bytes=49_153))[0].severity is Severity.INFO


def test_what_is_not_scaled_passes_through() -> None:
    other = Finding(RuleId.AS201, Severity.WARNING, "no index", Location(table="orders"))
    breaking = _finding(RuleId.AS1008)  # breaks running code whatever the size
    revision_wide = _finding(RuleId.AS1009, table=None)  # names no table
    found = [other, breaking, revision_wide]
    assert scale_by_table_size(found, SIZES, LargeTable()) == found
    assert tables_named([*found, _finding(RuleId.AS1001), _finding(RuleId.AS1005, "invoices", "billing")]) == {
        (None, "orders"),
        ("billing", "invoices"),
    }


def test_pinned_severity_is_kept_and_the_size_still_stated() -> None:
    [scaled] = scale_by_table_size([_finding(RuleId.AS1001, "tags")], SIZES, LargeTable(), pinned={RuleId.AS1001})
    assert (scaled.severity, scaled.message) == (
        Severity.WARNING,
        "the statement blocks writes (tags: about 120 rows, 48 kB, small table)",
    )


def test_grading_without_annotation_then_annotating_gives_the_same_grade() -> None:
    found = [_finding(RuleId.AS1001), _finding(RuleId.AS1002, "tags")]
    graded = scale_by_table_size(found, SIZES, LargeTable(), annotate=False)
    assert [(f.severity, f.message) for f in graded] == [
        (Severity.ERROR, "the statement blocks writes"),
        (Severity.INFO, "the statement blocks writes"),
    ]
    assert scale_by_table_size(graded, SIZES, LargeTable()) == scale_by_table_size(found, SIZES, LargeTable())


# ------------------------------------------------------------------------------------ the CLI
REVISION = '''\
"""{message}

Revision ID: {revision}
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = {revision!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    {upgrade}


def downgrade() -> None:
    {downgrade}
'''


@pytest.fixture
def cli_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two revisions: ``orders`` created, then indexed the blocking way (AS1001) in the next one."""
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0001_orders.py").write_text(
        REVISION.format(
            message="orders",
            revision="0001",
            down=None,
            upgrade="op.create_table('orders', sa.Column('id', sa.BigInteger(), primary_key=True), "
            "sa.Column('qty', sa.Integer()))",
            downgrade="op.drop_table('orders')",
        ),
        encoding="utf-8",
    )
    (versions / "0002_index.py").write_text(
        REVISION.format(
            message="index",
            revision="0002",
            down="0001",
            upgrade="op.create_index('ix_orders_qty', 'orders', ['qty'])",
            downgrade="op.drop_index('ix_orders_qty', table_name='orders')",
        ),
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.alembic_standards]\nmigrations = ["versions"]\nlarge_table = { rows = 10_000 }\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _populate(engine: Engine, rows: int) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE orders (id bigint PRIMARY KEY, qty integer)")
        connection.exec_driver_sql(f"INSERT INTO orders SELECT g, g FROM generate_series(1, {rows}) AS g")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE orders")


@pytest.mark.parametrize(("rows", "code", "grade"), [(30_000, 1, "large table"), (50, 0, "small table")])
def test_check_with_database_url_grades_by_live_size(
    cli_project: Path,
    pg_engine: Engine,
    pg_url: str,
    capsys: pytest.CaptureFixture[str],
    rows: int,
    code: int,
    grade: str,
) -> None:
    from alembic_standards.cli import main

    _populate(pg_engine, rows)
    assert main(["check", "--no-cache", "--select", "AS1001"]) == 0  # catalogue severity: warning
    static, _ = capsys.readouterr()
    assert static.startswith("versions/0002_index.py:")
    assert " AS1001 " in static

    assert main(["check", "--no-cache", "--select", "AS1001", "--database-url", pg_url]) == code
    out, err = capsys.readouterr()
    size = f"orders: about {rows:,} rows, {format_bytes(_bytes(pg_engine, 'orders'))}, {grade}"
    assert out == f"{static.rstrip()} ({size})\n"
    assert err.endswith("(1 error).\n" if code else "(1 info).\n")


def test_grading_in_the_cli_reads_the_database_once_and_hides_the_password(
    pg_engine: Engine, pg_url: str, tmp_path: Path
) -> None:
    from alembic_standards.cli import _graded_by_size

    _populate(pg_engine, 30_000)
    config = Config(root=tmp_path, large_table=LargeTable(rows=10_000))
    found = [_finding(RuleId.AS1001), _finding(RuleId.AS1002, "missing"), Finding(RuleId.AS201, Severity.WARNING, "x")]
    graded = _graded_by_size(pg_url, config, found)
    size = format_bytes(_bytes(pg_engine, "orders"))
    assert [(f.rule_id, f.severity, f.message) for f in graded] == [
        (
            RuleId.AS1001,
            Severity.ERROR,
            f"the statement blocks writes (orders: about 30,000 rows, {size}, large table)",
        ),
        (
            RuleId.AS1002,
            Severity.WARNING,
            "the statement blocks writes (missing is not in the database: severity not scaled)",
        ),
        (RuleId.AS201, Severity.WARNING, "x"),
    ]
    # Nothing to grade: the database is not read (an unreachable one is no error then).
    unreachable = sa.make_url(pg_url).set(password="s3cret-pw", port=1).render_as_string(hide_password=False)
    assert _graded_by_size(unreachable, config, found[2:]) == found[2:]
    with pytest.raises(StandardsError) as raised:
        _graded_by_size(unreachable, config, found)
    assert str(raised.value).startswith("cannot read table sizes from postgresql+psycopg://postgres:***@127.0.0.1:1/")
    assert "s3cret-pw" not in str(raised.value)


def test_grading_in_the_cli_keeps_the_catalogue_severity_on_sqlite(sqlite_url: str, tmp_path: Path) -> None:
    from alembic_standards.cli import _graded_by_size

    sa.create_engine(sqlite_url).dispose()
    (tmp_path / "test.db").touch()
    found = [_finding(RuleId.AS1001)]
    assert _graded_by_size(sqlite_url, Config(root=tmp_path), found) == found


# ------------------------------------------------------------------------------------ the pytest check
def test_pytest_check_grades_by_the_size_at_head(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, pg_url: str
) -> None:
    from test_testing_checks import outcomes, run_scenario

    result = run_scenario(pytester, monkeypatch, pg_url, "blocking_index", "-k", "test_migrations_are_safe")
    assert outcomes(result) == {"test_migrations_are_safe": "FAILED"}, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*2 migration step(s) would lock or break a live table.",
            "*Findings:",
            "*migrations/versions/0003_posts_title.py:16:5: AS1001 creates index 'idx_posts_title' on existing table "
            "'posts' without CONCURRENTLY: * (posts: row count not yet estimated (no ANALYZE), * kB, large table)",
            "*migrations/versions/0003_posts_title.py:16:5: AS1009 op.create_index() locks existing table 'posts' "
            "and no lock_timeout is set * (posts: row count not yet estimated (no ANALYZE), * kB, large table)",
        ]
    )
    # Under the default threshold the empty table is small: informational, the check passes.
    pyproject = pytester.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("large_table = { rows = 0, size_mb = 0 }", ""))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", "-k", "test_migrations_are_safe")
    assert outcomes(result) == {"test_migrations_are_safe": "PASSED"}, result.stdout.str()
