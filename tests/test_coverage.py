"""FK coverage: columns, in order, are the leading columns of ONE index, primary key or unique."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from alembic_standards.coverage import KeyColumns, is_covered, table_keys, uncovered_foreign_keys


@pytest.mark.parametrize(
    ("fk", "keys", "covered"),
    [
        (("user_id",), [KeyColumns(("user_id",))], True),
        (("user_id",), [KeyColumns(("user_id", "created_at"))], True),
        (("user_id",), [KeyColumns(("created_at", "user_id"))], False),
        (("a", "b"), [KeyColumns(("a",)), KeyColumns(("b",))], False),  # split coverage does not count
        (("a", "b"), [KeyColumns(("a", "b", "c"))], True),
        (("a", "b"), [KeyColumns(("b", "a"))], False),  # order matters
        (("entry_id",), [KeyColumns(("entry_id", "tag_id"), "primary_key")], True),
        (("tag_id",), [KeyColumns(("entry_id", "tag_id"), "primary_key")], False),
        (("email",), [KeyColumns(("email",), "unique")], True),
        (("user_id",), [KeyColumns((None, "user_id"))], False),  # expression first
        (("user_id",), [KeyColumns(("user_id",), predicate="user_id IS NOT NULL")], True),
        (("user_id",), [KeyColumns(("user_id",), predicate="(user_id IS NOT NULL)")], True),
        (("user_id",), [KeyColumns(("user_id",), predicate="deleted_at IS NULL")], False),
        (("user_id",), [KeyColumns(("user_id",), predicate="other_id IS NOT NULL")], False),
        ((), [KeyColumns(("x",))], False),
    ],
)
def test_is_covered(fk: tuple[str, ...], keys: list[KeyColumns], covered: bool) -> None:
    assert is_covered(fk, keys) is covered


def _junction() -> sa.Table:
    md = sa.MetaData()
    sa.Table("entries", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("tags", md, sa.Column("id", sa.Integer, primary_key=True))
    return sa.Table(
        "entry_tags",
        md,
        sa.Column("entry_id", sa.ForeignKey("entries.id"), primary_key=True),
        sa.Column("tag_id", sa.ForeignKey("tags.id"), primary_key=True),
    )


def test_junction_table_pk_covers_first_column_only() -> None:
    table = _junction()
    assert [fk.column_keys for fk in uncovered_foreign_keys(table)] == [["tag_id"]]
    assert uncovered_foreign_keys(table, [KeyColumns(("tag_id",))]) == []


def test_table_keys_reads_pk_unique_indexes_and_partial_predicates() -> None:
    md = sa.MetaData()
    table = sa.Table(
        "t",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.Integer),
        sa.Column("b", sa.Integer),
        sa.UniqueConstraint("a", "b", name="uq_t_a_b"),
        sa.Index("idx_t_b", "b", postgresql_where=sa.text("b IS NOT NULL")),
        sa.Index("idx_t_lower", sa.func.lower(sa.column("a"))),
    )
    keys = {(k.kind, k.columns, k.predicate) for k in table_keys(table)}
    assert keys == {
        ("primary_key", ("id",), None),
        ("unique", ("a", "b"), None),
        ("index", ("b",), "b IS NOT NULL"),
        ("index", (None,), None),
    }


def test_composite_fk_needs_one_index_with_both_columns_in_order() -> None:
    md = sa.MetaData()
    sa.Table("p", md, sa.Column("a", sa.Integer, primary_key=True), sa.Column("b", sa.Integer, primary_key=True))
    child = sa.Table(
        "c",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.Integer, index=True),
        sa.Column("b", sa.Integer, index=True),
        sa.ForeignKeyConstraint(["a", "b"], ["p.a", "p.b"]),
    )
    assert len(uncovered_foreign_keys(child)) == 1
    child.append_constraint(sa.Index("idx_c_a_b", "a", "b"))
    assert uncovered_foreign_keys(child) == []


def test_an_index_ordered_desc_covers_its_column() -> None:
    """`Index("ix", t.c.user_id.desc())` covers the FK: a B-tree is read in either direction."""
    from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, Table

    from alembic_standards.coverage import uncovered_foreign_keys

    md = MetaData()
    Table("users", md, Column("id", Integer, primary_key=True))
    posts = Table(
        "posts", md, Column("id", Integer, primary_key=True), Column("user_id", Integer, ForeignKey("users.id"))
    )
    Index("ix_posts_user_id_desc", posts.c.user_id.desc().nulls_last())
    assert uncovered_foreign_keys(posts) == []
