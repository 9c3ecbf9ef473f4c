"""`rename-constraints` (alembic_standards.rename): a legacy schema to the convention and back.

Real databases only: a legacy schema is made with raw DDL and no names (so PostgreSQL and SQLite
name things their own way), the planner reflects it, the revision is written into a scratch
project made by `alembic-standards init`, and the stock `alembic` command runs it both ways.
Names are read back from the catalog (pg_constraint/pg_indexes; sqlite_master and PRAGMA-based
reflection on SQLite).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config as AlembicConfig

from alembic_standards.findings import StandardsError
from alembic_standards.naming import NamingConvention
from alembic_standards.rename import convention_for, plan_renames, render_operations, write_revision
from alembic_standards.scaffold import init_project

ALEMBIC = Path(sys.executable).with_name("alembic")

LEGACY_PG = [
    "CREATE TABLE owner (id serial PRIMARY KEY, email varchar(100) UNIQUE)",
    "CREATE TABLE item (id serial PRIMARY KEY, owner_id integer REFERENCES owner (id),"
    " price integer CHECK (price > 0), code varchar(10), UNIQUE (owner_id, code))",
    "CREATE INDEX ix_item_code ON item (code)",
    "CREATE INDEX ON item (owner_id)",
]

# The same schema as models that use the convention (what `alembic check` compares against).
MODELS = """
import sqlalchemy as sa
from alembic_standards import NAMING_CONVENTION

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
owner = sa.Table(
    "owner", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(100), unique=True),
)
item = sa.Table(
    "item", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("owner.id"), index=True),
    sa.Column("price", sa.Integer, sa.CheckConstraint("price > 0")),
    sa.Column("code", sa.String(10), index=True),
    sa.UniqueConstraint("owner_id", "code"),
)
"""

PG_LEGACY_NAMES = {
    "constraints": [
        ("item", "item_owner_id_code_key", "u"),
        ("item", "item_owner_id_fkey", "f"),
        ("item", "item_pkey", "p"),
        ("item", "item_price_check", "c"),
        ("owner", "owner_email_key", "u"),
        ("owner", "owner_pkey", "p"),
    ],
    "indexes": [
        ("item", "item_owner_id_code_key"),
        ("item", "item_owner_id_idx"),
        ("item", "item_pkey"),
        ("item", "ix_item_code"),
        ("owner", "owner_email_key"),
        ("owner", "owner_pkey"),
    ],
}
PG_CONVENTION_NAMES = {
    "constraints": [
        ("item", "ck_item_price", "c"),
        ("item", "fk_item_owner_id", "f"),
        ("item", "pk_item", "p"),
        ("item", "uq_item_owner_id_code", "u"),
        ("owner", "pk_owner", "p"),
        ("owner", "uq_owner_email", "u"),
    ],
    "indexes": [
        ("item", "idx_item_code"),
        ("item", "idx_item_owner_id"),
        ("item", "pk_item"),
        ("item", "uq_item_owner_id_code"),
        ("owner", "pk_owner"),
        ("owner", "uq_owner_email"),
    ],
}


# ------------------------------------------------------------------------------------------ helpers
def _project(tmp_path: Path, models: str | None = None) -> AlembicConfig:
    with contextlib.redirect_stdout(io.StringIO()):  # alembic.command.init prints "Generating ..."
        init_project(tmp_path / "migrations", config_file=tmp_path / "alembic.ini", quiet=True)
    if models is not None:
        (tmp_path / "models.py").write_text(models, encoding="utf-8")
        env = tmp_path / "migrations" / "env.py"
        text = env.read_text(encoding="utf-8")
        assert "target_metadata = None\n" in text
        env.write_text(text.replace("target_metadata = None\n", "from models import metadata as target_metadata\n"))
    return AlembicConfig(str(tmp_path / "alembic.ini"))


def _alembic(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run([str(ALEMBIC), *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _standards_check(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`alembic-standards check` on the scratch project's revisions: the revision we wrote follows
    the template and the product's own rules."""
    return subprocess.run(
        [sys.executable, "-m", "alembic_standards.cli", "check", "--no-cache", "migrations/versions"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def _execute(url: str, statements: list[str]) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _pg_names(url: str, schema: str = "public") -> dict[str, list[tuple[str, ...]]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            constraints = conn.execute(
                sa.text(
                    "SELECT c.relname, con.conname, con.contype FROM pg_constraint con"
                    " JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = :schema AND c.relname <> 'alembic_version' ORDER BY 1, 2"
                ),
                {"schema": schema},
            ).all()
            indexes = conn.execute(
                sa.text(
                    "SELECT tablename, indexname FROM pg_indexes"
                    " WHERE schemaname = :schema AND tablename <> 'alembic_version' ORDER BY 1, 2"
                ),
                {"schema": schema},
            ).all()
    finally:
        engine.dispose()
    return {"constraints": [tuple(r) for r in constraints], "indexes": [tuple(r) for r in indexes]}


# ------------------------------------------------------------------------------------------ PostgreSQL
def test_postgresql_legacy_schema_to_the_convention_and_back(pg_url: str, tmp_path: Path) -> None:
    _execute(pg_url, LEGACY_PG)
    assert _pg_names(pg_url) == PG_LEGACY_NAMES
    config = _project(tmp_path, MODELS)

    plan = plan_renames(pg_url, NamingConvention())
    assert [r.describe() for r in plan.renames] == [
        "primary key 'item_pkey' on item -> 'pk_item'",
        "unique constraint 'item_owner_id_code_key' on item -> 'uq_item_owner_id_code'",
        "foreign key 'item_owner_id_fkey' on item -> 'fk_item_owner_id'",
        "check constraint 'item_price_check' on item -> 'ck_item_price'",
        "index 'item_owner_id_idx' on item -> 'idx_item_owner_id'",
        "index 'ix_item_code' on item -> 'idx_item_code'",
        "primary key 'owner_pkey' on owner -> 'pk_owner'",
        "unique constraint 'owner_email_key' on owner -> 'uq_owner_email'",
    ]
    path = write_revision(config, plan, rev_id="0001")
    assert path.parent == tmp_path / "migrations" / "versions"
    # The checker cannot read raw SQL, so it asks (info, exit 0), once, for a human review of the renames.
    checked = _standards_check(tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert len(plan.renames) == 8
    assert [line.split(": ", 1)[1] for line in checked.stdout.splitlines()] == [
        "AS704 cannot decide whether downgrade() undoes 8 steps of the upgrade: op.execute(...) at lines 22, 32, "
        "42, 52, 58 and 3 more (raw SQL); review them by hand"
    ]

    _alembic(tmp_path, pg_url, "upgrade", "head")
    assert _pg_names(pg_url) == PG_CONVENTION_NAMES
    _alembic(tmp_path, pg_url, "downgrade", "-1")
    assert _pg_names(pg_url) == PG_LEGACY_NAMES
    _alembic(tmp_path, pg_url, "upgrade", "head")
    assert _pg_names(pg_url) == PG_CONVENTION_NAMES
    check = _alembic(tmp_path, pg_url, "check")
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    # Nothing left to rename.
    assert plan_renames(pg_url, NamingConvention()).renames == ()


# An old revision as autogenerate wrote it before the project had a naming convention.
LEGACY_REVISION = '''"""legacy tables

Revision ID: 0001
Revises:
Create Date: 2020-01-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table(
        "owner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("price", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=10), nullable=True),
        sa.CheckConstraint("price > 0"),
        sa.ForeignKeyConstraint(["owner_id"], ["owner.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_id", "code"),
    )
    op.create_index("ix_item_code", "item", ["code"])
    op.create_index("ix_item_owner_id", "item", ["owner_id"])


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index("ix_item_owner_id", table_name="item")
    op.drop_index("ix_item_code", table_name="item")
    op.drop_table("item")
    op.drop_table("owner")
'''


def test_postgresql_safe_path_rename_first_then_set_the_convention(
    pg_url: str, postgres_server: str, tmp_path: Path
) -> None:
    """The README's safe path: the rename revision renames the existing database, and once the
    convention is set the whole history still replays on a fresh database (where the old
    revisions' unnamed constraints already get convention names) and ends in the same names."""
    from support.postgres import create_database, drop_database

    config = _project(tmp_path)
    (tmp_path / "models.py").write_text(MODELS, encoding="utf-8")
    (tmp_path / "migrations" / "versions" / "0001_legacy.py").write_text(LEGACY_REVISION, encoding="utf-8")
    _alembic(tmp_path, pg_url, "upgrade", "head")
    assert ("item", "item_owner_id_fkey", "f") in _pg_names(pg_url)["constraints"]

    write_revision(config, plan_renames(pg_url, NamingConvention()), rev_id="0002")
    _alembic(tmp_path, pg_url, "upgrade", "head")
    renamed = _pg_names(pg_url)
    assert ("item", "fk_item_owner_id", "f") in renamed["constraints"]

    # Now set the convention (the models' MetaData becomes target_metadata).
    env = tmp_path / "migrations" / "env.py"
    env.write_text(
        env.read_text(encoding="utf-8").replace(
            "target_metadata = None\n", "from models import metadata as target_metadata\n"
        )
    )
    fresh = create_database(postgres_server)
    try:
        _alembic(tmp_path, fresh, "upgrade", "head")
        replayed = _pg_names(fresh)
        # The same names, except the check: unnamed in the old revision, it is named after a hash of
        # its source text under the convention (the rename revision skips it there).
        ck_renamed = [c for c in renamed["constraints"] if c[2] == "c"]
        ck_replayed = [c for c in replayed["constraints"] if c[2] == "c"]
        assert ck_renamed == [("item", "ck_item_price", "c")]
        assert [name for _, name, _ in ck_replayed] == [
            "ck_item_" + NamingConvention().check_suffix("item", None, (), "price > 0")
        ]
        assert [c for c in replayed["constraints"] if c[2] != "c"] == [c for c in renamed["constraints"] if c[2] != "c"]
        assert replayed["indexes"] == renamed["indexes"]
        _alembic(tmp_path, fresh, "check")
        _alembic(tmp_path, fresh, "downgrade", "base")
    finally:
        drop_database(fresh)
    # And on the renamed database, back and forth still works with the convention set.
    _alembic(tmp_path, pg_url, "downgrade", "-1")
    assert ("item", "item_owner_id_fkey", "f") in _pg_names(pg_url)["constraints"]
    _alembic(tmp_path, pg_url, "upgrade", "head")
    assert _pg_names(pg_url) == renamed


def test_postgresql_quotes_awkward_identifiers(pg_url: str, tmp_path: Path) -> None:
    """Uppercase, reserved words, embedded quotes, ``:`` and ``%`` survive both directions."""
    _execute(
        pg_url,
        [
            'CREATE TABLE "Order" (id integer PRIMARY KEY, "select" integer UNIQUE,'
            ' CONSTRAINT "weird ""name"":x%%" CHECK ("select" > 0))',
            'CREATE INDEX "Order Select:idx" ON "Order" ("select", id)',
        ],
    )
    before = _pg_names(pg_url)
    config = _project(tmp_path)
    plan = plan_renames(pg_url, NamingConvention())
    assert [(r.old, r.new) for r in plan.renames] == [
        ("Order_pkey", "pk_Order"),
        ("Order_select_key", "uq_Order_select"),
        ('weird "name":x%', 'ck_Order_weird "name":x%'),
        ("Order Select:idx", "idx_Order_select_id"),
    ]
    write_revision(config, plan, rev_id="0001")
    _alembic(tmp_path, pg_url, "upgrade", "head")
    assert _pg_names(pg_url) == {
        "constraints": [
            ("Order", 'ck_Order_weird "name":x%', "c"),
            ("Order", "pk_Order", "p"),
            ("Order", "uq_Order_select", "u"),
        ],
        "indexes": [("Order", "idx_Order_select_id"), ("Order", "pk_Order"), ("Order", "uq_Order_select")],
    }
    _alembic(tmp_path, pg_url, "downgrade", "-1")
    assert _pg_names(pg_url) == before


def test_postgresql_rendered_revision(pg_url: str, tmp_path: Path) -> None:
    _execute(pg_url, ["CREATE TABLE tag (id integer PRIMARY KEY, label text)", "CREATE INDEX ON tag (label)"])
    config = _project(tmp_path)
    path = write_revision(config, plan_renames(pg_url, NamingConvention()), rev_id="0001")
    text = re.sub(r"Create Date: .*", "Create Date: <date>", path.read_text(encoding="utf-8"))
    # The project's file_template (date, revision id, slug) applies.
    assert re.fullmatch(r"\d{8}_0001_rename_constraints_and_indexes_to_the_\.py", path.name), path.name
    assert (
        text
        == '''"""rename constraints and indexes to the naming convention

Revision ID: 0001
Revises:
Create Date: <date>
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.execute(
        'DO $$BEGIN IF EXISTS (SELECT FROM pg_constraint'
        " WHERE conrelid = to_regclass('tag') AND conname = 'tag_pkey')"
        ' THEN ALTER TABLE tag RENAME CONSTRAINT tag_pkey TO pk_tag;'
        ' ELSIF NOT EXISTS (SELECT FROM pg_constraint'
        " WHERE conrelid = to_regclass('tag') AND conname = 'pk_tag')"
        ' THEN RAISE EXCEPTION USING'
        " MESSAGE = 'rename-constraints: primary key tag_pkey on tag not found, and no pk_tag either';"
        ' END IF; END$$'
    )
    op.execute(
        "DO $$BEGIN IF to_regclass('tag_label_idx') IS NOT NULL"
        ' THEN ALTER INDEX tag_label_idx RENAME TO idx_tag_label;'
        " ELSIF to_regclass('idx_tag_label') IS NULL"
        ' THEN RAISE EXCEPTION USING'
        " MESSAGE = 'rename-constraints: index tag_label_idx not found, and no idx_tag_label either';"
        ' END IF; END$$'
    )


def downgrade() -> None:
    """Rollback migration changes"""
    op.execute(
        "DO $$BEGIN IF to_regclass('idx_tag_label') IS NOT NULL"
        ' THEN ALTER INDEX idx_tag_label RENAME TO tag_label_idx;'
        " ELSIF to_regclass('tag_label_idx') IS NULL"
        ' THEN RAISE EXCEPTION USING'
        " MESSAGE = 'rename-constraints: index idx_tag_label not found, and no tag_label_idx either';"
        ' END IF; END$$'
    )
    op.execute(
        'DO $$BEGIN IF EXISTS (SELECT FROM pg_constraint'
        " WHERE conrelid = to_regclass('tag') AND conname = 'pk_tag')"
        ' THEN ALTER TABLE tag RENAME CONSTRAINT pk_tag TO tag_pkey;'
        ' ELSIF NOT EXISTS (SELECT FROM pg_constraint'
        " WHERE conrelid = to_regclass('tag') AND conname = 'tag_pkey')"
        ' THEN RAISE EXCEPTION USING'
        " MESSAGE = 'rename-constraints: primary key pk_tag on tag not found, and no tag_pkey either';"
        ' END IF; END$$'
    )
'''
    )


def test_postgresql_check_constraint_names(pg_url: str) -> None:
    """A chosen name is the constraint_name token; a database-made one gives way to the columns the
    expression mentions (none: a hash of the SQL text); a convention name is not prefixed twice."""
    _execute(
        pg_url,
        [
            "CREATE TABLE span (id integer, starts integer, ends integer, note text,"
            " CONSTRAINT ends_after_starts CHECK (ends > starts),"
            " CHECK (starts < ends AND note <> 'ends'),"
            " CHECK (1 < 2),"
            " CONSTRAINT ck_span_note_short CHECK (length(note) < 10))",
        ],
    )
    plan = plan_renames(pg_url, NamingConvention())
    assert [(r.old, r.new) for r in plan.renames] == [
        ("ends_after_starts", "ck_span_ends_after_starts"),
        ("span_check", "ck_span_starts_ends_note"),
        ("span_check1", "ck_span_" + NamingConvention().check_suffix("span", None, (), "1 < 2")),
    ]


def test_postgresql_rename_fails_loudly_when_neither_name_exists(pg_url: str, tmp_path: Path) -> None:
    _execute(pg_url, ["CREATE TABLE tag (id integer PRIMARY KEY)"])
    config = _project(tmp_path)
    write_revision(config, plan_renames(pg_url, NamingConvention()), rev_id="0001")
    _execute(pg_url, ["ALTER TABLE tag RENAME CONSTRAINT tag_pkey TO drifted"])
    result = subprocess.run(
        [str(ALEMBIC), "upgrade", "head"],
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": pg_url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "rename-constraints: primary key tag_pkey on tag not found, and no pk_tag either" in result.stderr


def test_postgresql_name_clashes_are_refused_and_nothing_is_written(pg_url: str, tmp_path: Path) -> None:
    _execute(
        pg_url,
        [
            "CREATE TABLE tag (id integer PRIMARY KEY, label text)",
            "CREATE INDEX ix_one ON tag (label)",
            "CREATE INDEX ix_two ON tag (label)",
            # A table already called like the primary key's convention name.
            "CREATE TABLE pk_tag (id integer)",
        ],
    )
    with pytest.raises(StandardsError) as info:
        plan_renames(pg_url, NamingConvention())
    assert str(info.value) == (
        "cannot rename to the naming convention, nothing written:\n"
        "  primary key 'tag_pkey' on tag -> 'pk_tag': 'pk_tag' is already used by table 'pk_tag'\n"
        "  index 'ix_one' on tag -> 'idx_tag_label' and index 'ix_two' on tag -> 'idx_tag_label': "
        "both would be named 'idx_tag_label'\n"
        "  hint: rename or drop the clashing objects first (or name them explicitly in a revision of your own)"
    )


def test_postgresql_version_table_and_other_schemas_are_left_alone(pg_url: str) -> None:
    _execute(
        pg_url,
        [
            "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)",
            "CREATE SCHEMA other",
            "CREATE TABLE other.tag (id integer PRIMARY KEY)",
        ],
    )
    assert plan_renames(pg_url, NamingConvention()).renames == ()
    plan = plan_renames(pg_url, NamingConvention(), schemas=["other"])
    upgrade, _ = render_operations(plan)
    assert "' THEN ALTER TABLE other.tag RENAME CONSTRAINT tag_pkey TO pk_tag;'" in upgrade
    assert "\" WHERE conrelid = to_regclass('other.tag') AND conname = 'tag_pkey')\"" in upgrade


def test_revision_compiles_and_runs_under_alembics_stock_template(pg_url: str, tmp_path: Path) -> None:
    """``alembic init``'s own script.py.mako indents the token's first line itself: the body was
    indented twice there, the file did not compile and Alembic left it in versions/ (Open WebUI,
    sweep 5).  Written as Alembic's renderer writes a body, it runs both ways."""
    from alembic import command

    _execute(pg_url, ["CREATE TABLE item (id integer PRIMARY KEY)"])
    ini = tmp_path / "alembic.ini"
    config = AlembicConfig(str(ini))
    with contextlib.redirect_stdout(io.StringIO()):
        command.init(config, str(tmp_path / "migrations"))  # the "generic" template, untouched
    config = AlembicConfig(str(ini))
    config.set_main_option("sqlalchemy.url", pg_url.replace("%", "%%"))
    path = write_revision(config, plan_renames(pg_url, NamingConvention()), rev_id="0001")
    source = path.read_text(encoding="utf-8")
    compile(source, str(path), "exec")
    # Indented once, whatever the template puts above it (Alembic 1.13's has no docstrings).
    assert "\n    op.execute(\n        'DO $$BEGIN IF EXISTS" in source
    assert "\n        op.execute(" not in source
    with contextlib.redirect_stdout(io.StringIO()):
        command.upgrade(config, "head")
        assert _pg_names(pg_url)["constraints"] == [("item", "pk_item", "p")]
        command.downgrade(config, "base")
        assert _pg_names(pg_url)["constraints"] == [("item", "item_pkey", "p")]


def test_names_the_models_state_explicitly_are_kept(pg_url: str) -> None:
    """With the models given, a name they type (``name=``, ``Index("...")``) is the team's: renamed, it
    left the models and the database disagreeing and ``alembic check`` dirty (Open WebUI, sweep 5).
    The names the database made up are renamed as before."""
    from sqlalchemy import Column, Index, MetaData, Table, Text, UniqueConstraint, Uuid

    from alembic_standards.naming import NAMING_CONVENTION
    from alembic_standards.rename import names_in_models

    metadata = MetaData(naming_convention=dict(NAMING_CONVENTION))
    Table(
        "item",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("owner", Text, nullable=False),
        Column("name", Text, nullable=False),
        Index("ix_item_owner_name", "owner", "name"),
        UniqueConstraint("owner", "name", name="uq_item_business_key"),
    )
    _execute(
        pg_url,
        [
            "CREATE TABLE item (id uuid PRIMARY KEY, owner text NOT NULL, name text NOT NULL,"
            " CONSTRAINT uq_item_business_key UNIQUE (owner, name))",
            "CREATE INDEX ix_item_owner_name ON item (owner, name)",
        ],
    )
    keep = names_in_models([metadata])
    assert keep == {(None, "item", "ix_item_owner_name"), (None, "item", "uq_item_business_key")}
    naming = NamingConvention()
    assert [r.describe() for r in plan_renames(pg_url, naming).renames] == [
        "primary key 'item_pkey' on item -> 'pk_item'",
        "unique constraint 'uq_item_business_key' on item -> 'uq_item_owner_name'",
        "index 'ix_item_owner_name' on item -> 'idx_item_owner_name'",
    ]
    plan = plan_renames(pg_url, naming, keep=keep)
    assert [r.describe() for r in plan.renames] == ["primary key 'item_pkey' on item -> 'pk_item'"]
    assert plan.skipped == (
        "unique constraint 'uq_item_business_key' on item keeps its name: the models name it so",
        "index 'ix_item_owner_name' on item keeps its name: the models name it so",
    )


# ------------------------------------------------------------------------------------------ SQLite
LEGACY_SQLITE = [
    "CREATE TABLE owner (id INTEGER NOT NULL PRIMARY KEY, email VARCHAR UNIQUE)",
    "CREATE TABLE item (id INTEGER NOT NULL, owner_id INTEGER REFERENCES owner (id),"
    " price INTEGER CHECK (price > 0), code VARCHAR(10), PRIMARY KEY (id), UNIQUE (owner_id, code))",
    "INSERT INTO owner (id, email) VALUES (1, 'a@example.com')",
    "INSERT INTO item (id, owner_id, price, code) VALUES (7, 1, 5, 'x')",
    "CREATE INDEX ix_item_code ON item (code)",
    "CREATE INDEX ix_item_owner_id ON item (owner_id)",
]


def _sqlite_names(url: str) -> dict[str, object]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        out: dict[str, object] = {}
        for table in ("owner", "item"):
            out[table] = {
                "pk": inspector.get_pk_constraint(table)["name"],
                "fk": [fk["name"] for fk in inspector.get_foreign_keys(table)],
                "uq": sorted(str(uq["name"]) for uq in inspector.get_unique_constraints(table)),
                "ck": sorted(str(ck["name"]) for ck in inspector.get_check_constraints(table)),
            }
        with engine.connect() as conn:
            out["indexes"] = conn.exec_driver_sql(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY 1, 2"
            ).all()
            out["rows"] = conn.exec_driver_sql("SELECT id, owner_id, price, code FROM item").all()
    finally:
        engine.dispose()
    return out


SQLITE_LEGACY_NAMES = {
    "owner": {"pk": None, "fk": [], "uq": ["None"], "ck": []},
    "item": {"pk": None, "fk": [None], "uq": ["None"], "ck": ["None"]},
    "indexes": [("item", "ix_item_code"), ("item", "ix_item_owner_id")],
    "rows": [(7, 1, 5, "x")],
}
SQLITE_CONVENTION_NAMES = {
    "owner": {"pk": "pk_owner", "fk": [], "uq": ["uq_owner_email"], "ck": []},
    "item": {"pk": "pk_item", "fk": ["fk_item_owner_id"], "uq": ["uq_item_owner_id_code"], "ck": ["ck_item_price"]},
    "indexes": [("item", "idx_item_code"), ("item", "idx_item_owner_id")],
    "rows": [(7, 1, 5, "x")],
}


def test_sqlite_legacy_schema_to_the_convention_and_back(sqlite_url: str, tmp_path: Path) -> None:
    _execute(sqlite_url, LEGACY_SQLITE)
    assert _sqlite_names(sqlite_url) == SQLITE_LEGACY_NAMES
    config = _project(tmp_path, MODELS.replace("sa.String(100)", "sa.String"))
    plan = plan_renames(sqlite_url, NamingConvention())
    write_revision(config, plan, rev_id="0001")
    checked = _standards_check(tmp_path)
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "All checks passed.\n")

    _alembic(tmp_path, sqlite_url, "upgrade", "head")
    assert _sqlite_names(sqlite_url) == SQLITE_CONVENTION_NAMES
    _alembic(tmp_path, sqlite_url, "downgrade", "-1")
    assert _sqlite_names(sqlite_url) == SQLITE_LEGACY_NAMES
    _alembic(tmp_path, sqlite_url, "upgrade", "head")
    assert _sqlite_names(sqlite_url) == SQLITE_CONVENTION_NAMES
    check = _alembic(tmp_path, sqlite_url, "check")
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    assert plan_renames(sqlite_url, NamingConvention()).renames == ()


def test_sqlite_rendered_operations(sqlite_url: str) -> None:
    _execute(
        sqlite_url,
        [
            "CREATE TABLE tag (id INTEGER NOT NULL, label TEXT, PRIMARY KEY (id))",
            "CREATE INDEX ix_tag_label ON tag (label)",
            "CREATE TABLE note (id INTEGER NOT NULL CONSTRAINT pk_note PRIMARY KEY, body TEXT)",
            "CREATE INDEX ix_note_body ON note (body)",
        ],
    )
    upgrade, downgrade = render_operations(plan_renames(sqlite_url, NamingConvention()))
    assert (
        upgrade
        == """\
op.drop_index('ix_note_body', table_name='note')
    op.create_index('idx_note_body', 'note', ['body'], unique=False)
    with op.batch_alter_table(
        'tag',
        recreate='always',
        copy_from=sa.Table(
            'tag',
            sa.MetaData(),
            sa.Column('id', sa.INTEGER(), nullable=False),
            sa.Column('label', sa.TEXT(), nullable=True),
            sa.PrimaryKeyConstraint('id', name='pk_tag'),
            sa.Index('idx_tag_label', 'label'),
        ),
    ):
        pass"""
    )
    assert (
        downgrade
        == """\
with op.batch_alter_table(
        'tag',
        recreate='always',
        copy_from=sa.Table(
            'tag',
            sa.MetaData(),
            sa.Column('id', sa.INTEGER(), nullable=False),
            sa.Column('label', sa.TEXT(), nullable=True),
            sa.PrimaryKeyConstraint('id'),
            sa.Index('ix_tag_label', 'label'),
        ),
    ):
        pass
    op.drop_index('idx_note_body', table_name='note')
    op.create_index('ix_note_body', 'note', ['body'], unique=False)"""
    )


def test_sqlite_refuses_a_rebuild_that_would_lose_a_unique_constraint(sqlite_url: str) -> None:
    # SQLAlchemy does not reflect a column-level UNIQUE after a parenthesised type.
    _execute(sqlite_url, ["CREATE TABLE owner (id INTEGER PRIMARY KEY, email VARCHAR(100) UNIQUE)"])
    with pytest.raises(StandardsError, match=r"table 'owner': it has a UNIQUE constraint that SQLAlchemy cannot"):
        plan_renames(sqlite_url, NamingConvention())


def test_write_revision_refuses_an_empty_plan_and_several_heads(sqlite_url: str, tmp_path: Path) -> None:
    from alembic import command

    config = _project(tmp_path)
    versions = tmp_path / "migrations" / "versions"
    _execute(sqlite_url, ["CREATE TABLE tag (id INTEGER NOT NULL CONSTRAINT pk_tag PRIMARY KEY)"])
    with pytest.raises(StandardsError, match="already follows the naming convention; nothing to write"):
        write_revision(config, plan_renames(sqlite_url, NamingConvention()))
    assert list(versions.glob("*.py")) == []

    _execute(sqlite_url, ["CREATE INDEX ix_tag_id ON tag (id)"])
    with contextlib.redirect_stdout(io.StringIO()):
        command.revision(config, "one", rev_id="aaa")
        command.revision(config, "two", rev_id="bbb", head="base", splice=True)
    with pytest.raises(StandardsError, match=r"the history has 2 heads \(aaa, bbb\); merge them first"):
        write_revision(config, plan_renames(sqlite_url, NamingConvention()))
    assert len(list(versions.glob("*.py"))) == 2


def test_write_revision_refuses_a_database_behind_the_history(sqlite_url: str, tmp_path: Path) -> None:
    from alembic import command

    config = _project(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        command.revision(config, "one", rev_id="aaa")
    _execute(sqlite_url, ["CREATE TABLE tag (id INTEGER NOT NULL, PRIMARY KEY (id))"])
    with pytest.raises(
        StandardsError, match=r"the database is at no revision, the history's head is aaa: run `alembic"
    ):
        write_revision(config, plan_renames(sqlite_url, NamingConvention()))
    _alembic(tmp_path, sqlite_url, "stamp", "head")
    assert write_revision(config, plan_renames(sqlite_url, NamingConvention())).is_file()


# ------------------------------------------------------------------------------------------ units
def test_convention_for_prefers_the_models_templates() -> None:
    base = NamingConvention()
    assert convention_for(None, base) is base
    assert convention_for(sa.MetaData(), base) is base  # SQLAlchemy's default ix_%(column_0_label)s
    custom = convention_for(
        sa.MetaData(
            naming_convention={"ix": "ix_%(table_name)s_%(column_0_N_name)s", sa.UniqueConstraint: "u_%(table_name)s"}
        ),
        base,
    )
    assert custom.index("t", ["a", "b"]) == "ix_t_a_b"
    assert custom.unique("t", ["a"]) == "u_t"
    assert custom.primary_key("t") == "pk_t"


# ------------------------------------------------------------------------------------------ the command
def test_command_writes_the_revision(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from alembic_standards.cli import main

    _execute(sqlite_url, ["CREATE TABLE tag (id INTEGER NOT NULL CONSTRAINT pk_tag PRIMARY KEY, label TEXT)"])
    _execute(sqlite_url, ["CREATE INDEX ix_tag_label ON tag (label)"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    _project(tmp_path)
    versions = tmp_path / "migrations" / "versions"

    assert main(["rename-constraints", "--database-url", sqlite_url, "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out == "rename index 'ix_tag_label' on tag -> 'idx_tag_label'\n"
    assert err.endswith("1 rename(s) planned for " + sqlite_url + "; nothing written (--dry-run)\n")
    assert list(versions.glob("*.py")) == []
    # Models that type the index's name keep it (--metadata).
    (tmp_path / "typed_models.py").write_text(
        "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
        "sa.Table('tag', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('label', sa.Text),"
        " sa.Index('ix_tag_label', 'label'))\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    args = ["rename-constraints", "--database-url", sqlite_url, "--dry-run", "--metadata", "typed_models:metadata"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out == "skip index 'ix_tag_label' on tag keeps its name: the models name it so\n"
    assert err.endswith("every constraint and index already follows the naming convention\n")

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["rename-constraints", "-m", "adopt the convention"]) == 0
    out, err = capsys.readouterr()
    assert out == "rename index 'ix_tag_label' on tag -> 'idx_tag_label'\n"  # no "Generating ..." chatter
    (path,) = versions.glob("*.py")
    assert path.read_text(encoding="utf-8").startswith('"""adopt the convention\n')
    assert err.startswith(f"wrote migrations/versions/{path.name} (1 rename(s) for {sqlite_url})")

    _alembic(tmp_path, sqlite_url, "upgrade", "head")
    assert main(["rename-constraints"]) == 0
    assert capsys.readouterr().err.endswith("every constraint and index already follows the naming convention\n")


def test_command_refuses_clashes_and_hides_passwords(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from alembic_standards.cli import main

    _execute(
        sqlite_url,
        ["CREATE TABLE tag (id INTEGER, label TEXT)", "CREATE INDEX a ON tag (label)", "CREATE INDEX b ON tag (label)"],
    )
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    assert main(["rename-constraints", "--database-url", sqlite_url]) == 2
    assert "both would be named 'idx_tag_label'" in capsys.readouterr().err
    assert list((tmp_path / "migrations" / "versions").glob("*.py")) == []

    assert main(["rename-constraints", "--database-url", "postgresql+psycopg://u:s3cret@127.0.0.1:1/x"]) == 2
    err = capsys.readouterr().err
    assert "cannot read database postgresql+psycopg://u:***@127.0.0.1:1/x" in err
    assert "s3cret" not in err

    (tmp_path / "alembic.ini").unlink()
    assert main(["rename-constraints", "--database-url", sqlite_url]) == 2
    assert "no Alembic project here" in capsys.readouterr().err
