"""The autogenerate plugin: FK indexes, convention names, layout, fixed point, safety, cost.

Every scenario asserts the exact rendered upgrade/downgrade and then runs the migration on a real
database (PostgreSQL: upgrade, downgrade, upgrade, then the catalog has no uncovered FK and no
system-named constraint; SQLite through batch mode).  The fixed point is asserted with a second
autogenerate (empty) and ``alembic check``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from autogen_support import PLUGINS, Project, catalog_facts, user_tables
from sqlalchemy import event

from alembic_standards import NAMING_CONVENTION
from alembic_standards.autogenerate import arrange_operations
from alembic_standards.config import Config

# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


def blog(*, convention: bool = False, declare_indexes: bool = False) -> sa.MetaData:
    """users / posts / post_tags: single, self-referential, composite-PK junction FKs."""
    md = sa.MetaData(naming_convention=dict(NAMING_CONVENTION)) if convention else sa.MetaData()
    sa.Table(
        "users",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(100), nullable=False, unique=True),
        sa.Column("age", sa.Integer, sa.CheckConstraint("age >= 0")),
    )
    sa.Table(
        "posts",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=declare_indexes),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("posts.id"), index=declare_indexes),
        sa.Column("created_at", sa.DateTime(timezone=True)),
    )
    sa.Table(
        "post_tags",
        md,
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        # the composite PK covers post_id only; user_id is covered by this named index:
        sa.Index("ix_pt", "user_id", "post_id"),
    )
    return md


BLOG_UPGRADE = """\
op.create_table('users',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('email', sa.String(length=100), nullable=False),
sa.Column('age', sa.Integer(), nullable=True),
sa.CheckConstraint('age >= 0', name=op.f('ck_users_age')),
sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
sa.UniqueConstraint('email', name=op.f('uq_users_email'))
)
op.create_table('posts',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('user_id', sa.Integer(), nullable=False),
sa.Column('parent_id', sa.Integer(), nullable=True),
sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
sa.ForeignKeyConstraint(['parent_id'], ['posts.id'], name=op.f('fk_posts_parent_id')),
sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_posts_user_id')),
sa.PrimaryKeyConstraint('id', name=op.f('pk_posts'))
)
op.create_table('post_tags',
sa.Column('post_id', sa.Integer(), nullable=False),
sa.Column('user_id', sa.Integer(), nullable=False),
sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_tags_post_id')),
sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_post_tags_user_id')),
sa.PrimaryKeyConstraint('post_id', 'user_id', name=op.f('pk_post_tags'))
)
op.create_index(op.f('idx_posts_parent_id'), 'posts', ['parent_id'], unique=False)
op.create_index(op.f('idx_posts_user_id'), 'posts', ['user_id'], unique=False)
op.create_index('ix_pt', 'post_tags', ['user_id', 'post_id'], unique=False)"""

BLOG_DOWNGRADE = """\
op.drop_index('ix_pt', table_name='post_tags')
op.drop_index(op.f('idx_posts_user_id'), table_name='posts')
op.drop_index(op.f('idx_posts_parent_id'), table_name='posts')
op.drop_table('post_tags')
op.drop_table('posts')
op.drop_table('users')"""


def config(**kwargs: object) -> Config:
    return Config(root=Path.cwd(), **kwargs)  # type: ignore[arg-type]


def assert_catalog_clean(url: str) -> None:
    uncovered, system_named = catalog_facts(url)
    assert uncovered == []
    assert system_named == []


# ---------------------------------------------------------------------------------------------
# New tables: exact text, runs both ways, catalog facts, fixed point
# ---------------------------------------------------------------------------------------------


def test_new_tables_postgresql(tmp_path: Path, pg_url: str) -> None:
    project = Project(tmp_path, pg_url)
    md = blog()
    rev = project.revision(md)
    assert rev.upgrade == BLOG_UPGRADE
    assert rev.downgrade == BLOG_DOWNGRADE
    project.round_trip(md)
    assert_catalog_clean(pg_url)
    project.check(md)
    second = project.revision(md)
    assert (second.upgrade, second.downgrade) == ("pass", "pass")


def test_new_tables_sqlite(tmp_path: Path, sqlite_url: str) -> None:
    project = Project(tmp_path, sqlite_url)
    md = blog()
    rev = project.revision(md)
    assert "batch_op.create_index(batch_op.f('idx_posts_user_id'), ['user_id'], unique=False)" in rev.upgrade
    assert rev.upgrade.index("op.create_table('post_tags'") < rev.upgrade.index("batch_alter_table('posts'")
    project.round_trip(md)
    assert user_tables(sqlite_url) == ["post_tags", "posts", "users"]
    project.check(md)
    assert project.revision(md).upgrade == "pass"


@pytest.mark.parametrize(
    ("convention", "declare_indexes"),
    [(False, False), (False, True), (True, False), (True, True)],
    ids=["plain", "plain+index=True", "convention", "convention+index=True"],
)
def test_fixed_point_postgresql(tmp_path: Path, pg_url: str, convention: bool, declare_indexes: bool) -> None:
    """Whatever the models declare, the second autogenerate is empty and check passes."""
    project = Project(tmp_path, pg_url)
    md = blog(convention=convention, declare_indexes=declare_indexes)
    rev = project.revision(md)
    # Same names whether the models use SQLAlchemy's default ix_ names, ours, or none.
    assert rev.upgrade == BLOG_UPGRADE
    project.upgrade(md)
    assert_catalog_clean(pg_url)
    project.check(md)
    assert project.revision(md).upgrade == "pass"


def test_models_switching_between_declared_and_implicit_indexes(tmp_path: Path, pg_url: str) -> None:
    """DB built from models without index=True; models then declare index=True (ix_ names):
    nothing to do, in either direction."""
    project = Project(tmp_path, pg_url)
    project.revision(blog())
    project.upgrade(blog())
    project.check(blog(declare_indexes=True))
    project.check(blog(convention=True, declare_indexes=True))
    project.check(blog())


# ---------------------------------------------------------------------------------------------
# Existing tables
# ---------------------------------------------------------------------------------------------


def _accounts(with_owner: bool) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True))
    columns = [sa.Column("id", sa.Integer, primary_key=True)]
    if with_owner:
        columns.append(sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE")))
    sa.Table("accounts", md, *columns)
    return md


EXISTING_UPGRADE = """\
op.add_column('accounts', sa.Column('owner_id', sa.Integer(), nullable=True))
op.create_foreign_key(op.f('fk_accounts_owner_id'), 'accounts', 'users', ['owner_id'], ['id'], ondelete='CASCADE')
op.create_index(op.f('idx_accounts_owner_id'), 'accounts', ['owner_id'], unique=False)"""

EXISTING_DOWNGRADE = """\
op.drop_index(op.f('idx_accounts_owner_id'), table_name='accounts')
op.drop_constraint(op.f('fk_accounts_owner_id'), 'accounts', type_='foreignkey')
op.drop_column('accounts', 'owner_id')"""


def test_new_fk_column_on_existing_table(tmp_path: Path, pg_url: str) -> None:
    project = Project(tmp_path, pg_url)
    project.revision(_accounts(False))
    project.upgrade(_accounts(False))
    rev = project.revision(_accounts(True))
    assert rev.upgrade == EXISTING_UPGRADE
    assert rev.downgrade == EXISTING_DOWNGRADE
    project.round_trip(_accounts(True))
    assert_catalog_clean(pg_url)
    project.check(_accounts(True))


CONCURRENT_UPGRADE = (
    "op.add_column('accounts', sa.Column('owner_id', sa.Integer(), nullable=True))\n"
    "op.create_foreign_key(op.f('fk_accounts_owner_id'), 'accounts', 'users', ['owner_id'], ['id'], "
    "ondelete='CASCADE')\n"
    "with op.get_context().autocommit_block():\n"
    "    op.create_index(op.f('idx_accounts_owner_id'), 'accounts', ['owner_id'], unique=False, "
    "postgresql_concurrently=True)"
)

CONCURRENT_DOWNGRADE = """\
with op.get_context().autocommit_block():
    op.drop_index(op.f('idx_accounts_owner_id'), table_name='accounts', postgresql_concurrently=True)

op.drop_constraint(op.f('fk_accounts_owner_id'), 'accounts', type_='foreignkey')
op.drop_column('accounts', 'owner_id')"""


def test_concurrent_indexes_on_existing_postgresql_tables(tmp_path: Path, pg_url: str) -> None:
    project = Project(tmp_path, pg_url, config=config(concurrent_indexes=True))
    first = project.revision(_accounts(False))
    assert "concurrently" not in first.upgrade  # new tables: plain CREATE INDEX
    project.upgrade(_accounts(False))
    rev = project.revision(_accounts(True))
    assert rev.upgrade == CONCURRENT_UPGRADE
    assert rev.downgrade == CONCURRENT_DOWNGRADE
    project.round_trip(_accounts(True))
    assert_catalog_clean(pg_url)
    project.check(_accounts(True))
    assert project.revision(_accounts(True)).upgrade == "pass"


def test_concurrent_option_is_ignored_on_sqlite(tmp_path: Path, sqlite_url: str) -> None:
    project = Project(tmp_path, sqlite_url, config=config(concurrent_indexes=True))
    project.revision(_accounts(False))
    project.upgrade(_accounts(False))
    rev = project.revision(_accounts(True))
    assert "autocommit_block" not in rev.upgrade
    assert "batch_op.create_index(batch_op.f('idx_accounts_owner_id'), ['owner_id'], unique=False)" in rev.upgrade
    project.round_trip(_accounts(True))
    project.check(_accounts(True))


def test_hand_made_index_that_models_do_not_declare_is_replaced_by_ours(tmp_path: Path, pg_url: str) -> None:
    """A DB index with a non-convention name that the models do not declare: Alembic drops it,
    and the FK must then get ours (coverage never counts an index being dropped)."""
    project = Project(tmp_path, pg_url)
    project.revision(_accounts(True))
    project.upgrade(_accounts(True))
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX idx_accounts_owner_id"))
        conn.execute(sa.text("CREATE INDEX handmade ON accounts (owner_id)"))
    engine.dispose()
    rev = project.revision(_accounts(True))
    assert rev.upgrade == (
        "op.drop_index(op.f('handmade'), table_name='accounts')\n"
        "op.create_index(op.f('idx_accounts_owner_id'), 'accounts', ['owner_id'], unique=False)"
    )
    project.upgrade(_accounts(True))
    assert_catalog_clean(pg_url)


# ---------------------------------------------------------------------------------------------
# Coverage cases and exceptions
# ---------------------------------------------------------------------------------------------


def _coverage_models(exception: object = None) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "parents",
        md,
        sa.Column("a", sa.Integer, primary_key=True),
        sa.Column("b", sa.Integer, primary_key=True),
    )
    info = {"alembic_standards": {"exceptions": {"AS201": exception}}} if exception is not None else {}
    sa.Table(
        "events",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("pa", sa.Integer),
        sa.Column("pb", sa.Integer),
        sa.Column("audit_user_id", sa.Integer, sa.ForeignKey("users.id"), info=info),
        sa.ForeignKeyConstraint(["pa", "pb"], ["parents.a", "parents.b"]),
        sa.Index("events_by_user", "user_id", "created_at"),  # covers user_id
        sa.Index("events_pa", "pa"),  # does not cover (pa, pb)
    )
    return md


def test_coverage_composite_and_exception(tmp_path: Path, pg_url: str) -> None:
    project = Project(tmp_path, pg_url)
    md = _coverage_models(exception="Audit columns are never joined; written once by a trigger.")
    rev = project.revision(md)
    created = [line for line in rev.upgrade.splitlines() if "create_index" in line]
    assert created == [
        "op.create_index('events_by_user', 'events', ['user_id', 'created_at'], unique=False)",
        "op.create_index('events_pa', 'events', ['pa'], unique=False)",
        "op.create_index(op.f('idx_events_pa_pb'), 'events', ['pa', 'pb'], unique=False)",
    ]
    project.round_trip(md)
    uncovered, system_named = catalog_facts(pg_url)
    assert uncovered == [("events", "fk_events_audit_user_id")]  # the documented exception
    assert system_named == []
    project.check(md)


@pytest.mark.parametrize(
    "exception",
    ["", {"reason": "expired", "expires": "2000-01-01"}],
    ids=["no-reason", "expired"],
)
def test_invalid_exception_does_not_suppress(tmp_path: Path, sqlite_url: str, exception: object) -> None:
    project = Project(tmp_path, sqlite_url)
    rev = project.revision(_coverage_models(exception=exception))
    assert "idx_events_audit_user_id" in rev.upgrade


def test_config_exception_entry_suppresses(tmp_path: Path, sqlite_url: str) -> None:
    from alembic_standards.config import ExceptionEntry

    entry = ExceptionEntry(rule="AS201", reason="write-only audit column", table="events", column="audit_user_id")
    project = Project(tmp_path, sqlite_url, config=config(exceptions=(entry,)))
    rev = project.revision(_coverage_models())
    assert "idx_events_audit_user_id" not in rev.upgrade
    assert "idx_events_pa_pb" in rev.upgrade


# ---------------------------------------------------------------------------------------------
# Names: user-named objects kept, long names truncated like SQLAlchemy
# ---------------------------------------------------------------------------------------------


def test_explicit_names_are_kept_and_long_names_truncated(tmp_path: Path, pg_url: str) -> None:
    md = sa.MetaData()
    sa.Table(
        "users",
        md,
        sa.Column("id", sa.Integer, primary_key=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="users_primary"),
    )
    long_table = "t" * 40
    sa.Table(
        long_table,
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a_rather_long_user_reference_id", sa.Integer, sa.ForeignKey("users.id", name="my_fk")),
        sa.UniqueConstraint("id", "a_rather_long_user_reference_id", name="my_unique"),
    )
    project = Project(tmp_path, pg_url)
    rev = project.revision(md)
    assert "sa.PrimaryKeyConstraint('id', name='users_primary')" in rev.upgrade
    assert "name='my_fk'" in rev.upgrade
    assert "sa.UniqueConstraint('id', 'a_rather_long_user_reference_id', name='my_unique')" in rev.upgrade
    full = f"idx_{long_table}_a_rather_long_user_reference_id"
    truncated = full[:55] + "_" + hashlib.md5(full.encode()).hexdigest()[-4:]  # SQLAlchemy's scheme
    assert len(truncated) == 60
    assert (
        f"op.create_index(op.f('{truncated}'), '{long_table}', ['a_rather_long_user_reference_id'], unique=False)"
    ) in rev.upgrade
    project.round_trip(md)
    assert_catalog_clean(pg_url)
    project.check(md)


# ---------------------------------------------------------------------------------------------
# Safety: reserved words, mixed case, hostile identifiers
# ---------------------------------------------------------------------------------------------

HOSTILE = "o'brien\"; import os"


def _hostile_models() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("user", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "order",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user", sa.Integer, sa.ForeignKey("user.id")),
    )
    sa.Table(
        HOSTILE,
        md,
        # autoincrement=False: Alembic 1.20.1's PostgreSQL column_reflect hook mis-quotes the
        # serial sequence name of a table whose name contains a quote (upstream bug, not ours).
        sa.Column("Id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("Order Ref", sa.Integer, sa.ForeignKey("order.id")),
    )
    sa.Table(
        "MixedCase",
        md,
        sa.Column("Id", sa.Integer, primary_key=True),
        sa.Column("OwnerId", sa.Integer, sa.ForeignKey("user.id")),
        sa.UniqueConstraint("OwnerId", "Id"),
    )
    return md


HOSTILE_UPGRADE = r"""
op.create_table('user',
sa.Column('id', sa.Integer(), nullable=False),
sa.PrimaryKeyConstraint('id', name=op.f('pk_user'))
)
op.create_table('MixedCase',
sa.Column('Id', sa.Integer(), nullable=False),
sa.Column('OwnerId', sa.Integer(), nullable=True),
sa.ForeignKeyConstraint(['OwnerId'], ['user.id'], name=op.f('fk_MixedCase_OwnerId')),
sa.PrimaryKeyConstraint('Id', name=op.f('pk_MixedCase')),
sa.UniqueConstraint('OwnerId', 'Id', name=op.f('uq_MixedCase_OwnerId_Id'))
)
op.create_table('order',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('user', sa.Integer(), nullable=True),
sa.ForeignKeyConstraint(['user'], ['user.id'], name=op.f('fk_order_user')),
sa.PrimaryKeyConstraint('id', name=op.f('pk_order'))
)
op.create_table('o\'brien"; import os',
sa.Column('Id', sa.Integer(), autoincrement=False, nullable=False),
sa.Column('Order Ref', sa.Integer(), nullable=True),
sa.ForeignKeyConstraint(['Order Ref'], ['order.id'], name=op.f('fk_o\'brien"; import os_Order Ref')),
sa.PrimaryKeyConstraint('Id', name=op.f('pk_o\'brien"; import os'))
)
op.create_index(op.f('idx_order_user'), 'order', ['user'], unique=False)
op.create_index(op.f('idx_o\'brien"; import os_Order Ref'), 'o\'brien"; import os', ['Order Ref'], unique=False)
"""

HOSTILE_DOWNGRADE = r"""
op.drop_index(op.f('idx_o\'brien"; import os_Order Ref'), table_name='o\'brien"; import os')
op.drop_index(op.f('idx_order_user'), table_name='order')
op.drop_table('o\'brien"; import os')
op.drop_table('order')
op.drop_table('MixedCase')
op.drop_table('user')
"""


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_reserved_and_hostile_identifiers(tmp_path: Path, request: pytest.FixtureRequest, backend: str) -> None:
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    project = Project(tmp_path, url)
    md = _hostile_models()
    rev = project.revision(md)
    if backend == "postgresql":
        assert rev.upgrade == HOSTILE_UPGRADE.strip("\n")
        assert rev.downgrade == HOSTILE_DOWNGRADE.strip("\n")
    assert "op.create_table('o\\'brien\"; import os'," in rev.upgrade
    expected_index = "op.f('idx_o\\'brien\"; import os_Order Ref')"
    assert expected_index in rev.upgrade or expected_index.replace("op.f", "batch_op.f") in rev.upgrade
    project.round_trip(md)
    assert sorted(user_tables(url)) == sorted(["user", "order", HOSTILE, "MixedCase"])
    if backend == "postgresql":
        assert_catalog_clean(url)
    project.check(md)


# ---------------------------------------------------------------------------------------------
# Layout and reversibility
# ---------------------------------------------------------------------------------------------


def _autogen_context(conn: sa.Connection, md: sa.MetaData, cfg: Config | None = None) -> AutogenContext:
    ctx = MigrationContext.configure(
        conn, opts={"target_metadata": md, "autogenerate_plugins": PLUGINS, "alembic_standards_config": cfg or config()}
    )
    return AutogenContext(ctx, md)


def test_layout_tables_then_indexes_then_data(sqlite_url: str) -> None:
    engine = sa.create_engine(sqlite_url)
    md = sa.MetaData()
    table = sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("c", sa.Integer))
    data = ops.ExecuteSQLOp("SELECT 1")
    data.reverse = lambda: ops.ExecuteSQLOp("SELECT 2")  # type: ignore[method-assign]  # a reversible data step
    upgrade = ops.UpgradeOps(
        [
            data,
            ops.ModifyTableOps(
                "t", [ops.CreateIndexOp("ix_c", "t", ["c"]), ops.AddColumnOp("t", sa.Column("d", sa.Integer))]
            ),
            ops.CreateTableOp.from_table(table),
            ops.ModifyTableOps("t", [ops.CreateIndexOp("uq_c", "t", ["c"], unique=True)]),
        ]
    )
    with engine.connect() as conn:
        arrange_operations(_autogen_context(conn, md), upgrade)
    kinds = [
        type(op).__name__ if not isinstance(op, ops.ModifyTableOps) else [type(o).__name__ for o in op.ops]
        for op in upgrade.ops
    ]
    assert kinds == [["AddColumnOp"], "CreateTableOp", ["CreateIndexOp"], ["CreateIndexOp"], "ExecuteSQLOp"]
    assert upgrade.ops[2].ops[0].unique is True  # type: ignore[attr-defined]  # unique stays with the structure
    assert table.primary_key.name is None  # the user's table was not renamed in place
    engine.dispose()


def test_irreversible_op_is_reported_not_crashed(sqlite_url: str) -> None:
    engine = sa.create_engine(sqlite_url)
    md = sa.MetaData()
    upgrade = ops.UpgradeOps([ops.ModifyTableOps("t", [ops.ExecuteSQLOp("UPDATE t SET x = 1")])])
    with engine.connect() as conn, pytest.raises(CommandError) as info:
        arrange_operations(_autogen_context(conn, md), upgrade)
    assert "ExecuteSQLOp (sqltext='UPDATE t SET x = 1')" in str(info.value)
    assert "cannot be reversed" in str(info.value)
    engine.dispose()


def test_config_error_is_a_command_error(tmp_path: Path, sqlite_url: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.alembic_standards]\nconcurent_indexes = true\n")
    project = Project(tmp_path / "p", sqlite_url, config=None)  # type: ignore[arg-type]
    project.extra_options["alembic_standards_config"] = str(pyproject)
    with pytest.raises(CommandError) as info:
        project.revision(blog())
    assert f"{pyproject}:2: [tool.alembic_standards] concurent_indexes: unknown key" in str(info.value)
    assert not list((tmp_path / "p" / "migrations" / "versions").glob("*.py"))


def _fresh_alembic_init_project(directory: Path, pyproject: str) -> None:
    """What a newcomer has: `alembic init`, the models, and line 1 added to env.py."""
    (directory / "pyproject.toml").write_text(pyproject)
    (directory / "models.py").write_text(
        textwrap.dedent(
            """
            import sqlalchemy as sa
            metadata = sa.MetaData()
            sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
            sa.Table("posts", metadata, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("user_id", sa.ForeignKey("users.id")))
            """
        )
    )
    subprocess.run(
        [sys.executable, "-m", "alembic", "init", "migrations"], cwd=directory, check=True, capture_output=True
    )
    env = (directory / "migrations" / "env.py").read_text()
    env = env.replace("target_metadata = None", "from models import metadata as target_metadata")
    env = env.replace(
        "target_metadata=target_metadata\n",
        'target_metadata=target_metadata, autogenerate_plugins=["alembic.autogenerate.*", "alembic_standards.*"]\n',
    )
    (directory / "migrations" / "env.py").write_text(env)
    ini = (directory / "alembic.ini").read_text()
    (directory / "alembic.ini").write_text(
        ini.replace("driver://user:pass@localhost/dbname", f"sqlite:///{directory}/x.db")
    )


def _alembic_cli(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    elsewhere = directory / "elsewhere"  # not the project directory: discovery starts at alembic.ini
    elsewhere.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(directory / "alembic.ini"), *args],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(directory)},
        check=False,
    )


def test_config_is_discovered_next_to_the_alembic_ini(tmp_path: Path) -> None:
    """`alembic revision --autogenerate` from the CLI: the pyproject next to alembic.ini rules."""
    _fresh_alembic_init_project(
        tmp_path, '[tool.alembic_standards]\nnaming_convention = { ix = "ix_%(table_name)s_%(column_0_N_name)s" }\n'
    )
    result = _alembic_cli(tmp_path, "revision", "--autogenerate", "-m", "x")
    assert result.returncode == 0, result.stderr
    text = next((tmp_path / "migrations" / "versions").glob("*.py")).read_text()
    assert "op.create_index(op.f('ix_posts_user_id'), 'posts', ['user_id'], unique=False)" in text
    assert "sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_posts_user_id'))" in text


def test_config_error_from_the_cli(tmp_path: Path) -> None:
    _fresh_alembic_init_project(tmp_path, "[tool.alembic_standards]\nconcurrent_indexes = 'yes'\n")
    result = _alembic_cli(tmp_path, "revision", "--autogenerate", "-m", "x")
    assert result.returncode == 255
    assert result.stdout.startswith(
        f"FAILED: {tmp_path / 'pyproject.toml'}:2: [tool.alembic_standards] concurrent_indexes: "
        "expected true or false, got 'yes'"
    ), result.stdout
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "migrations" / "versions").glob("*.py"))


# ---------------------------------------------------------------------------------------------
# Cost: no extra SQL
# ---------------------------------------------------------------------------------------------


def _statement_count(url: str, md: sa.MetaData, plugins: list[str]) -> int:
    engine = sa.create_engine(url)
    statements: list[str] = []
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={"target_metadata": md, "autogenerate_plugins": plugins, "alembic_standards_config": config()},
            )
            event.listen(conn, "before_cursor_execute", lambda *args: statements.append(args[2]))
            produce_migrations(ctx, md)
    finally:
        engine.dispose()
    return len(statements)


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_plugin_adds_no_sql_round_trip(tmp_path: Path, request: pytest.FixtureRequest, backend: str) -> None:
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    project = Project(tmp_path, url)
    project.revision(_accounts(False))
    project.upgrade(_accounts(False))  # existing tables: the interesting (reflecting) case
    models = blog()
    for table in _accounts(True).tables.values():
        if table.name != "users":
            table.to_metadata(models)
    without = _statement_count(url, models, ["alembic.autogenerate.*"])
    with_plugin = _statement_count(url, models, PLUGINS)
    assert without > 0
    assert with_plugin == without


# ---------------------------------------------------------------------------------------------
# Packaging: the entry point, and `import alembic` with the plugin installed
# ---------------------------------------------------------------------------------------------


def test_import_alembic_in_a_fresh_interpreter_loads_the_plugin() -> None:
    code = textwrap.dedent(
        """
        import sys
        import alembic
        from importlib.metadata import entry_points
        eps = {ep.name: ep.value for ep in entry_points(group="alembic.plugins")}
        assert eps.get("alembic_standards.autogenerate") == "alembic_standards.plugin", eps
        from alembic.runtime.plugins import _all_plugins
        plugin = _all_plugins["alembic_standards.autogenerate"]
        assert "alembic_standards.autogenerate" not in sys.modules  # loaded lazily, on first use
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert result.stderr == ""


# ---------------------------------------------------------------------------------------------
# Name-only differences and schemas
# ---------------------------------------------------------------------------------------------


def _emails(naming_convention: dict[str, str] | None) -> sa.MetaData:
    md = sa.MetaData(naming_convention=naming_convention) if naming_convention else sa.MetaData()
    sa.Table(
        "people",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(50), unique=True),
        sa.Column("nick", sa.String(50), index=True),
    )
    return md


def test_user_convention_names_are_kept_and_never_churn(tmp_path: Path, pg_url: str) -> None:
    """Models named by the team's *own* convention keep those names (ours fill only the gaps:
    the primary key here), and the next autogenerate is empty."""
    theirs = {"uq": "unique_%(table_name)s_%(column_0_name)s", "ix": "index_%(column_0_label)s"}
    project = Project(tmp_path, pg_url)
    rev = project.revision(_emails(theirs))
    assert "sa.UniqueConstraint('email', name=op.f('unique_people_email'))" in rev.upgrade
    assert "sa.PrimaryKeyConstraint('id', name=op.f('pk_people'))" in rev.upgrade
    assert "op.create_index(op.f('index_people_nick'), 'people', ['nick'], unique=False)" in rev.upgrade
    project.upgrade(_emails(theirs))
    assert_catalog_clean(pg_url)
    project.check(_emails(theirs))
    assert project.revision(_emails(theirs)).upgrade == "pass"


def test_foreign_keys_across_schemas(tmp_path: Path, pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA billing"))
    engine.dispose()
    md = sa.MetaData()
    sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "ledger",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
        schema="billing",
    )
    sa.Table(
        "invoices",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ledger_id", sa.Integer, sa.ForeignKey("billing.ledger.id")),
    )
    project = Project(tmp_path, pg_url, extra_options={"include_schemas": True})
    rev = project.revision(md)
    assert "sa.ForeignKeyConstraint(['ledger_id'], ['billing.ledger.id'], name=op.f('fk_invoices_ledger_id'))" in (
        rev.upgrade
    )
    assert (
        "op.create_index(op.f('idx_ledger_user_id'), 'ledger', ['user_id'], unique=False, schema='billing')"
        in rev.upgrade
    )
    assert "op.create_index(op.f('idx_invoices_ledger_id'), 'invoices', ['ledger_id'], unique=False)" in rev.upgrade
    project.round_trip(md)
    assert_catalog_clean(pg_url)
    project.check(md)


def test_model_exception_declarations_stay_out_of_migrations(tmp_path: Path, sqlite_url: str) -> None:
    md = sa.MetaData()
    declared = {"alembic_standards": {"exceptions": {"AS101": "sequential ids"}}, "owner": "team-a"}
    table = sa.Table("logs", md, sa.Column("id", sa.Integer, primary_key=True), info=declared)
    rev = Project(tmp_path, sqlite_url).revision(md)
    assert "info={'owner': 'team-a'}" in rev.upgrade
    assert "alembic_standards" not in rev.upgrade
    assert table.info == declared  # the model keeps its declaration


def test_dropping_an_fk_column_drops_its_index_first(tmp_path: Path, pg_url: str) -> None:
    project = Project(tmp_path, pg_url)
    project.revision(_accounts(True))
    project.upgrade(_accounts(True))
    rev = project.revision(_accounts(False))
    assert rev.upgrade == EXISTING_DOWNGRADE
    assert rev.downgrade == (
        "op.add_column('accounts', sa.Column('owner_id', sa.INTEGER(), autoincrement=False, nullable=True))\n"
        "op.create_foreign_key(op.f('fk_accounts_owner_id'), 'accounts', 'users', ['owner_id'], ['id'], "
        "ondelete='CASCADE')\n"
        "op.create_index(op.f('idx_accounts_owner_id'), 'accounts', ['owner_id'], unique=False)"
    )
    project.round_trip(_accounts(False))
    project.downgrade(_accounts(True), "r001")  # the index comes back with the column and its FK
    assert_catalog_clean(pg_url)


# ---------------------------------------------------------------------------------------------
# Native enum types: the downgrade drops what the upgrade's tables create
# ---------------------------------------------------------------------------------------------


def _renders_create_type() -> bool:
    """SQLAlchemy 2.1 writes ``create_type=False`` into a rendered ``postgresql.ENUM``; 2.0 leaves it
    out, so a migration made there creates the type after all (what alembic-postgresql-enum mends)."""
    from sqlalchemy.dialects import postgresql

    return "create_type=False" in repr(postgresql.ENUM("a", name="x", create_type=False))


def _accounts_with_enums() -> sa.MetaData:
    """Two tables share one enum type; one has its own (in an array); one type exists already
    (``create_type=False``, where SQLAlchemy renders it so)."""
    from sqlalchemy.dialects import postgresql

    md = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))
    status = sa.Enum("active", "banned", name="account_status")
    existing = (
        [sa.Column("tier", postgresql.ENUM("free", "paid", name="tier", create_type=False), nullable=True)]
        if _renders_create_type()
        else []
    )
    sa.Table(
        "accounts",
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("status", status, nullable=False),
        *existing,
    )
    sa.Table(
        "invitations",
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("status", status, nullable=False),
        sa.Column("channels", postgresql.ARRAY(sa.Enum("mail", "sms", name="Channel")), nullable=True),
        sa.Column("kind", sa.Enum("a", "b", name="kind", native_enum=False), nullable=True),
    )
    return md


def test_enum_types_the_upgrade_creates_are_dropped_by_the_downgrade(tmp_path: Path, pg_url: str) -> None:
    """Warehouse (sweep 4): Alembic's drop_table leaves the type, and upgrade -> downgrade -> upgrade
    failed with DuplicateObject.  Each type is dropped once, after the last table using it; the
    quoted name keeps its case; a type the table does not create (create_type=False) is left."""
    import alembic_standards

    with sa.create_engine(pg_url).begin() as conn:
        conn.execute(sa.text("CREATE TYPE tier AS ENUM ('free', 'paid')"))
    hook = {"process_revision_directives": alembic_standards.process_revision_directives}
    project = Project(tmp_path, pg_url, extra_options=hook)
    md = _accounts_with_enums()
    rev = project.revision(md)
    assert rev.downgrade == (
        "op.drop_table('invitations')\n"
        """op.execute('DROP TYPE IF EXISTS "Channel"')\n"""
        "op.drop_table('accounts')\n"
        "op.execute('DROP TYPE IF EXISTS account_status')"
    )
    project.round_trip(md)
    project.check(md)
    project.downgrade(md)
    with sa.create_engine(pg_url).connect() as conn:
        types = conn.execute(sa.text("SELECT typname FROM pg_type WHERE typtype = 'e' ORDER BY typname")).scalars()
        assert list(types) == ["tier"]  # made before the migration, left by it (used or not)
