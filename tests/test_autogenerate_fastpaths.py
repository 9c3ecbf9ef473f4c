"""The autogenerate plugin's shortcuts give exactly what the general way gives.

Performance work in ``alembic_standards/autogenerate.py`` replaced three expensive steps with
cheaper ones (benchmarks: the plugin was 3-100x slower than plain Alembic).  Each shortcut has a
general, slow way it must agree with; these tests hold them equal on the cases that matter, so a
later SQLAlchemy/Alembic release that changes a detail fails here rather than in a user's migration:

* naming the constraints of a created table without copying the table
  (``_named_table_copy`` vs ``_named_table_copy_full``): same rendered ``create_table``, same
  downgrade, the user's models untouched;
* reading an index op's columns without building the index (``_index_op_columns`` vs
  ``index_column_names(op.to_index())``);
* judging stock ops' reversibility by type (``_reverse_failure`` vs calling ``op.reverse()``);
* the exceptions register is collected once per autogenerate run, not per table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from autogen_support import PLUGINS

from alembic_standards import NAMING_CONVENTION
from alembic_standards.autogenerate import (
    _index_op_columns,
    _named_table_copy,
    _named_table_copy_full,
    _reverse_failure,
)
from alembic_standards.config import Config
from alembic_standards.exceptions import INFO_KEY, ExceptionRegister
from alembic_standards.naming import NamingConvention, index_column_names

NAMING = NamingConvention()


# ---------------------------------------------------------------------------------------------
# Naming a created table's constraints
# ---------------------------------------------------------------------------------------------


def _tables(md: sa.MetaData) -> dict[str, sa.Table]:
    sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True), schema=None)
    cases: dict[str, sa.Table] = {}

    def add(name: str, *args: Any, **kw: Any) -> None:
        cases[name] = sa.Table(name, md, *args, **kw)

    add("implicit_pk", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(10)))
    add(
        "composite_pk",
        sa.Column("a", sa.Integer),
        sa.Column("b", sa.Integer),
        sa.PrimaryKeyConstraint("b", "a"),
    )
    add("all_named", sa.Column("id", sa.Integer), sa.PrimaryKeyConstraint("id", name="my_pk"))
    add(  # one FK declared twice: the unnamed twin must not take the named one's name
        "twins",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id")),
        sa.ForeignKeyConstraint(["parent_id"], ["parent.id"], name="fk_twins_parent_id"),
    )
    add(
        "uniques",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(50), unique=True),
        sa.Column("a", sa.Integer),
        sa.Column("b", sa.Integer),
        sa.UniqueConstraint("a", "b", deferrable=True, initially="DEFERRED", postgresql_nulls_not_distinct=True),
        sa.UniqueConstraint("b", name="explicit_uq", info={"x": 1}),
    )
    add(
        "fks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", ondelete="CASCADE")),
        sa.Column("self_id", sa.Integer, sa.ForeignKey("fks.id", onupdate="SET NULL", deferrable=True)),
        sa.Column("named_id", sa.Integer, sa.ForeignKey("parent.id", name="fk_given")),
        sa.Column("ext_id", sa.Integer, sa.ForeignKey("other.ext.id")),
    )
    add(
        "keyed",
        sa.Column("id", sa.Integer, primary_key=True, key="ident"),
        sa.Column("parent_ref", sa.Integer, sa.ForeignKey("parent.id"), key="pref"),
        sa.UniqueConstraint("pref"),
    )
    add(
        "checks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("qty", sa.Integer, sa.CheckConstraint("qty > 0")),
        sa.Column("named", sa.Integer, sa.CheckConstraint("named < 9", name="named_small")),
        sa.Column("flag", sa.Boolean(create_constraint=True)),
        sa.CheckConstraint("qty < 100"),
        sa.CheckConstraint("qty <> 7", name="not_seven"),
    )
    qty = sa.Column("qty", sa.Integer)
    add("expr_check", sa.Column("id", sa.Integer, primary_key=True), qty, sa.CheckConstraint(qty > 5))
    add(
        "decorated",
        sa.Column("id", sa.Integer, primary_key=True),
        comment="a table",
        info={INFO_KEY: {"exceptions": {"AS101": "reason"}}, "other": True},
        sqlite_autoincrement=True,
        schema="app",
    )
    add(
        "info_only",
        sa.Column("id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_info_only"),
        info={INFO_KEY: {"exceptions": {}}},
    )
    add("no_pk", sa.Column("x", sa.Integer))
    return cases


def _convention_md() -> sa.MetaData:
    return sa.MetaData(naming_convention=dict(NAMING_CONVENTION))


METADATAS = {
    "plain": sa.MetaData,
    "sqlalchemy default convention": lambda: sa.MetaData(naming_convention={"ix": "ix_%(column_0_label)s"}),
    "alembic-standards convention": _convention_md,
    "other convention": lambda: sa.MetaData(
        naming_convention={"pk": "p_%(table_name)s", "uq": "u_%(table_name)s_%(column_0_name)s"}
    ),
}


def _render(op: ops.MigrateOperation) -> str:
    return render_python_code(ops.UpgradeOps([op]))


def _snapshot(md: sa.MetaData) -> list[tuple[str, list[tuple[str, str]], dict[str, Any]]]:
    return [
        (t.fullname, sorted((type(c).__name__, repr(c.name)) for c in t.constraints), dict(t.info))
        for t in md.tables.values()
    ]


@pytest.mark.parametrize("md_kind", sorted(METADATAS))
def test_named_table_copy_equals_the_general_way(md_kind: str) -> None:
    md = METADATAS[md_kind]()
    cases = _tables(md)
    before = _snapshot(md)
    for name, table in cases.items():
        op = ops.CreateTableOp.from_table(table)
        fast = _named_table_copy(op, NAMING)
        full = _named_table_copy_full(ops.CreateTableOp.from_table(table), NAMING)
        assert _render(fast) == _render(full), name
        assert _render(fast) == _render(fast), name  # rendering twice (to_table twice) is stable
        assert render_python_code(ops.UpgradeOps([fast]).reverse()) == render_python_code(
            ops.UpgradeOps([full]).reverse()
        ), name
    assert _snapshot(md) == before  # nothing renamed or added in the user's models


def test_named_table_copy_never_reuses_a_taken_name() -> None:
    md = sa.MetaData()
    table = _tables(md)["twins"]
    rendered = _render(_named_table_copy(ops.CreateTableOp.from_table(table), NAMING))
    assert "name='fk_twins_parent_id'" in rendered
    assert "name=op.f('fk_twins_parent_id_1')" in rendered


def test_named_table_copy_returns_the_op_when_nothing_changes() -> None:
    md = sa.MetaData()
    table = _tables(md)["all_named"]
    op = ops.CreateTableOp.from_table(table)
    assert _named_table_copy(op, NAMING) is op
    assert "op.f('my_pk')" not in _render(op) and "name='my_pk'" in _render(op)


def test_named_table_copy_fast_path_names_constraints() -> None:
    md = sa.MetaData()
    table = _tables(md)["fks"]
    fast = _named_table_copy(ops.CreateTableOp.from_table(table), NAMING)
    assert fast.columns[0] is table.c.id  # the fast path: columns not copied
    rendered = _render(fast)
    assert "name=op.f('fk_fks_parent_id')" in rendered, rendered
    assert "name='fk_given'" in rendered
    assert "name=op.f('pk_fks')" in rendered
    assert table.primary_key.name is None


def test_benchmark_schema_renders_the_same(tmp_path: Path) -> None:
    from benchmarks.schema import load_metadata

    md, _ = load_metadata(40, tmp_path, seed=7)
    before = _snapshot(md)
    for table in md.sorted_tables:
        fast = _named_table_copy(ops.CreateTableOp.from_table(table), NAMING)
        full = _named_table_copy_full(ops.CreateTableOp.from_table(table), NAMING)
        assert _render(fast) == _render(full), table.name
    assert _snapshot(md) == before


# ---------------------------------------------------------------------------------------------
# Index op columns
# ---------------------------------------------------------------------------------------------


def _index_ops() -> list[tuple[str, ops.CreateIndexOp | ops.DropIndexOp]]:
    md = sa.MetaData()
    t = sa.Table("t", md, sa.Column("a", sa.Integer), sa.Column("b", sa.String(5), key="bk"))
    out: list[tuple[str, ops.CreateIndexOp | ops.DropIndexOp]] = []
    indexes = {
        "columns": sa.Index("i1", t.c.a, t.c.bk),
        "expression": sa.Index("i2", sa.func.lower(t.c.bk)),
        "text": sa.Index("i3", sa.text("lower(b)"), _table=t),
        "mixed": sa.Index("i4", t.c.a, sa.func.lower(t.c.bk)),
    }
    for name, index in indexes.items():
        out.append((f"create {name}", ops.CreateIndexOp.from_index(index)))
        out.append((f"drop {name}", ops.DropIndexOp.from_index(index)))
    out.append(("create strings", ops.CreateIndexOp("i5", "t", ["a", "b"])))
    out.append(("drop without original", ops.DropIndexOp("i6", "t")))
    return out


@pytest.mark.parametrize(("label", "op"), _index_ops(), ids=[label for label, _ in _index_ops()])
def test_index_op_columns_equal_to_index(label: str, op: ops.CreateIndexOp | ops.DropIndexOp) -> None:
    assert _index_op_columns(op) == index_column_names(op.to_index())


# ---------------------------------------------------------------------------------------------
# Reversibility by type
# ---------------------------------------------------------------------------------------------


class _CustomIrreversible(ops.MigrateOperation):
    pass


class _CustomReversible(ops.ExecuteSQLOp):
    def reverse(self) -> ops.ExecuteSQLOp:
        return ops.ExecuteSQLOp("SELECT 2")


def _reversibility_cases() -> list[tuple[str, ops.MigrateOperation]]:
    md = sa.MetaData()
    t = sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("c", sa.Integer))
    uq = sa.UniqueConstraint(t.c.c, name="uq_c")
    t.append_constraint(uq)
    own_reverse = ops.ExecuteSQLOp("SELECT 1")
    own_reverse.reverse = lambda: ops.ExecuteSQLOp("SELECT 2")  # type: ignore[method-assign]
    return [
        ("execute", ops.ExecuteSQLOp("UPDATE t SET c = 1")),
        ("bulk insert", ops.BulkInsertOp(t, [{"id": 1}])),
        ("rename table", ops.RenameTableOp("t", "u")),
        ("drop column without original", ops.DropColumnOp("t", "c")),
        ("drop constraint without original", ops.DropConstraintOp("uq_c", "t", type_="unique")),
        ("custom irreversible", _CustomIrreversible()),
        ("custom reversible", _CustomReversible("SELECT 1")),
        ("instance reverse", own_reverse),
        ("create table", ops.CreateTableOp.from_table(t)),
        ("drop table", ops.DropTableOp.from_table(t)),
        ("drop table bare", ops.DropTableOp("t")),
        ("create index", ops.CreateIndexOp("ix", "t", ["c"])),
        ("drop index bare", ops.DropIndexOp("ix", "t")),
        ("add column", ops.AddColumnOp("t", sa.Column("d", sa.Integer))),
        ("drop column", ops.DropColumnOp.from_column_and_tablename(None, "t", t.c.c)),
        ("alter column", ops.AlterColumnOp("t", "c", modify_nullable=False, existing_type=sa.Integer())),
        ("add unique", ops.AddConstraintOp.from_constraint(uq)),
        ("drop unique", ops.DropConstraintOp.from_constraint(uq)),
        ("table comment", ops.CreateTableCommentOp("t", "c")),
        ("drop table comment", ops.DropTableCommentOp("t")),
    ]


@pytest.mark.parametrize(("label", "op"), _reversibility_cases(), ids=[label for label, _ in _reversibility_cases()])
def test_reverse_failure_agrees_with_reverse(label: str, op: ops.MigrateOperation) -> None:
    try:
        op.reverse()
    except (NotImplementedError, ValueError):
        reversible = False
    else:
        reversible = True
    assert (_reverse_failure(op) is None) is reversible


# ---------------------------------------------------------------------------------------------
# One exceptions register per run
# ---------------------------------------------------------------------------------------------


def test_register_collected_once_per_run(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    md = sa.MetaData()
    sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
    for i in range(5):  # five tables, each with a foreign key no index covers
        sa.Table(
            f"child_{i}", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("p", sa.ForeignKey("parent.id"))
        )
    sa.Table(
        "excepted",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("p", sa.ForeignKey("parent.id")),
        info={INFO_KEY: {"exceptions": {"AS201": {"reason": "tiny table", "expires": str(dt.date(2999, 1, 1))}}}},
    )
    calls: list[int] = []
    original = ExceptionRegister.collect.__func__  # type: ignore[attr-defined]

    def counting(cls: type[ExceptionRegister], *args: Any, **kw: Any) -> ExceptionRegister:
        calls.append(1)
        result: ExceptionRegister = original(cls, *args, **kw)
        return result

    monkeypatch.setattr(ExceptionRegister, "collect", classmethod(counting))
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        for _ in range(2):  # two runs: one collection each
            context = MigrationContext.configure(
                conn,
                opts={
                    "target_metadata": md,
                    "autogenerate_plugins": PLUGINS,
                    "alembic_standards_config": Config(root=Path.cwd()),
                },
            )
            script = produce_migrations(context, md)
            assert script.upgrade_ops is not None
            code = render_python_code(script.upgrade_ops)
            assert code.count("create_index(op.f('idx_child_") == 5
            assert "idx_excepted_p" not in code  # the register was consulted
    engine.dispose()
    assert len(calls) == 2
