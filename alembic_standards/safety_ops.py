"""Alembic op objects -> :class:`alembic_standards.safety.Step` records, for the revision hook.

Why this module exists: :mod:`alembic_standards.safety` decides the AS10xx rules from neutral step
records and imports neither Alembic nor SQLAlchemy (the static checker feeds it from revision
files' syntax trees).  The revision hook sees Alembic's op objects instead; this is its adapter,
as :func:`alembic_standards.reversal.changes_from_ops` is for the reversal rules.  It reads the
op objects autogenerate makes, including the safe forms of :mod:`alembic_standards.safe_forms`,
which it translates into exactly the steps their rendered text performs -- so the hook and the
checker, reading the written file, agree.

What the database has at autogenerate time is what running code uses (the previous models): a
dropped or renamed table or column is therefore always "in use" (:func:`in_use`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alembic.operations import ops
from sqlalchemy import Sequence
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import DefaultClause
from sqlalchemy.sql.elements import ClauseElement, TextClause

from .safe_forms import (
    CreateCheckNotValidOp,
    CreateForeignKeyNotValidOp,
    CreateUniqueUsingIndexOp,
    SetNotNullSafelyOp,
)
from .safety import InUse, Step, steps_from_sql

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["in_use", "steps_from_ops"]

# The rules are PostgreSQL's: types and defaults are read as it writes them.
_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def steps_from_ops(operations: Iterable[ops.MigrateOperation], *, autocommit: bool = False) -> list[Step]:
    """The steps of ``operations`` (recursively through containers), in order."""
    out: list[Step] = []
    for op in operations:
        if isinstance(op, ops.OpContainer):
            out.extend(steps_from_ops(op.ops, autocommit=autocommit))
        else:
            out.extend(_steps(op))
    return out


def in_use(operations: Iterable[ops.MigrateOperation]) -> InUse:
    """The tables and columns the upgrade drops or renames: the database has them, so running code does."""
    tables: set[str] = set()
    columns: set[tuple[str, str]] = set()
    for step in steps_from_ops(operations):
        if step.table is None:
            continue
        if step.op in ("drop_table", "rename_table"):
            tables.add(step.table)
        elif step.op in ("drop_column", "rename_column"):
            columns.update((step.table, column) for column in step.columns)
    return InUse(frozenset(tables), frozenset(columns))


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _type_text(type_: Any) -> str | None:
    if type_ is None:
        return None
    try:
        return str(type_.compile(dialect=_DIALECT))
    except Exception:  # a type PostgreSQL cannot render: its Python name, never a crash
        return type(type_).__name__.upper()


def _default_text(default: Any) -> str | None:
    """The SQL text of a server default (``now()``, ``'x'``, ``gen_random_uuid()``)."""
    if default is None or default is False:
        return None
    if isinstance(default, DefaultClause):
        default = default.arg
    if isinstance(default, str):
        return "'" + default.replace("'", "''") + "'"
    if isinstance(default, TextClause):
        return default.text
    if isinstance(default, ClauseElement):
        try:
            return str(default.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))
        except Exception:
            return str(default)
    return str(default)


def _steps(op: ops.MigrateOperation) -> list[Step]:
    if isinstance(op, ops.CreateTableOp):
        return [Step("create_table", op.table_name, op.schema)]
    if isinstance(op, ops.DropTableOp):
        return [Step("drop_table", op.table_name, op.schema)]
    if isinstance(op, ops.RenameTableOp):
        return [Step("rename_table", op.table_name, op.schema, new_name=op.new_table_name)]
    if isinstance(op, ops.AddColumnOp):
        column = op.column
        # An identity or sequence column fills every existing row: a rewrite, like a volatile default.
        volatile = True if column.identity is not None or isinstance(column.default, Sequence) else None
        return [
            Step(
                "add_column",
                op.table_name,
                op.schema,
                columns=(column.name,),
                nullable=bool(column.nullable),
                server_default=None if volatile else _default_text(column.server_default),
                volatile=volatile,
            )
        ]
    if isinstance(op, ops.DropColumnOp):
        return [Step("drop_column", op.table_name, op.schema, columns=(op.column_name,))]
    if isinstance(op, ops.AlterColumnOp):
        return _alter_steps(op)
    if isinstance(op, ops.CreateIndexOp):
        concurrently = bool(op.kw.get("postgresql_concurrently"))
        columns = tuple(str(getattr(c, "name", c)) for c in op.columns)
        return [
            Step(
                "create_index",
                op.table_name,
                op.schema,
                columns=columns,
                name=_str(op.index_name),
                concurrently=concurrently,
                # The plugin renders every concurrent index build inside an autocommit block.
                autocommit=concurrently,
                unique=bool(op.unique),
            )
        ]
    if isinstance(op, ops.DropIndexOp):
        concurrently = bool(op.kw.get("postgresql_concurrently"))
        return [Step("drop_index", op.table_name, op.schema, name=_str(op.index_name), concurrently=concurrently)]
    if isinstance(op, ops.CreateForeignKeyOp):
        schema = _str(op.kw.get("source_schema"))
        name = _str(op.constraint_name)
        steps = [
            Step(
                "add_foreign_key",
                op.source_table,
                schema,
                columns=tuple(op.local_cols),
                name=name,
                not_valid=bool(op.kw.get("postgresql_not_valid")),
            )
        ]
        if isinstance(op, CreateForeignKeyNotValidOp):
            steps.append(Step("validate_constraint", op.source_table, schema, name=name, autocommit=True))
        return steps
    if isinstance(op, ops.CreateCheckConstraintOp):
        name = _str(op.constraint_name)
        steps = [
            Step(
                "add_check",
                op.table_name,
                op.schema,
                name=name,
                condition=str(op.condition),
                not_valid=bool(op.kw.get("postgresql_not_valid")),
            )
        ]
        if isinstance(op, CreateCheckNotValidOp):
            steps.append(Step("validate_constraint", op.table_name, op.schema, name=name, autocommit=True))
        return steps
    if isinstance(op, CreateUniqueUsingIndexOp):
        name = _str(op.constraint_name)
        columns = tuple(str(c) for c in op.columns)
        return [
            Step(
                "create_index",
                op.table_name,
                op.schema,
                columns=columns,
                name=name,
                concurrently=True,
                unique=True,
                autocommit=True,
            ),
            Step("add_unique", op.table_name, op.schema, columns=columns, name=name, using_index=name),
        ]
    if isinstance(op, ops.CreateUniqueConstraintOp):
        columns = tuple(str(c) for c in op.columns)
        return [Step("add_unique", op.table_name, op.schema, columns=columns, name=_str(op.constraint_name))]
    if isinstance(op, ops.CreatePrimaryKeyOp):
        columns = tuple(str(c) for c in op.columns)
        return [Step("add_primary_key", op.table_name, op.schema, columns=columns, name=_str(op.constraint_name))]
    if isinstance(op, ops.DropConstraintOp):
        return [Step("drop_constraint", op.table_name, op.schema, name=_str(op.constraint_name))]
    if isinstance(op, ops.ExecuteSQLOp) and isinstance(op.sqltext, str):
        return steps_from_sql(op.sqltext)
    return []


def _alter_steps(op: ops.AlterColumnOp) -> list[Step]:
    steps: list[Step] = []
    if isinstance(op, SetNotNullSafelyOp):
        # What the safe form renders: CHECK (col IS NOT NULL) NOT VALID, VALIDATE (autocommit), then the alter.
        steps += [
            Step(
                "add_check",
                op.table_name,
                op.schema,
                name=op.check_name,
                condition=f"{op.column_name} IS NOT NULL",
                not_valid=True,
            ),
            Step("validate_constraint", op.table_name, op.schema, name=op.check_name, autocommit=True),
        ]
    if op.modify_name is not None:
        steps.append(
            Step("rename_column", op.table_name, op.schema, columns=(op.column_name,), new_name=op.modify_name)
        )
    if op.modify_nullable is not None or op.modify_type is not None or op.modify_server_default is not False:
        steps.append(
            Step(
                "alter_column",
                op.table_name,
                op.schema,
                columns=(op.column_name,),
                nullable=op.modify_nullable,
                old_type=_type_text(op.existing_type),
                new_type=_type_text(op.modify_type),
                using="postgresql_using" in op.kw,
            )
        )
    if isinstance(op, SetNotNullSafelyOp):
        steps.append(Step("drop_constraint", op.table_name, op.schema, name=op.check_name))
    return steps
