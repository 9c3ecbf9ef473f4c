"""Live-database audit on real PostgreSQL and SQLite.

The FK-coverage check is proven against the database's own catalog: a query written here (on
``pg_constraint``/``pg_index``, or SQLite's pragmas) lists the foreign keys without a covering
index, and the audit must report exactly those.  The schema mixes the cases that trip naive
checks: single and composite keys, a key covered by a composite primary key, by a multicolumn
index, by a unique constraint, by a partial ``IS NOT NULL`` index, and not covered by a partial
index on something else, by an expression-led index, or by two single-column indexes.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event, text

from alembic_standards.audit import audit_database, reflect_database, system_named_constraints
from alembic_standards.config import Config
from alembic_standards.findings import StandardsError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from alembic_standards.findings import Finding

# Table name -> the FK columns the audit must report (each table has at most one uncovered FK,
# so a finding is identified by its table).  Names follow the convention, so AS502 stays quiet.
PG_SCHEMA = """
CREATE TABLE parents (id uuid CONSTRAINT pk_parents PRIMARY KEY, code text NOT NULL,
    CONSTRAINT uq_parents_code UNIQUE (code));
CREATE TABLE pairs (a uuid, b uuid, CONSTRAINT pk_pairs PRIMARY KEY (a, b));

-- single FK, no index: uncovered
CREATE TABLE single_fk (id uuid CONSTRAINT pk_single_fk PRIMARY KEY,
    parent_id uuid NOT NULL CONSTRAINT fk_single_fk_parent_id_parents REFERENCES parents (id));
-- single FK with its own index: covered
CREATE TABLE indexed_fk (id uuid CONSTRAINT pk_indexed_fk PRIMARY KEY,
    parent_id uuid NOT NULL CONSTRAINT fk_indexed_fk_parent_id_parents REFERENCES parents (id));
CREATE INDEX ix_indexed_fk_parent_id ON indexed_fk (parent_id);
-- composite FK with two single-column indexes: uncovered
CREATE TABLE composite_fk (id uuid CONSTRAINT pk_composite_fk PRIMARY KEY, a uuid NOT NULL, b uuid NOT NULL,
    CONSTRAINT fk_composite_fk_a_pairs FOREIGN KEY (a, b) REFERENCES pairs (a, b));
CREATE INDEX ix_composite_fk_a ON composite_fk (a);
CREATE INDEX ix_composite_fk_b ON composite_fk (b);
-- composite FK with a composite index in key order: covered
CREATE TABLE composite_fk_ok (id uuid CONSTRAINT pk_composite_fk_ok PRIMARY KEY, a uuid NOT NULL, b uuid NOT NULL,
    CONSTRAINT fk_composite_fk_ok_a_pairs FOREIGN KEY (a, b) REFERENCES pairs (a, b));
CREATE INDEX ix_composite_fk_ok_a_b ON composite_fk_ok (a, b);
-- junction: the composite PK (entry_id, tag_id) covers entry_id, not tag_id
CREATE TABLE junction (entry_id uuid CONSTRAINT fk_junction_entry_id_parents REFERENCES parents (id),
    tag_id uuid CONSTRAINT fk_junction_tag_id_parents REFERENCES parents (id),
    CONSTRAINT pk_junction PRIMARY KEY (entry_id, tag_id));
-- covered by a multicolumn index whose leading column is the FK
CREATE TABLE owned (id uuid CONSTRAINT pk_owned PRIMARY KEY,
    user_id uuid NOT NULL CONSTRAINT fk_owned_user_id_parents REFERENCES parents (id),
    created_at timestamptz NOT NULL);
CREATE INDEX ix_owned_user_id_created_at ON owned (user_id, created_at);
-- multicolumn index where the FK is NOT leading: uncovered
CREATE TABLE trail_fk (id uuid CONSTRAINT pk_trailing PRIMARY KEY,
    user_id uuid NOT NULL CONSTRAINT fk_trailing_user_id_parents REFERENCES parents (id),
    created_at timestamptz NOT NULL);
CREATE INDEX ix_trailing_created_at_user_id ON trail_fk (created_at, user_id);
-- covered by a unique constraint
CREATE TABLE uniq (id uuid CONSTRAINT pk_uniq PRIMARY KEY,
    parent_id uuid NOT NULL CONSTRAINT fk_uniq_parent_id_parents REFERENCES parents (id),
    CONSTRAINT uq_uniq_parent_id UNIQUE (parent_id));
-- partial index WHERE fk IS NOT NULL: covered
CREATE TABLE partial_ok (id uuid CONSTRAINT pk_partial_ok PRIMARY KEY,
    parent_id uuid CONSTRAINT fk_partial_ok_parent_id_parents REFERENCES parents (id));
CREATE INDEX ix_partial_ok_parent_id ON partial_ok (parent_id) WHERE parent_id IS NOT NULL;
-- partial index on another predicate: uncovered
CREATE TABLE partial_bad (id uuid CONSTRAINT pk_partial_bad PRIMARY KEY, status text NOT NULL,
    parent_id uuid CONSTRAINT fk_partial_bad_parent_id_parents REFERENCES parents (id));
CREATE INDEX ix_partial_bad_parent_id ON partial_bad (parent_id) WHERE status = 'active';
-- expression-led index: uncovered
CREATE TABLE expr_led (id uuid CONSTRAINT pk_expr_led PRIMARY KEY, name text NOT NULL,
    parent_id uuid NOT NULL CONSTRAINT fk_expr_led_parent_id_parents REFERENCES parents (id));
CREATE INDEX ix_expr_led_lower_name ON expr_led (lower(name), parent_id);
"""

EXPECTED_UNCOVERED = {"single_fk", "composite_fk", "junction", "trail_fk", "partial_bad", "expr_led"}

# The catalog's answer, independent of SQLAlchemy's reflection: an FK is covered when an index's
# leading key columns are the FK's columns in order, and the index is either full or partial on
# "<column> IS NOT NULL" (the definition in alembic_standards/coverage.py).
PG_UNCOVERED_FKS = r"""
SELECT c.conrelid::regclass::text AS table_name, c.conname
FROM pg_constraint c
WHERE c.contype = 'f'
  AND c.connamespace = 'public'::regnamespace
  AND NOT EXISTS (
    SELECT 1 FROM pg_index i
    WHERE i.indrelid = c.conrelid
      AND array_to_string((i.indkey::int2[])[0:cardinality(c.conkey) - 1], ',')
          = array_to_string(c.conkey, ',')
      AND (i.indpred IS NULL
           OR pg_get_expr(i.indpred, i.indrelid) ~* '^\(*"?\w+"? IS NOT NULL\)*$')
  )
ORDER BY 1, 2
"""


def _tables(findings: list[Finding], rule_id: str) -> list[str]:
    return sorted(f.location.table or "" for f in findings if f.rule_id == rule_id)


def _create(engine: Engine, ddl: str) -> None:
    with engine.begin() as conn:
        for statement in ddl.split(";"):
            if statement.strip():
                conn.execute(text(statement))


def test_pg_audit_finds_exactly_the_fks_the_catalog_finds(pg_engine: Engine) -> None:
    _create(pg_engine, PG_SCHEMA)
    with pg_engine.connect() as conn:
        catalog = [tuple(row) for row in conn.execute(text(PG_UNCOVERED_FKS))]
    assert {table for table, _ in catalog} == EXPECTED_UNCOVERED  # the oracle agrees with the intent
    assert len(catalog) == len(EXPECTED_UNCOVERED)

    findings = audit_database(pg_engine, Config())
    assert _tables(findings, "AS201") == sorted(table for table, _ in catalog)
    assert _tables(findings, "AS502") == []  # every constraint is named by the convention


def test_pg_audit_type_timezone_and_system_names(pg_engine: Engine) -> None:
    _create(
        pg_engine,
        """
        CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE, age int CHECK (age > 0),
            created_at timestamp NOT NULL);
        CREATE TABLE posts (id uuid CONSTRAINT pk_posts PRIMARY KEY, author_id varchar(36) NOT NULL,
            CONSTRAINT fk_posts_author_id_users FOREIGN KEY (author_id) REFERENCES users (email));
        CREATE INDEX ix_posts_author_id ON posts (author_id);
        CREATE TABLE counters (id serial PRIMARY KEY, user_id uuid NOT NULL REFERENCES users (id));
        CREATE INDEX ix_counters_user_id ON counters (user_id);
        """,
    )
    findings = audit_database(pg_engine, Config())
    system_named = sorted((f.location.table, f.location.constraint) for f in findings if f.rule_id == "AS502")
    assert system_named == [
        ("counters", "counters_pkey"),
        ("counters", "counters_user_id_fkey"),
        ("users", "users_age_check"),
        ("users", "users_email_key"),
        ("users", "users_pkey"),
    ]
    messages = {f.location.constraint: f.message for f in findings if f.rule_id == "AS502"}
    assert messages["users_pkey"] == (
        "primary key 'users_pkey' on (id) has the name PostgreSQL generates for an unnamed constraint; "
        "rename it to 'pk_users'"
    )
    assert _tables(findings, "AS101") == ["counters"]  # serial, not UUID
    assert _tables(findings, "AS402") == ["users"]  # timestamp without time zone
    assert "posts" in _tables(findings, "AS202")  # varchar(36) -> text
    assert _tables(findings, "AS201") == []


def test_pg_audit_respects_disabled_rules(pg_engine: Engine) -> None:
    _create(pg_engine, "CREATE TABLE t (id uuid PRIMARY KEY)")
    config = Config(enabled=frozenset({"AS201"}))
    assert audit_database(pg_engine, config) == []
    assert [f.rule_id for f in audit_database(pg_engine, Config())] == ["AS502"]


def test_pg_audit_other_schema(pg_engine: Engine) -> None:
    _create(
        pg_engine,
        """
        CREATE SCHEMA billing;
        CREATE TABLE billing.accounts (id uuid CONSTRAINT pk_accounts PRIMARY KEY);
        CREATE TABLE billing.invoices (id uuid CONSTRAINT pk_invoices PRIMARY KEY,
            account_id uuid NOT NULL CONSTRAINT fk_invoices_account_id_accounts REFERENCES billing.accounts (id));
        CREATE TABLE public_thing (id uuid CONSTRAINT pk_public_thing PRIMARY KEY)
        """,
    )
    findings = audit_database(pg_engine, Config(), schemas=["billing"])
    assert [(f.rule_id, f.location.schema, f.location.table) for f in findings] == [("AS201", "billing", "invoices")]
    assert audit_database(pg_engine, Config()) == []  # the default schema has nothing wrong
    # The remedy names the schema, and runs as written (without it: relation "invoices" does not exist).
    remedy = findings[0].message.partition("; add ")[2].removesuffix(" in a migration")
    assert remedy == "op.create_index('idx_invoices_account_id', 'invoices', ['account_id'], schema='billing')"
    with pg_engine.begin() as connection:
        exec(remedy, {"op": Operations(MigrationContext.configure(connection))})  # our own text, run as a user would
    assert audit_database(pg_engine, Config(), schemas=["billing"]) == []


def _statements_to_reflect(engine: Engine) -> int:
    statements: list[str] = []
    # Warm up: the dialect's first-connect queries and its cache of access methods (pg_am) are
    # one-time costs, not reflection per table.
    reflect_database(engine)

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        reflect_database(engine)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_pg_reflection_is_bulk_not_per_table(pg_engine: Engine) -> None:
    _create(pg_engine, "CREATE TABLE parents (id uuid CONSTRAINT pk_parents PRIMARY KEY)")

    def add_children(start: int, stop: int) -> None:
        _create(
            pg_engine,
            ";".join(
                f"CREATE TABLE child_{n} (id uuid PRIMARY KEY, parent_id uuid REFERENCES parents (id), "
                f"code text UNIQUE, CHECK (code <> ''));"
                f"CREATE INDEX ix_child_{n}_parent_id ON child_{n} (parent_id)"
                for n in range(start, stop)
            ),
        )

    add_children(0, 5)
    with_5 = _statements_to_reflect(pg_engine)
    add_children(5, 50)
    with_50 = _statements_to_reflect(pg_engine)
    assert len(reflect_database(pg_engine).tables) == 51
    assert with_5 == with_50, f"{with_5} statements for 6 tables, {with_50} for 51"
    assert with_50 < 30


# --------------------------------------------------------------------------------------- SQLite
SQLITE_SCHEMA = """
CREATE TABLE parents (id CHAR(32) NOT NULL, CONSTRAINT pk_parents PRIMARY KEY (id));
CREATE TABLE pairs (a CHAR(32), b CHAR(32), CONSTRAINT pk_pairs PRIMARY KEY (a, b));
CREATE TABLE single_fk (id CHAR(32) NOT NULL, parent_id CHAR(32) NOT NULL,
    CONSTRAINT pk_single_fk PRIMARY KEY (id),
    CONSTRAINT fk_single_fk_parent_id_parents FOREIGN KEY (parent_id) REFERENCES parents (id));
CREATE TABLE indexed_fk (id CHAR(32) NOT NULL, parent_id CHAR(32) NOT NULL,
    CONSTRAINT pk_indexed_fk PRIMARY KEY (id),
    CONSTRAINT fk_indexed_fk_parent_id_parents FOREIGN KEY (parent_id) REFERENCES parents (id));
CREATE INDEX ix_indexed_fk_parent_id ON indexed_fk (parent_id);
CREATE TABLE composite_fk (id CHAR(32) NOT NULL, a CHAR(32) NOT NULL, b CHAR(32) NOT NULL,
    CONSTRAINT pk_composite_fk PRIMARY KEY (id),
    CONSTRAINT fk_composite_fk_a_pairs FOREIGN KEY (a, b) REFERENCES pairs (a, b));
CREATE INDEX ix_composite_fk_a ON composite_fk (a);
CREATE INDEX ix_composite_fk_b ON composite_fk (b);
CREATE TABLE junction (entry_id CHAR(32) NOT NULL, tag_id CHAR(32) NOT NULL,
    CONSTRAINT pk_junction PRIMARY KEY (entry_id, tag_id),
    CONSTRAINT fk_junction_entry_id_parents FOREIGN KEY (entry_id) REFERENCES parents (id),
    CONSTRAINT fk_junction_tag_id_parents FOREIGN KEY (tag_id) REFERENCES parents (id));
CREATE TABLE owned (id CHAR(32) NOT NULL, user_id CHAR(32) NOT NULL, created_at DATETIME NOT NULL,
    CONSTRAINT pk_owned PRIMARY KEY (id),
    CONSTRAINT fk_owned_user_id_parents FOREIGN KEY (user_id) REFERENCES parents (id));
CREATE INDEX ix_owned_user_id_created_at ON owned (user_id, created_at);
CREATE TABLE trail_fk (id CHAR(32) NOT NULL, user_id CHAR(32) NOT NULL, created_at DATETIME NOT NULL,
    CONSTRAINT pk_trailing PRIMARY KEY (id),
    CONSTRAINT fk_trailing_user_id_parents FOREIGN KEY (user_id) REFERENCES parents (id));
CREATE INDEX ix_trailing_created_at_user_id ON trail_fk (created_at, user_id);
CREATE TABLE partial_bad (id CHAR(32) NOT NULL, status VARCHAR(10) NOT NULL, parent_id CHAR(32),
    CONSTRAINT pk_partial_bad PRIMARY KEY (id),
    CONSTRAINT fk_partial_bad_parent_id_parents FOREIGN KEY (parent_id) REFERENCES parents (id));
CREATE INDEX ix_partial_bad_parent_id ON partial_bad (parent_id) WHERE status = 'active';
CREATE TABLE unnamed_fk (id CHAR(32) NOT NULL, parent_id CHAR(32) NOT NULL REFERENCES parents (id),
    CONSTRAINT pk_unnamed_fk PRIMARY KEY (id));
CREATE INDEX ix_unnamed_fk_parent_id ON unnamed_fk (parent_id)
"""

SQLITE_EXPECTED_UNCOVERED = {"single_fk", "composite_fk", "junction", "trail_fk", "partial_bad"}


def _sqlite_uncovered(engine: Engine) -> set[str]:
    """The same question asked of SQLite's pragmas."""
    out: set[str] = set()
    with engine.connect() as conn:
        tables = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))]
        for table in tables:
            fks: dict[int, list[str]] = {}
            for row in conn.execute(text(f'PRAGMA foreign_key_list("{table}")')):
                fks.setdefault(row.id, []).append(row._mapping["from"])
            keys: list[list[str | None]] = []
            for index in conn.execute(text(f'PRAGMA index_list("{table}")')):
                if index.partial:
                    continue  # no partial index in this schema covers (none is "IS NOT NULL")
                info = conn.execute(text(f'PRAGMA index_info("{index.name}")')).all()
                keys.append([r.name for r in sorted(info, key=lambda r: r.seqno)])
            for columns in fks.values():
                if not any(key[: len(columns)] == columns for key in keys):
                    out.add(table)
    return out


def test_sqlite_audit_finds_exactly_the_fks_the_pragmas_find(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    _create(engine, SQLITE_SCHEMA)
    assert _sqlite_uncovered(engine) == SQLITE_EXPECTED_UNCOVERED
    findings = audit_database(sqlite_url, Config())
    assert set(_tables(findings, "AS201")) == SQLITE_EXPECTED_UNCOVERED
    assert len(_tables(findings, "AS201")) == len(SQLITE_EXPECTED_UNCOVERED)
    # SQLite keeps no name for an inline REFERENCES: reported as unnamed (system-named).
    unnamed = [f for f in findings if f.rule_id == "AS502"]
    assert [(f.location.table, f.message) for f in unnamed] == [
        (
            "unnamed_fk",
            "unnamed foreign key on (parent_id) has a name invented by the database; "
            "rename it to 'fk_unnamed_fk_parent_id'",
        )
    ]
    engine.dispose()


def test_system_named_constraints_needs_no_database() -> None:
    from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

    metadata = MetaData()
    Table("parents", metadata, Column("id", Integer, primary_key=True))
    child = Table("children", metadata, Column("id", Integer, primary_key=True), Column("p", ForeignKey("parents.id")))
    child.primary_key.name = "children_pkey"
    findings = system_named_constraints([child], Config())
    assert [f.location.constraint for f in findings] == [None, "children_pkey"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "invalid database URL 'not a url'"),
        (
            "postgresql://me:a@secret@127.0.0.1:notaport/x",
            "invalid database URL 'postgresql://me:***@127.0.0.1:notaport/x'",
        ),
        ("nosuchdb://x/y", "database URL nosuchdb://x/y: Can't load plugin: sqlalchemy.dialects:nosuchdb"),
        (
            "postgresql+psycopg://me:secret@127.0.0.1:1/nodb",
            "cannot read database postgresql+psycopg://me:***@127.0.0.1:1/nodb: connection failed",
        ),
    ],
)
def test_bad_urls_are_standards_errors_without_the_password(url: str, message: str) -> None:
    with pytest.raises(StandardsError) as info:
        audit_database(url, Config())
    assert str(info.value).startswith(message)
    assert "secret" not in str(info.value)


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    # SQLite would happily create an empty file: an audit must not write anything.
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with pytest.raises(StandardsError, match=r"cannot read database .*: no such file"):
        audit_database(url, Config())
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- version table
# What Alembic emits for its version table (alembic.runtime.migration), under the default name,
# a custom ``version_table`` and a custom ``version_table_schema``.
VERSION_TABLE_DDL = """
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
CREATE TABLE schema_history (version_num VARCHAR(32) NOT NULL,
    CONSTRAINT schema_history_pkc PRIMARY KEY (version_num));
INSERT INTO alembic_version VALUES ('0001');
INSERT INTO schema_history VALUES ('0001')
"""


def test_pg_audit_never_judges_alembic_version_tables(pg_engine: Engine) -> None:
    _create(pg_engine, VERSION_TABLE_DDL)
    _create(
        pg_engine,
        """
        CREATE SCHEMA meta;
        CREATE TABLE meta.migrations (version_num VARCHAR(32) NOT NULL,
            CONSTRAINT migrations_pkc PRIMARY KEY (version_num));
        CREATE TABLE meta.legacy (version_num VARCHAR(32) NOT NULL);
        CREATE TABLE items (id uuid CONSTRAINT pk_items PRIMARY KEY)
        """,
    )
    # Without the configured name: recognised by shape (the CLI does not run env.py).
    assert audit_database(pg_engine, Config(), schemas=[None, "meta"]) == []
    # With it (the pytest checks pass what env.py configures).
    findings = audit_database(
        pg_engine, Config(), schemas=[None, "meta"], version_table="migrations", version_table_schema="meta"
    )
    assert findings == []
    # A table of the team's is still judged.
    _create(pg_engine, "CREATE TABLE versions (version_num VARCHAR(32) PRIMARY KEY, note text)")
    assert [(f.rule_id, f.location.table) for f in audit_database(pg_engine, Config())] == [
        ("AS101", "versions"),
        ("AS502", "versions"),
    ]


def test_sqlite_audit_never_judges_alembic_version_tables(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    _create(engine, VERSION_TABLE_DDL)
    _create(engine, "CREATE TABLE items (id CHAR(32) NOT NULL, CONSTRAINT pk_items PRIMARY KEY (id))")
    findings = audit_database(sqlite_url, Config())
    assert [(f.rule_id, f.location.table) for f in findings] == [("AS904", "items")]  # SQLite: AS101 not judged
    engine.dispose()


# ------------------------------------------------------------------------------------ AS502
def _as502(findings: list[Finding]) -> list[tuple[str | None, str | None]]:
    return sorted((f.location.table, f.location.constraint) for f in findings if f.rule_id == "AS502")


def test_pg_names_from_a_convention_that_resembles_postgresql_are_chosen(pg_engine: Engine) -> None:
    from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, MetaData, Table, Text, UniqueConstraint, Uuid

    convention = {
        "pk": "%(table_name)s_pkey",
        "fk": "%(table_name)s_%(column_0_name)s_fkey",
        "uq": "%(table_name)s_%(column_0_N_name)s_key",
        "ck": "%(table_name)s_%(constraint_name)s_check",
        "ix": "ix_%(column_0_label)s",
    }
    models = MetaData(naming_convention=convention)
    Table("teams", models, Column("id", Uuid, primary_key=True), Column("name", Text, unique=True))
    Table(
        "members",
        models,
        Column("id", Uuid, primary_key=True),
        Column("team_id", Uuid, ForeignKey("teams.id"), nullable=False, index=True),
        Column("age", Integer),
        UniqueConstraint("team_id", "age"),
        CheckConstraint("age > 0", name="age"),
    )
    models.create_all(pg_engine)
    # A table the models do not know, created without names: PostgreSQL names it (legacy_pkey),
    # which is also what the models' convention would call it.
    _create(pg_engine, "CREATE TABLE legacy (id uuid PRIMARY KEY, code text UNIQUE)")
    created = _as502(audit_database(pg_engine, Config()))
    # Without the models the audit cannot tell a convention from PostgreSQL's defaults.
    assert created == [
        ("legacy", "legacy_code_key"),
        ("legacy", "legacy_pkey"),
        ("members", "members_age_check"),
        ("members", "members_pkey"),
        ("members", "members_team_id_age_key"),
        ("members", "members_team_id_fkey"),
        ("teams", "teams_name_key"),
        ("teams", "teams_pkey"),
    ]
    assert _as502(audit_database(pg_engine, Config(), models=[models])) == []


def test_pg_explicit_names_in_the_models_are_chosen_unnamed_ones_are_not(pg_engine: Engine) -> None:
    from sqlalchemy import Column, ForeignKey, MetaData, PrimaryKeyConstraint, Table, Uuid

    models = MetaData()  # no naming convention
    Table("teams", models, Column("id", Uuid), PrimaryKeyConstraint("id", name="teams_pkey"))
    Table("members", models, Column("id", Uuid, primary_key=True), Column("team_id", Uuid, ForeignKey("teams.id")))
    models.create_all(pg_engine)
    findings = audit_database(pg_engine, Config(), models=[models])
    # teams_pkey is declared; members' keys were left to PostgreSQL.
    assert _as502(findings) == [("members", "members_pkey"), ("members", "members_team_id_fkey")]
    messages = {f.location.constraint: f.message for f in findings if f.rule_id == "AS502"}
    assert messages["members_pkey"] == (
        "primary key 'members_pkey' on (id) has the name PostgreSQL generates for an unnamed constraint; "
        "rename it to 'pk_members'"
    )


def test_pg_configured_convention_vouches_for_names_without_models(pg_engine: Engine) -> None:
    from alembic_standards.naming import NamingConvention

    _create(pg_engine, "CREATE TABLE teams (id uuid PRIMARY KEY, name text UNIQUE)")
    config = Config(naming=NamingConvention({"pk": "%(table_name)s_pkey"}))
    # [tool.alembic_standards] naming_convention pk = "%(table_name)s_pkey": teams_pkey is the convention.
    assert _as502(audit_database(pg_engine, config)) == [("teams", "teams_name_key")]


def test_pg_only_postgresqls_exact_default_names_are_system_named(pg_engine: Engine) -> None:
    long_table = "t" * 40 + "_subscriptions"
    _create(
        pg_engine,
        f"""
        CREATE TABLE owners (id uuid CONSTRAINT pk_owners PRIMARY KEY);
        -- names a team chose that merely end like PostgreSQL's: not reported
        CREATE TABLE users (id uuid CONSTRAINT pk_users PRIMARY KEY, token text, a int, b int,
            CONSTRAINT users_api_key UNIQUE (token),
            CONSTRAINT users_positive_check CHECK (a > 0 AND b > 0));
        -- PostgreSQL's own: a clash gets a number, a CHECK on two columns is <table>_check,
        -- a long name is cut by PostgreSQL
        CREATE TABLE pairs (id uuid CONSTRAINT pk_pairs PRIMARY KEY, a int UNIQUE, b int,
            CHECK (a > b), CHECK (a > 0), CHECK (a < 100));
        CREATE TABLE {long_table} (id uuid CONSTRAINT pk_long PRIMARY KEY,
            owner_of_the_very_long_subscription_id uuid REFERENCES owners (id));
        CREATE INDEX ix_long ON {long_table} (owner_of_the_very_long_subscription_id)
        """,
    )
    with pg_engine.connect() as conn:
        generated = conn.execute(
            text("SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'"),
            {"t": long_table},
        ).scalar_one()
    assert len(generated) == 63  # PostgreSQL cut it
    assert _as502(audit_database(pg_engine, Config())) == [
        ("pairs", "pairs_a_check"),
        ("pairs", "pairs_a_check1"),
        ("pairs", "pairs_a_key"),
        ("pairs", "pairs_check"),
        (long_table, generated),
    ]


# ------------------------------------------------------------------------------ AS904 / DESC
def test_pg_reflected_desc_index_columns_are_plain_columns(pg_engine: Engine) -> None:
    # PostgreSQL reflects `parent_id DESC` as a UnaryExpression around the column; SQLite drops the
    # ordering on reflection, so only PostgreSQL shows the case.
    _create(
        pg_engine,
        """
        CREATE TABLE parents (id uuid CONSTRAINT pk_parents PRIMARY KEY);
        CREATE TABLE events (id uuid CONSTRAINT pk_events PRIMARY KEY, created_at timestamptz NOT NULL,
            parent_id uuid NOT NULL CONSTRAINT fk_events_parent_id REFERENCES parents (id));
        CREATE INDEX idx_events_parent_id_created_at ON events (parent_id DESC, created_at DESC NULLS LAST);
        CREATE TABLE expr (id uuid CONSTRAINT pk_expr PRIMARY KEY, name text NOT NULL);
        CREATE INDEX idx_expr_lower_name ON expr (lower(name) DESC)
        """,
    )
    findings = audit_database(pg_engine, Config())
    # Covered by the DESC index, and no "expression" for it; a real expression keeps its AS904.
    assert [(f.rule_id, f.location.table) for f in findings] == [("AS904", "expr")]


def test_sqlite_holds_no_invented_names_only_missing_ones(sqlite_url: str) -> None:
    from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

    # PostgreSQL-looking names given by a convention: SQLite invents none, so they were chosen.
    models = MetaData(naming_convention={"pk": "%(table_name)s_pkey", "fk": "%(table_name)s_%(column_0_name)s_fkey"})
    Table("teams", models, Column("id", Integer, primary_key=True))
    Table("members", models, Column("id", Integer, primary_key=True), Column("team_id", ForeignKey("teams.id")))
    engine = create_engine(sqlite_url)
    models.create_all(engine)
    _create(engine, "CREATE TABLE legacy (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES teams (id))")
    findings = audit_database(sqlite_url, Config())
    assert _as502(findings) == [("legacy", None), ("legacy", None)]  # unnamed PK and FK: no name at all
    engine.dispose()


def test_pg_tables_owned_by_an_extension_are_not_judged(pg_engine: Engine) -> None:
    """FitTrackee: PostGIS's `spatial_ref_sys` (integer key, `spatial_ref_sys_pkey`) is the extension's
    table, not the team's.  Any extension membership counts: here plpgsql (always installed) is made
    to own a table the way CREATE EXTENSION postgis owns spatial_ref_sys."""
    with pg_engine.begin() as conn:
        conn.execute(text("CREATE TABLE spatial_ref_sys (srid integer PRIMARY KEY, auth_name varchar(256))"))
        conn.execute(text("CREATE TABLE own_table (id integer PRIMARY KEY)"))
        conn.execute(text("ALTER EXTENSION plpgsql ADD TABLE spatial_ref_sys"))
    findings = audit_database(pg_engine, Config(enabled=frozenset({"AS101", "AS502"})))
    assert sorted({(f.rule_id, f.location.table) for f in findings}) == [("AS101", "own_table"), ("AS502", "own_table")]
    # The extension in a schema of its own, on the search path (FitTrackee's layout): the default
    # schema's reflection sees the table through the search path, and still skips it.
    with pg_engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA extensions"))
        conn.execute(text("ALTER TABLE spatial_ref_sys SET SCHEMA extensions"))
        conn.execute(text(f'ALTER DATABASE "{pg_engine.url.database}" SET search_path = public, extensions'))
    pg_engine.dispose()
    findings = audit_database(pg_engine, Config(enabled=frozenset({"AS101", "AS502"})), schemas=[None, "extensions"])
    assert sorted({(f.rule_id, f.location.table) for f in findings}) == [("AS101", "own_table"), ("AS502", "own_table")]
    with pg_engine.begin() as conn:
        conn.execute(text("ALTER EXTENSION plpgsql DROP TABLE extensions.spatial_ref_sys"))


def test_sqlite_audit_of_a_foreign_key_cycle_prints_no_warning(sqlite_url: str) -> None:
    """teams <-> users (CTFd, Dispatch): SQLAlchemy cannot sort the reflected tables and warned,
    on the user's terminal, about the audit's own call.  The findings are the same either way."""
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE teams (id INTEGER PRIMARY KEY, captain_id INTEGER REFERENCES users (id))")
        conn.exec_driver_sql("CREATE TABLE users (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES teams (id))")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        findings = audit_database(sqlite_url, Config())
    assert sorted(_tables(findings, "AS201")) == ["teams", "users"]
    engine.dispose()
