"""safety._split_statements splits in C when no ";" can be inside quotes (issue 15): the same
statements as the character walk it keeps for the other texts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alembic_standards.coverage import KeyColumns
from alembic_standards.safety import (
    RawOperation,
    _split_outside_quotes,
    _split_statements,
    indexes_from_sql,
    may_create_index,
    operations_from_sql,
    rows_written,
    steps_from_sql,
)


def _walk(sql: str) -> list[str]:
    """The character walk, for every text (the reference)."""
    return [s.strip() for s in _split_outside_quotes(sql) if s.strip()]


@given(st.text(alphabet=st.sampled_from([";", "'", '"', "a", " ", "\n", "\t", "\u00a0", "S", "$"]), max_size=30))
def test_split_statements_matches_the_walk(sql: str) -> None:
    assert list(_split_statements(sql)) == _walk(sql)


def test_split_statements_examples() -> None:
    assert list(_split_statements("SET lock_timeout = '5s'")) == ["SET lock_timeout = '5s'"]
    assert list(_split_statements("UPDATE t SET a = ';'; DELETE FROM t")) == ["UPDATE t SET a = ';'", "DELETE FROM t"]
    assert list(_split_statements(" ; ;\n")) == []


TRIGGER_FUNCTION = """CREATE OR REPLACE FUNCTION projects_total() RETURNS TRIGGER AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        UPDATE projects SET total = 0 WHERE id = NEW.id;
        RETURN NULL;
    END;
$$ LANGUAGE plpgsql;
UPDATE projects SET total = 1"""


def test_dollar_quoted_bodies_are_one_statement() -> None:
    """Warehouse's trigger functions: the body's UPDATE runs when the trigger fires, not now."""
    statements = list(_split_statements(TRIGGER_FUNCTION))
    assert [s.split(None, 4)[:4] for s in statements] == [
        ["CREATE", "OR", "REPLACE", "FUNCTION"],
        ["UPDATE", "projects", "SET", "total"],
    ]
    assert statements[0].endswith("$$ LANGUAGE plpgsql")
    assert [(step.op, step.table) for step in steps_from_sql(TRIGGER_FUNCTION)] == [("data", "projects")]
    tagged = "DO $body$ BEGIN UPDATE x SET y = 1; END $body$; SELECT a$b$c FROM t; SELECT $1"
    assert list(_split_statements(tagged)) == [
        "DO $body$ BEGIN UPDATE x SET y = 1; END $body$",
        "SELECT a$b$c FROM t",  # "$" inside a name opens no quote
        "SELECT $1",  # nor does a parameter
    ]
    assert list(_split_statements("DO $$ BEGIN; END")) == ["DO $$ BEGIN; END"]  # unterminated: to the end


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("CREATE INDEX ix_a_b ON a (b)", [(None, "a", KeyColumns(("b",), "index", "ix_a_b"))]),
        (
            'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON public."Items" (owner_id, lower(name) DESC NULLS '
            "LAST) INCLUDE (x) WHERE owner_id IS NOT NULL",
            [("public", "Items", KeyColumns(("owner_id", None), "unique", "ix", "owner_id IS NOT NULL"))],
        ),
        (
            'create index ix_a on a (b text_pattern_ops, c COLLATE "C" DESC)',
            [(None, "a", KeyColumns(("b", "c"), "index", "ix_a"))],
        ),
        (  # Warehouse's full-text index: an expression covers no column
            "CREATE INDEX releases_name_ts_idx ON releases USING gin (to_tsvector('english'::regconfig, name))",
            [(None, "releases", KeyColumns((None,), "index", "releases_name_ts_idx"))],
        ),
        ("ALTER INDEX ix_user_events_user_id RENAME TO ix_user_events_source_id", []),
        ("UPDATE t SET a = 1; CREATE INDEX ON t (a, b)", [(None, "t", KeyColumns(("a", "b"), "index", None))]),
    ],
)
def test_indexes_from_sql(sql: str, expected: list[tuple[str | None, str, KeyColumns]]) -> None:
    assert indexes_from_sql(sql) == expected


@pytest.mark.parametrize(
    ("sql", "table", "may"),
    [
        (None, "t", True),  # built at run time: unknown
        ("CREATE INDEX ix ON t (lower(a))", "t", False),  # read as a key (an expression)
        ("ALTER INDEX ix_t_a RENAME TO ix_t_b", "t", False),
        ("DROP INDEX IF EXISTS ix_t_a", "t", False),
        ("SELECT create_index_on('t')", "t", True),  # a function that may build one: unknown
        ("CREATE INDEX ix ON other (a)", "t", False),
        ("UPDATE t SET a = 1", "t", False),
    ],
)
def test_may_create_index(sql: str | None, table: str, may: bool) -> None:
    assert may_create_index(sql, table) is may


@given(
    st.lists(
        st.sampled_from(
            ["CREATE ", "UNIQUE ", "INDEX ", "ON ", "t", "(", ")", ",", "'", '"', "$", "$$", ";", " ", "a"]
        ),
        max_size=30,
    ).map("".join)
)
def test_reading_raw_sql_never_raises(sql: str) -> None:
    """Any text (unclosed brackets, quotes, dollar quotes): the readers answer, they never raise."""
    for schema, table, key in indexes_from_sql(sql):
        assert table and isinstance(key, KeyColumns)
        assert schema is None or schema
    assert may_create_index(sql, "t") in (True, False)
    assert all(statement.strip() for statement in _split_statements(sql))


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("UPDATE teams SET is_ocr = FALSE", [(None, "teams", ("is_ocr",))]),
        ("UPDATE teams SET a = lower(b), c = 1 WHERE id IN (1, 2)", [(None, "teams", ("a", "c"))]),
        ('UPDATE s."T" SET "A" = 1; UPDATE t SET b = 2', [("s", "T", ("A",)), (None, "t", ("b",))]),
        ("UPDATE t SET a = 1 FROM u, v WHERE t.id = u.id", None),  # a FROM list: not read
        ("UPDATE t SET (a, b) = (1, 2)", None),
        ("UPDATE t SET a = 1; DELETE FROM t", None),  # another statement
        ("UPDATE t SET a = ?", None),  # a value computed at run time (an f-string)
        # An INSERT writes whole rows: no columns (they go only with their table).
        ("INSERT INTO audit_log (id) VALUES (1)", [(None, "audit_log", ())]),
        ('INSERT INTO s."Log" SELECT * FROM old; UPDATE t SET b = 2', [("s", "Log", ()), (None, "t", ("b",))]),
        ("INSERT INTO t VALUES (?)", None),
        # A Core insert (`sa.insert(t).values(...)`, read as below) writes rows into t alone.
        ("INSERT INTO t ?", [(None, "t", ())]),
        ("INSERT INTO t ?; DELETE FROM u", None),
        ("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", None),  # a WITH query: not read
    ],
)
def test_rows_written(sql: str, expected: list[tuple[str | None, str, tuple[str, ...]]] | None) -> None:
    assert rows_written(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "CREATE INDEX ix ON logins (lower(ip))",
            [RawOperation("create_index", "logins", "ix", None, ())],  # an expression: no columns
        ),
        ("CREATE INDEX ix ON t (a, b)", [RawOperation("create_index", "t", "ix", None, ("a", "b"))]),
        ("DROP INDEX IF EXISTS public.ix CASCADE", [RawOperation("drop_index", None, "ix", "public", if_exists=True)]),
        ("ALTER TABLE t ADD COLUMN id SERIAL PRIMARY KEY", [RawOperation("add_column", "t", "id")]),
        ("ALTER TABLE t DROP COLUMN IF EXISTS a", [RawOperation("drop_column", "t", "a", if_exists=True)]),
        ("ALTER TABLE t DROP CONSTRAINT IF EXISTS fk", [RawOperation("drop_constraint", "t", "fk", if_exists=True)]),
        (
            "ALTER TABLE t ADD CONSTRAINT ck CHECK (a IN (1, 2))",
            [RawOperation("create_check_constraint", "t", "ck")],
        ),
        ("CREATE TABLE IF NOT EXISTS s.t (id int PRIMARY KEY)", [RawOperation("create_table", "t", None, "s")]),
        ("DROP TABLE IF EXISTS t CASCADE", [RawOperation("drop_table", "t", None, if_exists=True)]),
        ("DROP TABLE t, u", None),  # two tables
        ("CREATE TEMPORARY TABLE t (id int)", None),  # gone at the end of the session
        ("ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int", None),  # two actions
        ("ALTER TABLE t RENAME TO u", None),
        ("CREATE INDEX ix ON t (a); VACUUM t", None),  # a statement not read
        # LOCK and ANALYZE change no object: nothing to pair, the rest is read.
        (
            "LOCK TABLE t IN SHARE MODE; CREATE INDEX ix ON t (a); ANALYZE t",
            [RawOperation("create_index", "t", "ix", None, ("a",))],
        ),
        ("DROP INDEX ix_?", None),  # computed at run time
    ],
)
def test_operations_from_sql(sql: str, expected: list[RawOperation] | None) -> None:
    assert operations_from_sql(sql) == expected
