"""The lock-safe forms autogenerate writes with ``safe_migrations = true`` (PostgreSQL, existing tables).

Why this module exists: the blocking form of a schema change is what Alembic writes by default --
``op.create_foreign_key`` on a large table holds a lock that stops writes while PostgreSQL checks
every row.  With ``safe_migrations`` the plugin replaces, on tables that *already exist* (the
database has them: they were created by an earlier revision), each blocking operation by the
sequence PostgreSQL documents as not blocking writes (the AS10xx rules of the catalogue):

* foreign key / CHECK: ``ADD ... NOT VALID`` (a brief lock, no scan), then ``VALIDATE CONSTRAINT``
  in an autocommit block (the scan, under a lock that lets writes through);
* unique constraint: ``CREATE UNIQUE INDEX CONCURRENTLY`` in an autocommit block, then
  ``ADD CONSTRAINT ... UNIQUE USING INDEX`` (instant);
* ``SET NOT NULL``: a ``CHECK (col IS NOT NULL) NOT VALID``, validated in an autocommit block,
  then ``SET NOT NULL`` (PostgreSQL 12+ proves it from the valid check, no scan), then the check
  is dropped;
* ``SET lock_timeout`` first, in the upgrade and the downgrade, when either touches an existing
  table: a lock that cannot be had quickly fails the migration instead of queueing every writer
  behind it.

Each safe form is one op object -- a subclass of the stock op it replaces -- so everything that
understands the stock op (the layout, the downgrade derivation, ``alembic check``, the revision
hook's reversal rules) understands it, and its ``reverse()`` is the stock reverse (the downgrade
drops the constraint, or makes the column nullable again: the exact reverse).  Only stock
Alembic calls and plain SQL strings are rendered: migrations never import this package.  Raw SQL
is used only where Alembic has no operation (``VALIDATE CONSTRAINT``, ``USING INDEX``, the
temporary NOT NULL check, whose create-and-drop inside one upgrade the reversal rules would
otherwise read as a drop needing an undo).  Identifiers in that SQL are quoted by the PostgreSQL
dialect's own identifier preparer and reach the file only as Python string literals (``repr``).

Autocommit blocks commit what came before them: that changes the revision's transaction
behaviour, which is why ``safe_migrations`` is opt-in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from alembic.autogenerate import render as _render
from alembic.operations import ops

from .naming import postgresql_default_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from alembic.autogenerate.api import AutogenContext

    from .naming import NamingConvention

__all__ = [
    "LOCK_TIMEOUT",
    "CreateCheckNotValidOp",
    "CreateForeignKeyNotValidOp",
    "CreateUniqueUsingIndexOp",
    "DropUniqueConstraintSqlOp",
    "SetLockTimeoutOp",
    "SetNotNullSafelyOp",
    "autocommit_lines",
    "is_autocommit_form",
    "safe_form",
]

LOCK_TIMEOUT = "5s"
"""The ``lock_timeout`` a safe revision sets.  Long enough for a lock behind ordinary short
transactions, short enough that writers queued behind a waiting ALTER notice little."""


def autocommit_lines(autogen_context: AutogenContext, *stock: ops.MigrateOperation) -> list[str]:
    """``with op.get_context().autocommit_block():`` around the rendered ``stock`` ops."""
    body = [line for op in stock for line in _render.render_op_text(autogen_context, op).splitlines()]
    # A blank line ends the block for Alembic's PythonPrinter (as in batch_alter_table blocks).
    return ["with op.get_context().autocommit_block():", *body, ""]


def _table_sql(autogen_context: AutogenContext, schema: str | None, table: str) -> str:
    preparer = _preparer(autogen_context)
    quoted = preparer.quote(table)
    return f"{preparer.quote_schema(schema)}.{quoted}" if schema else quoted


def _quote(autogen_context: AutogenContext, name: str) -> str:
    return str(_preparer(autogen_context).quote(name))


def _preparer(autogen_context: AutogenContext) -> Any:
    # Safe forms are only made when autogenerate runs against PostgreSQL: a dialect is there.
    return autogen_context.dialect.identifier_preparer


def _sql(autogen_context: AutogenContext, text: str) -> list[str]:
    return _render.render_op_text(autogen_context, ops.ExecuteSQLOp(text)).splitlines()


def _validate_lines(autogen_context: AutogenContext, schema: str | None, table: str, name: str) -> list[str]:
    table_sql = _table_sql(autogen_context, schema, table)
    sql = f"ALTER TABLE {table_sql} VALIDATE CONSTRAINT {_quote(autogen_context, name)}"
    return autocommit_lines(autogen_context, ops.ExecuteSQLOp(sql))


# ---------------------------------------------------------------------------------------------
# The ops
# ---------------------------------------------------------------------------------------------


class CreateForeignKeyNotValidOp(ops.CreateForeignKeyOp):
    """``op.create_foreign_key(..., postgresql_not_valid=True)``, then VALIDATE in an autocommit block.

    Its reverse is the stock ``drop_constraint``.
    """

    @classmethod
    def of(cls, op: ops.CreateForeignKeyOp) -> CreateForeignKeyNotValidOp:
        kw = dict(op.kw)
        kw["postgresql_not_valid"] = True
        name = op.constraint_name
        if name is None:
            # PostgreSQL's own name for it: VALIDATE needs one (reversal.py reasons the same way).
            name = postgresql_default_name("fk", str(op.source_table), [str(c) for c in op.local_cols])
        return cls(name, op.source_table, op.referent_table, list(op.local_cols), list(op.remote_cols), **kw)


@_render.renderers.dispatch_for(CreateForeignKeyNotValidOp)
def _render_fk(autogen_context: AutogenContext, op: CreateForeignKeyNotValidOp) -> list[str]:
    stock = ops.CreateForeignKeyOp(
        op.constraint_name, op.source_table, op.referent_table, op.local_cols, op.remote_cols, **op.kw
    )
    return [
        *_render.render_op_text(autogen_context, stock).splitlines(),
        *_validate_lines(autogen_context, op.kw.get("source_schema"), op.source_table, str(op.constraint_name)),
    ]


class CreateCheckNotValidOp(ops.CreateCheckConstraintOp):
    """``op.create_check_constraint(..., postgresql_not_valid=True)``, then VALIDATE in an autocommit block."""

    @classmethod
    def of(cls, op: ops.CreateCheckConstraintOp) -> CreateCheckNotValidOp:
        kw = dict(op.kw)
        kw["postgresql_not_valid"] = True
        return cls(op.constraint_name, op.table_name, op.condition, schema=op.schema, **kw)


@_render.renderers.dispatch_for(CreateCheckNotValidOp)
def _render_check(autogen_context: AutogenContext, op: CreateCheckNotValidOp) -> list[str]:
    stock = ops.CreateCheckConstraintOp(op.constraint_name, op.table_name, op.condition, schema=op.schema, **op.kw)
    return [
        *_render.render_op_text(autogen_context, stock).splitlines(),
        *_validate_lines(autogen_context, op.schema, op.table_name, str(op.constraint_name)),
    ]


class DropUniqueConstraintSqlOp(ops.DropConstraintOp):
    """The reverse of :class:`CreateUniqueUsingIndexOp`: ``ALTER TABLE .. DROP CONSTRAINT`` (drops the index too).

    Rendered as SQL, not ``op.drop_constraint``: the upgrade created an *index* (then turned it
    into a constraint), and the reversal rules, which cannot see that conversion, would report a
    ``drop_constraint`` as not undoing the index (AS703).  Raw SQL is read as undecidable instead.
    """

    def __init__(
        self, constraint_name: str, table_name: str, *, schema: str | None = None, columns: Sequence[str]
    ) -> None:
        super().__init__(constraint_name, table_name, type_="unique", schema=schema)
        self.columns = list(columns)

    def reverse(self) -> CreateUniqueUsingIndexOp:
        return CreateUniqueUsingIndexOp(str(self.constraint_name), self.table_name, self.columns, schema=self.schema)


@_render.renderers.dispatch_for(DropUniqueConstraintSqlOp)
def _render_drop_unique(autogen_context: AutogenContext, op: DropUniqueConstraintSqlOp) -> list[str]:
    table = _table_sql(autogen_context, op.schema, op.table_name)
    name = _quote(autogen_context, str(op.constraint_name))
    return _sql(autogen_context, f"ALTER TABLE {table} DROP CONSTRAINT {name}")


class CreateUniqueUsingIndexOp(ops.CreateUniqueConstraintOp):
    """``CREATE UNIQUE INDEX CONCURRENTLY`` (autocommit block), then ``ADD CONSTRAINT .. UNIQUE USING INDEX``."""

    @classmethod
    def of(cls, op: ops.CreateUniqueConstraintOp, naming: NamingConvention) -> CreateUniqueUsingIndexOp:
        columns = [str(c) for c in op.columns]
        name = op.constraint_name
        if name is None:
            name = naming.unique(op.table_name, columns)
        return cls(name, op.table_name, columns, schema=op.schema, **op.kw)

    def reverse(self) -> DropUniqueConstraintSqlOp:
        return DropUniqueConstraintSqlOp(
            str(self.constraint_name), self.table_name, schema=self.schema, columns=[str(c) for c in self.columns]
        )


@_render.renderers.dispatch_for(CreateUniqueUsingIndexOp)
def _render_unique(autogen_context: AutogenContext, op: CreateUniqueUsingIndexOp) -> list[str]:
    # The name object itself (a ``conv`` renders as ``op.f(...)``, as Alembic renders the constraint).
    name_object = cast("str", op.constraint_name)
    index = ops.CreateIndexOp(
        name_object, op.table_name, list(op.columns), schema=op.schema, unique=True, postgresql_concurrently=True
    )
    table = _table_sql(autogen_context, op.schema, op.table_name)
    name = _quote(autogen_context, str(op.constraint_name))
    return [
        *autocommit_lines(autogen_context, index),
        *_sql(autogen_context, f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}"),
    ]


class SetNotNullSafelyOp(ops.AlterColumnOp):
    """``alter_column(nullable=False)`` preceded by a validated ``CHECK (col IS NOT NULL)`` and followed by its drop.

    The reverse is the stock ``alter_column(nullable=True)`` (the check does not outlive the upgrade).
    """

    check_name: str

    @classmethod
    def of(cls, op: ops.AlterColumnOp, check_name: str) -> SetNotNullSafelyOp:
        stock = _stock_alter(op)
        new = cls(stock.table_name, stock.column_name, schema=stock.schema, **_alter_kw(stock))
        new.check_name = check_name
        return new

    def reverse(self) -> ops.AlterColumnOp:
        # AlterColumnOp.reverse() builds ``self.__class__``: rebuilt as the stock op.
        return _stock_alter(ops.AlterColumnOp.reverse(self))


def _stock_alter(op: ops.AlterColumnOp) -> ops.AlterColumnOp:
    return ops.AlterColumnOp(op.table_name, op.column_name, schema=op.schema, **_alter_kw(op))


def _alter_kw(op: ops.AlterColumnOp) -> dict[str, Any]:
    return dict(
        existing_type=op.existing_type,
        existing_server_default=op.existing_server_default,
        existing_nullable=op.existing_nullable,
        existing_comment=op.existing_comment,
        modify_nullable=op.modify_nullable,
        modify_comment=op.modify_comment,
        modify_server_default=op.modify_server_default,
        modify_name=op.modify_name,
        modify_type=op.modify_type,
        **op.kw,
    )


@_render.renderers.dispatch_for(SetNotNullSafelyOp)
def _render_not_null(autogen_context: AutogenContext, op: SetNotNullSafelyOp) -> list[str]:
    table = _table_sql(autogen_context, op.schema, op.table_name)
    check = _quote(autogen_context, op.check_name)
    column = _quote(autogen_context, op.column_name)
    stock = _stock_alter(op)
    return [
        *_sql(autogen_context, f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID"),
        *_validate_lines(autogen_context, op.schema, op.table_name, op.check_name),
        *_render.render_op_text(autogen_context, stock).splitlines(),
        *_sql(autogen_context, f"ALTER TABLE {table} DROP CONSTRAINT {check}"),
    ]


class SetLockTimeoutOp(ops.ExecuteSQLOp):
    """``op.execute("SET lock_timeout = '5s'")``: first in the upgrade, and (moved there by the
    revision hook) first in the downgrade.  Session-level on purpose: it must outlive the commits
    of the autocommit blocks.  Its reverse is itself."""

    def __init__(self, timeout: str = LOCK_TIMEOUT) -> None:
        super().__init__(f"SET lock_timeout = '{timeout}'")
        self.timeout = timeout

    def reverse(self) -> SetLockTimeoutOp:
        return SetLockTimeoutOp(self.timeout)


_AUTOCOMMIT_FORMS = (CreateForeignKeyNotValidOp, CreateCheckNotValidOp, CreateUniqueUsingIndexOp, SetNotNullSafelyOp)


def is_autocommit_form(op: ops.MigrateOperation) -> bool:
    """True for a safe form that renders an autocommit block (never inside ``batch_alter_table``)."""
    return isinstance(op, _AUTOCOMMIT_FORMS)


def safe_form(op: ops.MigrateOperation, naming: NamingConvention) -> ops.MigrateOperation:
    """The lock-safe form of ``op`` -- an operation on an existing PostgreSQL table -- or ``op`` itself.

    Index builds are made concurrent by the caller (:mod:`alembic_standards.autogenerate`, which
    owns that form).  A CHECK without a name is left as it is: it cannot be validated by name
    (PostgreSQL's name for it depends on its expression); the revision hook reports it.
    """
    kind = type(op)
    if kind is ops.CreateForeignKeyOp:
        assert isinstance(op, ops.CreateForeignKeyOp)
        return CreateForeignKeyNotValidOp.of(op)
    if kind is ops.CreateCheckConstraintOp:
        assert isinstance(op, ops.CreateCheckConstraintOp)
        return op if op.constraint_name is None else CreateCheckNotValidOp.of(op)
    if kind is ops.CreateUniqueConstraintOp:
        assert isinstance(op, ops.CreateUniqueConstraintOp)
        return CreateUniqueUsingIndexOp.of(op, naming)
    if kind is ops.AlterColumnOp:
        assert isinstance(op, ops.AlterColumnOp)
        if op.modify_nullable is False and op.existing_nullable is not False:
            check = naming.check(op.table_name, f"{op.column_name}_not_null", [op.column_name])
            return SetNotNullSafelyOp.of(op, check)
    return op
