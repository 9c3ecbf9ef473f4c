"""The reversibility matcher, fed from Alembic op objects and from revision-file source alike."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import render_python_code
from alembic.operations import ops
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from alembic_standards.config import Config
from alembic_standards.layout import Section, op_name_of, out_of_order, section_of, section_of_op, sql_is_data
from alembic_standards.migrations import _Reader
from alembic_standards.reversal import (
    OPS,
    Change,
    Effect,
    change_from_op_call,
    changes_from_ops,
    has_leaf_ops,
    match,
    unnamed_constraint_name,
)


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
        # What the database drops by itself: an index or constraint involving a dropped column.
        ([change_from_op_call("create_index", table="t", name="i", columns=["x", "y"])], [c("drop_column", "t", "y")]),
        (
            [change_from_op_call("create_foreign_key", table="t", name="fk", columns=["x"])],
            [c("drop_column", "t", "x")],
        ),
        # A leftover of a failed batch run, cleaned up.
        ([c("drop_table", "_alembic_tmp_t")], []),
        # Dropped from a table the upgrade then drops: back with the downgrade's create_table.
        (
            [c("drop_constraint", "t", "fk"), c("drop_column", "t", "x"), c("drop_table", "t")],
            [c("create_table", "t")],
        ),
        # ... also when the upgrade renames the table before dropping it (one table, two names).
        (
            [c("drop_column", "t", "x"), c("rename_table", "t", new_name="t_old"), c("drop_table", "t_old")],
            [c("create_table", "t_old"), c("rename_table", "t_old", new_name="t")],
        ),
        # Names env.py's target_metadata convention gives at run time (Indico): a convention name
        # ending in the created name, or naming the table and every column of an unnamed one...
        ([c("create_check_constraint", "u", "age_positive")], [c("drop_constraint", "u", "ck_u_age_positive")]),
        (
            [change_from_op_call("create_foreign_key", table="c", name=None, columns=["rev_id"])],
            [c("drop_constraint", "c", "fk_c_rev_id_revisions")],
        ),
        ([change_from_op_call("create_index", table="u", columns=["m_id"])], [c("drop_index", "u", "ix_u_m_id")]),
        ([change_from_op_call("create_primary_key", table="b", columns=["id"])], [c("drop_constraint", "b", "pk_b")]),
        # ... and the mirror: a convention name dropped, created again under the short or no name.
        ([c("drop_constraint", "r", "ck_r_valid_state")], [c("create_check_constraint", "r", "valid_state")]),
        (
            [c("drop_constraint", "b", "pk_b")],
            [change_from_op_call("create_primary_key", table="b", columns=["room_id", "start"])],
        ),
        # A CHECK goes with a column its condition names.
        (
            [change_from_op_call("create_check_constraint", table="t", name="mode_valid", columns=["mode", "3"])],
            [c("drop_column", "t", "mode")],
        ),
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
        # An index on other columns than the dropped one stays; a column the upgrade drops from a
        # table it keeps is not brought back by a create_table of that table.
        (
            [change_from_op_call("create_index", table="t", name="i", columns=["x"])],
            [c("drop_column", "t", "y")],
            "op.drop_index('i', table_name='t')",
        ),
        ([c("drop_column", "t", "x")], [c("create_table", "t")], "op.add_column('t', sa.Column('x', ...))"),
        # Convention names: only on the same table, only a whole word at the end, only every column.
        (
            [c("create_check_constraint", "users", "age")],
            [c("drop_constraint", "other", "ck_other_age")],
            "op.drop_constraint('age', 'users')",
        ),
        (
            [c("create_check_constraint", "users", "age")],
            [c("drop_constraint", "users", "ck_users_page")],
            "op.drop_constraint('age', 'users')",
        ),
        (
            [change_from_op_call("create_index", table="t", columns=["a", "b"])],
            [c("drop_index", "t", "ix_t_a")],
            "op.drop_index(None, table_name='t')",
        ),
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
    # The index and the unique constraint on users.nick go with the column, which the downgrade
    # drops too (PostgreSQL drops what involves a dropped column): their own drops are not needed.
    implied = {"idx_users_nick", "uq_users_nick"}
    for i in range(len(full)):
        partial = full[:i] + full[i + 1 :]
        verdict = match(changes_from_ops(upgrade.ops), partial)
        # Every other step is needed: nothing else in the downgrade undoes what the removed step undid.
        name = full[i].effect.name if full[i].effect is not None else None
        assert len(verdict.missing) == (0 if name in implied else 1), (i, full[i])
    assert sum(1 for c in full if c.effect is not None and c.effect.name in implied) == 2


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
        (["alter_column", "drop_index", "create_index"], False, []),
        (["drop_index", "create_index", "alter_column"], True, []),  # the exact reverse of the line above
        (["create_index", "alter_column"], False, [1]),  # in an upgrade, a change in place is with the tables
        (["alter_column", "execute"], True, []),  # drop NOT NULL, then the UPDATE that sets NULLs
        (["create_index", "add_column"], True, [1]),  # a downgrade's creations still run tables, indexes
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


# ------------------------------------------------------------------ issue #10 / #16 matching cases


def test_a_table_keeps_its_identity_through_renames() -> None:
    """The downgrade renames the table back and recreates its index under the old name."""
    upgrade = [
        c("rename_table", "items", new_name="products"),
        c("drop_index", "products", "idx_items_name"),
        c("create_index", "products", "idx_products_name"),
    ]
    downgrade = [
        c("drop_index", "products", "idx_products_name"),
        c("rename_table", "products", new_name="items"),
        c("create_index", "items", "idx_items_name"),
    ]
    assert match(upgrade, downgrade) == match([], [])


@pytest.mark.parametrize(
    ("op", "table", "columns", "name"),
    [
        ("create_foreign_key", "item", ["owner_id"], "item_owner_id_fkey"),
        ("create_foreign_key", "item", ["a", "b"], "item_a_b_fkey"),
        ("create_unique_constraint", "item", ["owner_id", "sku"], "item_owner_id_sku_key"),
        ("create_primary_key", "item", ["id"], "item_pkey"),
        ("create_check_constraint", "item", ["x"], None),  # depends on the expression: unknown
        ("create_foreign_key", "item", None, None),
        # PostgreSQL's makeObjectName: the longer part loses a character at a time to fit 63 bytes.
        ("create_foreign_key", "t" * 40, ["c" * 40], "t" * 29 + "_" + "c" * 28 + "_fkey"),
        ("create_primary_key", "t" * 70, None, "t" * 58 + "_pkey"),
    ],
)
def test_postgresql_default_constraint_names(op: str, table: str, columns: list[str] | None, name: str | None) -> None:
    assert unnamed_constraint_name(op, table, columns) == name
    assert name is None or len(name.encode()) <= 63


def test_an_unnamed_constraint_is_undone_by_dropping_its_database_name() -> None:
    fk = change_from_op_call("create_foreign_key", table="item", name=None, columns=["owner_id"])
    assert match([fk], [c("drop_constraint", "item", "item_owner_id_fkey")]).ok
    missing = match([fk], [c("drop_constraint", "item", "item_other_fkey")]).missing
    assert [m.expected for m in missing] == [
        "op.drop_constraint('item_owner_id_fkey', 'item', type_='foreignkey') (the name PostgreSQL gives it; "
        "better, name the constraint in the upgrade and drop it by that name)"
    ]
    unknown = change_from_op_call("create_check_constraint", table="item", name=None)
    assert [m.expected for m in match([unknown], [c("drop_column", "item", "x")]).missing] == [
        "the constraint dropped by its name in the database; name it in the upgrade and drop it by that name"
    ]


def test_a_guarded_drop_followed_by_its_creation_is_create_or_replace() -> None:
    upgrade = [
        change_from_op_call("drop_index", table="item", name="idx_a", if_exists=True),
        c("create_index", "item", "idx_a"),
    ]
    assert match(upgrade, [c("drop_index", "item", "idx_a")]).ok
    # Without the guard the upgrade replaces an index that existed: the downgrade must bring it back.
    unguarded = [c("drop_index", "item", "idx_a"), c("create_index", "item", "idx_a")]
    assert [m.expected for m in match(unguarded, [c("drop_index", "item", "idx_a")]).missing] == [
        "op.create_index('idx_a', 'item', [...])"
    ]
    # A guarded drop that nothing recreates still needs its reversal.
    alone = [change_from_op_call("drop_table", table="t", if_exists=True)]
    assert not match(alone, []).ok


def test_an_object_created_and_dropped_by_the_upgrade_needs_no_undoing() -> None:
    """Warehouse's backfill builds a helper index and drops it at the end of the same upgrade."""
    upgrade = [
        c("create_index", "logins", "ix_logins_ip_tmp"),
        c("alter_column", "logins", "ip_id"),
        c("drop_index", "logins", "ix_logins_ip_tmp"),
    ]
    assert match(upgrade, [c("alter_column", "logins", "ip_id")]).ok
    # Created, dropped and created again: the last one stays and must be undone.
    again = [*upgrade, c("create_index", "logins", "ix_logins_ip_tmp")]
    assert [m.expected for m in match(again, [c("alter_column", "logins", "ip_id")]).missing] == [
        "op.drop_index('ix_logins_ip_tmp', table_name='logins')"
    ]
    # A table too; another object of the same name on another table is another object.
    table = [c("create_table", "scratch"), c("drop_table", "scratch")]
    assert match(table, []).ok
    other = [c("create_index", "a", "ix"), c("drop_index", "b", "ix")]
    assert len(match(other, []).missing) == 2
    # Both arms of a branch read in a row (Airflow: `if sqlite: create X` / `else: drop X; create X`):
    # a downgrade that drops the object says it is no helper; each change is judged as before.
    arms = [
        c("create_foreign_key", "t", "fk_x"),
        c("drop_constraint", "t", "fk_x"),
        c("create_foreign_key", "t", "fk_x"),
    ]
    assert [m.change.op for m in match(arms, [c("drop_constraint", "t", "fk_x")]).missing] == ["drop_constraint"]


def test_op_objects_carry_the_guard_and_the_columns() -> None:
    """The revision hook reads Alembic op objects: same answers as the source reader."""
    upgrade = changes_from_ops(
        [
            ops.DropIndexOp("idx_a", table_name="item", if_exists=True),
            ops.CreateIndexOp("idx_a", "item", ["a"]),
            ops.CreateForeignKeyOp(None, "item", "owner", ["owner_id"], ["id"]),
        ]
    )
    downgrade = changes_from_ops(
        [ops.DropConstraintOp("item_owner_id_fkey", "item"), ops.DropIndexOp("idx_a", table_name="item")]
    )
    assert match(upgrade, downgrade).ok


EFFECTS = st.builds(
    lambda op, table, name, schema, columns: change_from_op_call(
        op, table=table, name=name, schema=schema, columns=columns
    ),
    st.sampled_from(sorted(OPS)),
    st.sampled_from(["a", "b", "_alembic_tmp_a", None]),
    st.sampled_from(["x", "y", None]),
    st.sampled_from([None, "s"]),
    st.sampled_from([None, ["x"], ["x", "y"]]),
)


def _undoes_pairwise(up: Change, down: Change) -> bool:
    """The matcher's rules, written pairwise as they were before the matcher was indexed."""
    u, d = up.effect, down.effect
    if u is None or d is None:
        return False
    if up.action == "create":
        same_table = (d.schema, d.table) == (u.schema, u.table)
        if down.action == "drop" and d.kind == "column" and same_table and d.name in up.columns:
            return True  # an index or constraint involving a dropped column goes with it
        return down.action == "drop" and (d.same_object(u) or u.lives_on(d))
    if up.action == "drop":
        return down.action == "create" and d.same_object(u)
    if up.action == "alter":
        if down.action == "drop" and (d.same_object(u) or u.lives_on(d)):
            return True
        if down.action != "alter" or u.kind != d.kind:
            return False
        return d.same_object(u) or (up.new_name is not None and d.same_object(replace(u, name=up.new_name)))
    if up.action == "rename":
        if down.action == "rename":
            return d.table == up.new_name and down.new_name == u.table and d.schema == u.schema
        return down.action == "drop" and d.kind == "table" and d.table == up.new_name and d.schema == u.schema
    return False


@settings(max_examples=300, deadline=None)
@given(upgrade=st.lists(EFFECTS, max_size=6), downgrade=st.lists(EFFECTS, max_size=6))
def test_indexed_matching_gives_the_pairwise_answer(upgrade: list[Change], downgrade: list[Change]) -> None:
    """Without renames (which join table identities) the index answers exactly what comparing every
    pair answers; only the cost differs (linear instead of quadratic)."""
    assume(not any(ch.op == "rename_table" for ch in [*upgrade, *downgrade]))
    missing = {id(m.change) for m in match(upgrade, downgrade).missing}
    expected = {
        id(u)
        for u in upgrade
        if u.action != "undecidable"
        and not any(_undoes_pairwise(u, d) for d in downgrade)
        and not _needs_no_pair(u, upgrade, downgrade)
    }
    assert missing == expected


def _created_then_dropped(upgrade: list[Change], downgrade: list[Change]) -> set[int]:
    """Each creation in ``upgrade`` with the first later drop of the same named object (greedy, the
    latest open creation first) that the downgrade neither creates nor drops: what the upgrade
    leaves no trace of."""
    out: set[int] = set()

    def touched(e: Effect) -> bool:
        return any(
            x.action in ("create", "drop") and x.effect is not None and x.effect.same_object(e) for x in downgrade
        )

    for j, drop in enumerate(upgrade):
        d = drop.effect
        if drop.action != "drop" or d is None or (d.kind != "table" and d.name is None):
            continue
        if touched(d):
            continue
        for create in reversed(upgrade[:j]):
            e = create.effect
            # Neither end may be touched by the downgrade: an index created without its table is
            # the object of any table's index of that name the downgrade creates.
            if create.action == "create" and id(create) not in out and e is not None and e.same_object(d):
                if touched(e):
                    continue
                out |= {id(create), id(drop)}
                break
    return out


def _needs_no_pair(up: Change, upgrade: list[Change], downgrade: list[Change]) -> bool:
    """The rules that are not about one pair: a leftover batch table dropped, an object the upgrade
    creates and drops again, and an object dropped from a table the upgrade drops and the downgrade
    creates again."""
    if id(up) in _created_then_dropped(upgrade, downgrade):
        return True
    u = up.effect
    if up.action != "drop" or u is None:
        return False
    if u.kind == "table":
        return (u.table or "").startswith("_alembic_tmp_")

    def whole(changes: list[Change], action: str) -> bool:
        return any(
            c.action == action
            and c.effect is not None
            and c.effect.kind == "table"
            and c.effect.same_object(replace(u, kind="table", name=None))
            for c in changes
        )

    return whole(upgrade, "drop") and whole(downgrade, "create")
