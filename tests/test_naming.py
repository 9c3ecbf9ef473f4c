"""The naming convention gives the spec's names and truncates exactly like SQLAlchemy's DDL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.sql.base import _NONE_NAME

from alembic_standards.naming import (
    NAMING_CONVENTION,
    NamingConvention,
    convention_kinds,
    explicit_name,
    is_postgresql_default_name,
    target_convention_kinds,
    truncate_name,
)

N = NamingConvention()


@pytest.mark.parametrize(
    ("kind", "table", "columns", "kwargs", "expected"),
    [
        ("pk", "users", ["id"], {}, "pk_users"),
        ("fk", "tags", ["user_id"], {"referred_table": "users"}, "fk_tags_user_id"),
        (
            "fk",
            "journal_entry_tags",
            ["entry_id"],
            {"referred_table": "journal_entries"},
            "fk_journal_entry_tags_entry_id",
        ),
        ("uq", "tags", ["user_id", "name"], {}, "uq_tags_user_id_name"),
        ("ix", "journal_entries", ["user_id", "created_at"], {}, "idx_journal_entries_user_id_created_at"),
        ("ck", "reminders", [], {"constraint_name": "frequency_valid"}, "ck_reminders_frequency_valid"),
    ],
)
def test_spec_names(kind: str, table: str, columns: list[str], kwargs: dict[str, str], expected: str) -> None:
    assert N.name(kind, table, columns, **kwargs) == expected


def test_check_name_is_not_prefixed_twice() -> None:
    assert N.check("reminders", "ck_reminders_frequency_valid") == "ck_reminders_frequency_valid"


def test_unnamed_check_is_named_after_its_columns_or_a_stable_hash() -> None:
    assert N.check("reminders", None, ["frequency"]) == "ck_reminders_frequency"
    first = N.check("reminders", None, [], "id  >  0")
    assert first == N.check("reminders", None, [], "id > 0")
    assert first.startswith("ck_reminders_") and len(first) == len("ck_reminders_") + 8


LONG_TABLE = "a_rather_long_table_name_for_testing"
LONG_COLUMNS = ["first_very_long_column_name", "second_very_long_column_name"]


def test_truncation_matches_the_documented_sqlalchemy_result() -> None:
    assert N.unique(LONG_TABLE, LONG_COLUMNS) == "uq_a_rather_long_table_name_for_testing_first_very_long_16fe"


@pytest.mark.parametrize("kind", ["uq", "ix", "fk"])
def test_truncation_matches_sqlalchemy_ddl(kind: str) -> None:
    md = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))
    parent = sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
    table = sa.Table(
        LONG_TABLE,
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        *(sa.Column(c, sa.Integer) for c in LONG_COLUMNS),
    )
    if kind == "uq":
        table.append_constraint(sa.UniqueConstraint(*LONG_COLUMNS))
        ddl = str(CreateTable(table).compile(dialect=postgresql.dialect()))
    elif kind == "ix":
        # Built from the table's columns, the index attaches itself to the table (and gets its
        # convention name), as Column(index=True) does.
        index = sa.Index(None, *(table.c[c] for c in LONG_COLUMNS))
        assert index.table is table
        ddl = str(CreateIndex(index).compile(dialect=postgresql.dialect()))
    else:
        table.append_constraint(sa.ForeignKeyConstraint(LONG_COLUMNS[:1], [parent.c.id]))
        ddl = str(CreateTable(table).compile(dialect=postgresql.dialect()))
    expected = N.name(kind, LONG_TABLE, LONG_COLUMNS if kind != "fk" else LONG_COLUMNS[:1], referred_table="parent")
    assert len(expected) <= 63
    assert expected in ddl


def test_truncation_is_byte_aware_for_non_ascii_names() -> None:
    name = "idx_" + "é" * 40  # 44 characters, 84 bytes
    out = truncate_name(name)
    assert len(out.encode()) <= 63
    assert out == truncate_name(name)
    assert out.startswith("idx_é")


def test_truncation_leaves_short_names_alone() -> None:
    assert truncate_name("pk_users") == "pk_users"
    assert truncate_name("x" * 63) == "x" * 63


@pytest.mark.parametrize(
    ("name", "kind", "columns", "expected"),
    [
        ("users_pkey", "pk", (), True),
        ("tags_user_id_fkey", "fk", ("user_id",), True),
        ("users_email_key", "uq", ("email",), True),
        ("users_email_key1", "uq", ("email",), True),  # PostgreSQL's retry after a clash
        ("users_frequency_check", "ck", (), True),  # a CHECK on one column of the table
        ("users_check", "ck", (), True),  # a CHECK on none or several columns
        ("users_positive_check", "ck", (), False),  # "positive" is no column: someone chose it
        ("tags_user_id_idx", "ix", ("user_id",), True),
        ("tags_owner_id_fkey", "fk", ("user_id",), False),  # not the FK's columns
        (None, "pk", (), False),
        ("pk_users", "pk", (), False),
        ("uq_users_email", "uq", ("email",), False),
        ("fk_tags_user_id", "fk", ("user_id",), False),
    ],
)
def test_postgresql_default_names_are_recognised_exactly(
    name: str | None, kind: str, columns: tuple[str, ...], expected: bool
) -> None:
    table = name.split("_")[0] if name and not name.startswith(("pk_", "uq_", "fk_")) else "users"
    table_columns = ("id", "email", "frequency", "user_id")
    assert is_postgresql_default_name(name, kind, table, columns, table_columns=table_columns) is expected


def test_explicit_name_is_none_for_both_kinds_of_absent_name() -> None:
    """None (an unnamed unique constraint) and SQLAlchemy 2.x's deferred ``_NONE_NAME`` (what the CHECK of a
    non-native Enum carries) are both "no name"; a ``conv`` name is kept as it is."""
    metadata = sa.MetaData()
    table = sa.Table(
        "t",
        metadata,
        sa.Column("state", sa.Enum("a", "b", create_constraint=True, native_enum=False)),
        sa.Column("x", sa.Integer),
    )
    unique = sa.UniqueConstraint(table.c.x)
    (type_check,) = [c for c in table.constraints if isinstance(c, sa.CheckConstraint)]
    assert type_check.name is _NONE_NAME
    assert not isinstance(type_check.name, str)  # what the old `name != "_unnamed_"` tests missed
    assert unique.name is None
    assert explicit_name(type_check.name) is None
    assert explicit_name(unique.name) is None
    assert explicit_name("") is None
    assert explicit_name("ix_t_x") == "ix_t_x"
    given = sa.sql.elements.conv("ix_t_x")
    assert explicit_name(given) is given


def test_metadata_convention_names_unnamed_checks_instead_of_failing() -> None:
    md = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))
    table = sa.Table(
        "reminders",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("frequency", sa.String(10)),
        sa.CheckConstraint("frequency IN ('daily')"),
        sa.CheckConstraint("id > 0", name="positive_id"),
    )
    ddl = str(CreateTable(table).compile(dialect=postgresql.dialect()))
    assert "CONSTRAINT ck_reminders_positive_id CHECK (id > 0)" in ddl
    assert "CONSTRAINT pk_reminders PRIMARY KEY (id)" in ddl
    unnamed = N.check("reminders", None, [], "frequency IN ('daily')")
    assert f"CONSTRAINT {unnamed} CHECK" in ddl


def test_custom_template_and_unknown_key() -> None:
    custom = NamingConvention({"ix": "ix_%(table_name)s_%(column_0_name)s"})
    assert custom.index("tags", ["user_id", "name"]) == "ix_tags_user_id"
    assert custom.primary_key("tags") == "pk_tags"
    with pytest.raises(ValueError, match="unknown naming_convention key"):
        NamingConvention({"xx": "x"})


def test_metadata_convention_names_a_column_level_check_after_its_column() -> None:
    """``create_all`` and the plugin give the spec's column-level CHECK the same name."""
    md = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))
    table = sa.Table("users", md, sa.Column("age", sa.Integer, sa.CheckConstraint("age >= 0")))
    (check,) = table.c.age.constraints
    assert str(check.name) == "ck_users_age"


@pytest.mark.parametrize(
    ("convention", "kinds"),
    [
        (dict(NAMING_CONVENTION), {"pk", "fk", "uq", "ck", "ix"}),
        (sa.MetaData().naming_convention, {"ix"}),  # SQLAlchemy's default: indexes only
        ({sa.UniqueConstraint: "uq_%(table_name)s_%(column_0_name)s", sa.Index: "i_%(column_0_label)s"}, {"uq", "ix"}),
        # %(constraint_name)s needs a name to start from: an unnamed CHECK is refused, not named...
        ({"ck": "ck_%(table_name)s_%(constraint_name)s"}, set()),
        # ...unless a callable token gives one.
        ({"ck": "ck_%(table_name)s_%(constraint_name)s", "constraint_name": lambda c, t: "x"}, {"ck"}),
    ],
)
def test_convention_kinds_are_what_sqlalchemy_names(convention: dict[object, object], kinds: set[str]) -> None:
    assert convention_kinds(convention) == kinds
    # SQLAlchemy agrees: each kind it names gets a name on a table of that MetaData.
    md = sa.MetaData(naming_convention=convention)  # type: ignore[arg-type]
    t = sa.Table("t", md, sa.Column("a", sa.Integer, primary_key=True), sa.Column("b", sa.Integer))
    named = {
        "pk": t.primary_key,
        "uq": sa.UniqueConstraint(t.c.b),
        "ix": sa.Index(None, t.c.b),
    }
    for kind, obj in named.items():
        if kind == "uq":
            t.append_constraint(obj)  # type: ignore[arg-type]
        assert (explicit_name(obj.name) is not None) == (kind in kinds), kind


def test_target_convention_kinds_is_what_every_target_names() -> None:
    assert target_convention_kinds([dict(NAMING_CONVENTION), {"ix": "ix_%(column_0_label)s"}]) == {"ix"}
    assert target_convention_kinds([]) == frozenset()
