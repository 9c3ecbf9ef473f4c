"""Pins every private SQLAlchemy/Alembic attribute ``alembic_standards.sqla_compat`` reads.

Each test builds the real objects on the installed versions and checks that the attribute is
there and still means what the function says; none monkeypatches the libraries.  A release that
renames or repurposes one fails here, by name, instead of in a user's migration.
"""

from __future__ import annotations

import gc

import sqlalchemy as sa
from alembic.operations import ops
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship
from sqlalchemy.sql.base import _NONE_NAME

from alembic_standards import sqla_compat
from alembic_standards.naming import explicit_name, truncate_name


def _table() -> sa.Table:
    metadata = sa.MetaData()
    sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
    return sa.Table(
        "posts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("flag", sa.Boolean(create_constraint=True)),
        sa.Column("slug", sa.String(20)),
        sa.UniqueConstraint("slug", name="uq_posts_slug", postgresql_nulls_not_distinct=True, info={"k": 1}),
        sa.CheckConstraint("id > 0", name="ck_posts_id"),
    )


def test_create_table_op_carries_its_metadata_and_constraints() -> None:
    table = _table()
    op = ops.CreateTableOp.from_table(table)
    assert sqla_compat.namespace_metadata(op) is table.metadata
    assert sqla_compat.has_constraints_included(op) is True
    by_hand = ops.CreateTableOp("posts", [sa.Column("id", sa.Integer)])
    assert sqla_compat.namespace_metadata(by_hand) is None
    assert sqla_compat.has_constraints_included(by_hand) is False
    rebuilt = ops.CreateTableOp(
        "posts",
        list(op.columns),
        **sqla_compat.create_table_op_internals(table.metadata, constraints_included=True),
    )
    assert sqla_compat.namespace_metadata(rebuilt) is table.metadata
    assert sqla_compat.has_constraints_included(rebuilt) is True
    other = sa.MetaData()
    again = ops.CreateTableOp.from_table(table, **sqla_compat.create_table_op_internals(other))
    assert sqla_compat.namespace_metadata(again) is other


def test_drop_ops_carry_the_object_they_drop() -> None:
    table = _table()
    drop_table = ops.DropTableOp.from_table(table)
    assert isinstance(sqla_compat.original_object(drop_table), ops.CreateTableOp)
    assert drop_table.to_table().c.keys() == ["id", "user_id", "flag", "slug"]
    assert sqla_compat.original_object(ops.DropTableOp("posts")) is None
    (fk,) = table.foreign_key_constraints
    drop_fk = ops.DropConstraintOp.from_constraint(fk)
    assert isinstance(sqla_compat.original_object(drop_fk), ops.CreateForeignKeyOp)
    assert [c.name for c in drop_fk.to_constraint().columns] == ["user_id"]
    assert sqla_compat.original_object(ops.DropConstraintOp("fk_x", "posts")) is None
    index = sa.Index("idx_posts_slug", table.c.slug)
    drop_index = ops.DropIndexOp.from_index(index)
    assert isinstance(sqla_compat.original_object(drop_index), ops.CreateIndexOp)
    create = ops.CreateIndexOp("idx_posts_slug", "posts", ["slug"])
    made = ops.DropIndexOp("idx_posts_slug", "posts", **sqla_compat.drop_op_internals(create))
    assert sqla_compat.original_object(made) is create
    assert made.to_index().columns.keys() == ["slug"]  # to_index() reads it: the real columns


def test_type_bound_checks_are_told_apart_and_carry_the_deferred_name() -> None:
    table = _table()
    checks = {c.name: c for c in table.constraints if isinstance(c, sa.CheckConstraint)}
    assert sqla_compat.is_type_bound(checks["ck_posts_id"]) is False
    type_check = checks[_NONE_NAME]
    assert sqla_compat.is_type_bound(type_check) is True
    # naming.explicit_name's fact: the deferred name is this enum member, not a string.
    assert not isinstance(_NONE_NAME, str)
    assert explicit_name(type_check.name) is None
    assert sqla_compat.is_type_bound(sa.PrimaryKeyConstraint()) is False


def test_constraint_copies_are_detached_and_keep_dialect_options() -> None:
    table = _table()
    (fk,) = table.foreign_key_constraints
    copy = sqla_compat.copy_constraint(fk)
    assert copy is not fk
    assert isinstance(copy, sa.ForeignKeyConstraint)
    assert getattr(copy, "parent", None) is None
    assert copy not in table.constraints
    assert [e.target_fullname for e in copy.elements] == ["users.id"]
    (unique,) = [c for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
    options = sqla_compat.dialect_option_arguments(unique)
    assert options == {"postgresql_nulls_not_distinct": True}
    rebuilt = sqla_compat.copy_schema_item_state(unique, sa.UniqueConstraint("slug", name="uq_posts_slug", **options))
    assert rebuilt.info == {"k": 1}
    assert rebuilt.info is not unique.info
    assert rebuilt.dialect_options["postgresql"]["nulls_not_distinct"] is True
    assert getattr(rebuilt, "parent", None) is None  # built from names: not on the user's table


def test_foreign_key_colspec_before_attachment() -> None:
    fk = sa.ForeignKey("users.id")
    assert sqla_compat.foreign_key_colspec(fk) == "users.id"
    constraint = sa.ForeignKeyConstraint(["user_id"], ["users.id"])
    assert [sqla_compat.foreign_key_colspec(e) for e in constraint.elements] == ["users.id"]


def test_column_flag_marks_what_index_true_and_unique_true_made() -> None:
    table = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("a", sa.Integer, index=True),
        sa.Column("c", sa.Integer, unique=True),
        sa.Column("b", sa.Integer),
        sa.Index("ix_t_b", "b"),
        sa.UniqueConstraint("b", name="uq_t_b"),
    )
    flagged = {
        type(item).__name__ for item in [*table.indexes, *table.constraints] if sqla_compat.from_column_flag(item)
    }
    declared = {
        getattr(item, "name", None)
        for item in [*table.indexes, *table.constraints]
        if not sqla_compat.from_column_flag(item)
    }
    assert flagged == {"Index", "UniqueConstraint"}
    assert {"ix_t_b", "uq_t_b"} <= declared


def test_nullable_stated_only_when_passed() -> None:
    assert sqla_compat.nullable_stated(sa.Column(sa.Integer, nullable=True)) is True
    assert sqla_compat.nullable_stated(sa.Column(sa.Integer, nullable=False)) is False
    assert sqla_compat.nullable_stated(sa.Column(sa.Integer)) is None
    assert sqla_compat.nullable_stated(sa.Column(sa.Integer, primary_key=True)) is None


def test_type_variants_are_what_with_variant_recorded() -> None:
    variant = sa.String(36).with_variant(postgresql.UUID(), "postgresql")
    variants = sqla_compat.type_variants(variant)
    assert list(variants) == ["postgresql"]
    assert isinstance(variants["postgresql"], postgresql.UUID)
    assert sqla_compat.type_variants(sa.String(36)) == {}


def test_live_registries_and_declared_properties() -> None:
    class Base(DeclarativeBase):
        pass

    class Parent(Base):
        __tablename__ = "parent"
        id: Mapped[int] = mapped_column(primary_key=True)
        children: Mapped[list[Child]] = relationship(back_populates="no_such_property")

    class Child(Base):
        __tablename__ = "child"
        id: Mapped[int] = mapped_column(primary_key=True)
        parent_id: Mapped[int] = mapped_column(sa.ForeignKey("parent.id"))

    assert Base.registry in sqla_compat.live_registries()
    # Before configuration (which would raise here) the declared properties are readable.
    declared = sqla_compat.declared_properties(Parent.__mapper__)
    assert {"id", "children"} <= set(declared)
    assert declared["children"].back_populates == "no_such_property"
    scratch = registry()
    assert scratch in sqla_compat.live_registries()
    Base.registry.dispose()
    del scratch
    gc.collect()


def _stamp(mapper: object, connection: object, target: object) -> None:  # a module-level listener
    target.updated_at = None  # type: ignore[attr-defined]


def test_mapper_listeners_are_the_users_functions() -> None:
    """``MapperEvents._listen`` wraps each listener in a closure: the user's function is a cell of
    it, whether registered on the class or propagated from a mixin."""

    class Base(DeclarativeBase):
        pass

    class Stamped:
        id: Mapped[int] = mapped_column(primary_key=True)

    sa.event.listen(Stamped, "before_update", _stamp, propagate=True)

    class Row(Stamped, Base):
        __tablename__ = "rows"

    def on_insert(mapper: object, connection: object, target: object) -> None:
        pass

    sa.event.listen(Row, "before_insert", on_insert)
    Base.registry.configure()
    assert sqla_compat.mapper_listeners(sa.inspect(Row), "before_update") == [_stamp]
    assert sqla_compat.mapper_listeners(sa.inspect(Row), "before_insert") == [on_insert]
    assert sqla_compat.mapper_listeners(sa.inspect(Row), "after_delete") == []


def test_truncation_is_sqlalchemys_own() -> None:
    """naming.truncate_name restates ``IdentifierPreparer._truncate_and_render_maxlen_name``."""
    preparer = postgresql.dialect().identifier_preparer
    long = sa.sql.elements._truncated_label("idx_" + "x" * 70)
    assert preparer._truncate_and_render_maxlen_name(long, 63, False) == truncate_name(str(long))
    short = sa.sql.elements._truncated_label("idx_users_email")
    assert preparer._truncate_and_render_maxlen_name(short, 63, False) == truncate_name(str(short))
