"""The reversibility matcher, fed from Alembic op objects and from revision-file source alike."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import render_python_code
from alembic.operations import ops

from alembic_standards.config import Config
from alembic_standards.layout import Section, op_name_of, out_of_order, section_of, section_of_op, sql_is_data
from alembic_standards.migrations import _Reader
from alembic_standards.reversal import Change, Effect, change_from_op_call, changes_from_ops, has_leaf_ops, match


def c(op: str, table: str | None, name: str | None = None, **kw: str | None) -> Change:
    return change_from_op_call(op, table=table, name=name, **kw)


@pytest.mark.parametrize(
    ("upgrade", "downgrade"),
    [
        ([c("create_table", "tags")], [c("drop_table", "tags")]),
        ([c("drop_table", "tags")], [c("create_table", "tags")]),
        ([c("add_column", "users", "nick")], [c("drop_column", "users", "nick")]),
        ([c("drop_column", "users", "nick")], [c("add_column", "users", "nick")]),
        ([c("create_index", "tags", "idx_a")], [c("drop_index", None, "idx_a")]),  # drop_index without table
        ([c("create_index", "tags", "idx_a")], [c("drop_table", "tags")]),  # dies with its table
        ([c("create_foreign_key", "tags", "fk_a")], [c("drop_constraint", "tags", "fk_a")]),
        ([c("create_unique_constraint", "tags", None)], [c("drop_constraint", "tags", None)]),
        ([c("drop_constraint", "tags", "ck_a")], [c("create_check_constraint", "tags", "ck_a")]),
        ([c("alter_column", "users", "email")], [c("alter_column", "users", "email")]),
        ([c("alter_column", "users", "email", new_name="mail")], [c("alter_column", "users", "mail")]),
        ([c("rename_table", "a", new_name="b")], [c("rename_table", "b", new_name="a")]),
        ([c("create_table_comment", "t")], [c("drop_table_comment", "t")]),
        ([c("create_table", "t", schema="s")], [c("drop_table", "t", schema="s")]),
    ],
)
def test_undone(upgrade: list[Change], downgrade: list[Change]) -> None:
    verdict = match(upgrade, downgrade)
    assert verdict.ok and not verdict.unsure and not verdict.undecidable


@pytest.mark.parametrize(
    ("upgrade", "downgrade", "expected"),
    [
        ([c("create_table", "tags")], [], "op.drop_table('tags')"),
        ([c("create_table", "tags")], [c("drop_table", "other")], "op.drop_table('tags')"),
        ([c("create_table", "t", schema="s")], [c("drop_table", "t")], "op.drop_table('t', schema='s')"),
        ([c("add_column", "u", "x")], [c("drop_column", "u", "y")], "op.drop_column('u', 'x')"),
        ([c("create_index", "t", "i")], [c("drop_index", "other", "i")], "op.drop_index('i', table_name='t')"),
        ([c("create_foreign_key", "t", "fk")], [c("drop_constraint", "u", "fk")], "op.drop_constraint('fk', 't')"),
        ([c("drop_column", "u", "x")], [c("drop_column", "u", "x")], "op.add_column('u', sa.Column('x', ...))"),
        ([c("rename_table", "a", new_name="b")], [c("rename_table", "a", new_name="b")], "op.rename_table('b', 'a')"),
        # A dropped table is not brought back by dropping it again, nor a column by a table drop.
        ([c("drop_table", "t")], [c("drop_table", "t")], "op.create_table('t', ...)"),
    ],
)
def test_missing(upgrade: list[Change], downgrade: list[Change], expected: str) -> None:
    verdict = match(upgrade, downgrade)
    assert [m.expected for m in verdict.missing] == [expected]


def test_raw_sql_is_undecidable_not_guessed() -> None:
    verdict = match([c("execute", None), c("create_table", "t")], [c("execute", None)])
    assert [ch.op for ch in verdict.undecidable] == ["execute"]
    assert verdict.missing == []  # the downgrade's raw SQL may well drop the table...
    assert [m.change.op for m in verdict.unsure] == ["create_table"]  # ...so it is reported as unsure


def test_unknown_operation_is_undecidable() -> None:
    change = c("create_view", "v")
    assert change.action == "undecidable"
    assert change.reason == "operation unknown to alembic-standards"


def test_effect_descriptions() -> None:
    assert Effect("column", "users", "nick", "s").describe() == "column s.users.nick"
    assert Effect("constraint", "t", None).describe() == "unnamed constraint on 't'"


def _script_ops() -> ops.UpgradeOps:
    """An autogenerate-like upgrade touching every kind of object."""
    md = sa.MetaData()
    table = sa.Table(
        "tags",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", name="fk_tags_user_id")),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
    )
    return ops.UpgradeOps(
        [
            ops.CreateTableOp.from_table(table),
            ops.ModifyTableOps(
                "users",
                [
                    ops.AddColumnOp("users", sa.Column("nick", sa.String(20))),
                    ops.DropColumnOp(
                        "users", "legacy", _reverse=ops.AddColumnOp("users", sa.Column("legacy", sa.Text))
                    ),
                    ops.AlterColumnOp("users", "email", modify_nullable=False, existing_nullable=True),
                    ops.CreateUniqueConstraintOp("uq_users_nick", "users", ["nick"]),
                    ops.CreateIndexOp("idx_users_nick", "users", ["nick"]),
                ],
            ),
            ops.CreateForeignKeyOp("fk_users_tag_id", "users", "tags", ["id"], ["id"]),
            ops.CreateCheckConstraintOp("ck_users_nick", "users", "nick <> ''"),
        ]
    )


def test_alembic_reverse_is_always_a_complete_downgrade() -> None:
    upgrade = _script_ops()
    downgrade = upgrade.reverse()
    verdict = match(changes_from_ops(upgrade.ops), changes_from_ops(downgrade.ops))
    assert verdict.ok and not verdict.unsure and not verdict.undecidable


def test_each_dropped_downgrade_step_is_reported() -> None:
    upgrade = _script_ops()
    full = changes_from_ops(upgrade.reverse().ops)
    for i in range(len(full)):
        partial = full[:i] + full[i + 1 :]
        verdict = match(changes_from_ops(upgrade.ops), partial)
        # Every step is needed: nothing else in the downgrade undoes what the removed step undid.
        assert len(verdict.missing) == 1, (i, full[i])


def test_op_objects_and_source_give_the_same_changes() -> None:
    """The directives path (op objects) and the checker path (AST of the rendered code) agree."""
    upgrade = _script_ops()
    for container in (upgrade, upgrade.reverse()):
        source = "def upgrade() -> None:\n" + "\n".join(
            "    " + line for line in render_python_code(container).splitlines()
        )
        reader = _Reader(Path("x.py"), source, ast.parse(source), Config())
        function = reader.functions["upgrade"]
        from_source = [
            (ch.op, ch.action, ch.effect, ch.new_name) for ch in (o.change for o in reader.collect(function))
        ]
        from_ops = [(ch.op, ch.action, ch.effect, ch.new_name) for ch in changes_from_ops(container.ops)]
        assert from_source == from_ops


def test_has_leaf_ops_is_recursive() -> None:
    assert not has_leaf_ops(ops.UpgradeOps([ops.ModifyTableOps("t", [])]))
    assert has_leaf_ops(ops.UpgradeOps([ops.ModifyTableOps("t", [ops.DropColumnOp("t", "c")])]))


# ------------------------------------------------------------------ layout (sections)


@pytest.mark.parametrize(
    ("name", "unique", "section"),
    [
        ("create_table", False, Section.TABLES),
        ("add_column", False, Section.TABLES),
        ("create_foreign_key", False, Section.TABLES),
        ("create_index", False, Section.INDEXES),
        ("create_index", True, Section.TABLES),  # a unique index may back a foreign key
        ("drop_index", True, Section.INDEXES),
        ("create_index_concurrently", False, Section.INDEXES),
        ("execute", False, Section.DATA),
        ("bulk_insert", False, Section.DATA),
    ],
)
def test_section_of(name: str, unique: bool, section: Section) -> None:
    assert section_of(name, unique=unique) is section


def test_section_of_op_objects() -> None:
    assert op_name_of(ops.CreateForeignKeyOp("fk", "a", "b", ["x"], ["id"])) == "create_foreign_key"
    assert section_of_op(ops.CreateIndexOp("i", "t", ["c"], unique=True)) is Section.TABLES
    assert section_of_op(ops.CreateIndexOp("i", "t", ["c"])) is Section.INDEXES

    class CreateViewOp(ops.MigrateOperation):
        pass

    assert op_name_of(CreateViewOp()) == "create_view"


@pytest.mark.parametrize(
    ("names", "downgrade", "bad"),
    [
        (["create_table", "create_index", "execute"], False, []),
        (["create_index", "create_table"], False, [1]),
        (["execute", "create_table"], False, [1]),
        (["drop_index", "drop_table"], False, []),  # drops run the other way round
        (["drop_table", "drop_index"], False, [1]),
        (["drop_index", "drop_table", "create_table", "create_index", "execute"], False, []),
        (["execute", "drop_index", "drop_table", "create_table", "create_index"], True, []),  # its downgrade
        (["drop_table", "execute"], True, [1]),
        (["drop_index", "alter_column", "create_index"], False, []),  # rebuild an index around a type change
    ],
)
def test_out_of_order(names: list[str], downgrade: bool, bad: list[int]) -> None:
    assert out_of_order([(n, section_of(n)) for n in names], downgrade=downgrade) == bad


@pytest.mark.parametrize(
    ("sql", "data"),
    [
        ("INSERT INTO t VALUES (1)", True),
        ("  update t set x = 1", True),
        ("CREATE EXTENSION pg_trgm", False),
        (None, False),
    ],
)
def test_sql_is_data(sql: str | None, data: bool) -> None:
    assert sql_is_data(sql) is data


def test_bulk_insert_into_a_known_table() -> None:
    table = sa.table("moods", sa.column("name", sa.String))
    (change,) = changes_from_ops([ops.BulkInsertOp(table, [{"name": "calm"}])])
    assert (change.action, change.effect) == ("create", Effect("rows", "moods"))
    assert match([change], [c("drop_table", "moods")]).ok
    assert [m.expected for m in match([change], []).missing] == [
        "op.execute('DELETE FROM ...') removing them, or op.drop_table('moods')"
    ]
    assert match([change], [c("execute", None)]).unsure  # a DELETE in raw SQL: cannot tell
