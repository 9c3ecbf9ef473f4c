"""The PostgreSQL enum types a generated downgrade must drop.

Why this exists: ``op.create_table`` creates a native enum type (``sa.Enum(..., name="status")``)
through the table's own events, but ``op.drop_table`` leaves it behind.  A downgrade Alembic
generates therefore does not undo its upgrade: the next ``alembic upgrade`` fails with
``DuplicateObject: type "status" already exists`` (found on PyPI's Warehouse, 21 types).  The
revision hook (:mod:`alembic_standards.directives`) adds a ``DROP TYPE IF EXISTS`` after the last
dropped table that uses each type the upgrade's tables create.

Left alone, on purpose: a type the table does not create (``postgresql.ENUM(...,
create_type=False)``, which is what ``alembic-postgresql-enum`` writes, with its own drops), a
non-native enum (a VARCHAR and a CHECK), and any type whose tables the downgrade does not all drop
(a hook reshaped it: the owner knows better).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic.autogenerate import render as _render
from alembic.operations import ops

from .safe_forms import _sql, _table_sql

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext

__all__ = ["DropEnumTypeOp", "add_enum_type_drops"]

TypeKey = tuple[str | None, str]
"""(schema, name) of an enum type."""


class DropEnumTypeOp(ops.MigrateOperation):
    """``op.execute("DROP TYPE IF EXISTS <name>")`` after the tables that used the type.

    Not an ``ExecuteSQLOp``: raw SQL belongs to the data section, while this drop belongs with the
    tables it follows (its class name classifies it so: :func:`~alembic_standards.layout.op_name_of`).
    """

    def __init__(self, name: str, schema: str | None = None) -> None:
        self.name = name
        self.schema = schema


@_render.renderers.dispatch_for(DropEnumTypeOp)
def _render_drop_enum_type(autogen_context: AutogenContext, op: DropEnumTypeOp) -> list[str]:
    # Quoted and rendered as the safe forms' raw SQL is (added on PostgreSQL only: a dialect is
    # there).  IF EXISTS: a team's own drop of the same type (before ours) must not make ours fail.
    return _sql(autogen_context, f"DROP TYPE IF EXISTS {_table_sql(autogen_context, op.schema, op.name)}")


def _created_types(table: ops.CreateTableOp) -> list[TypeKey]:
    """The enum types ``op.create_table`` creates for this table (its columns and arrays of them)."""
    found: list[TypeKey] = []
    for column in table.columns:
        if not isinstance(column, sa.Column):
            continue
        kind = column.type
        if isinstance(kind, sa.ARRAY):
            kind = kind.item_type
        if (
            isinstance(kind, sa.Enum)
            and kind.native_enum
            and kind.name
            # postgresql.ENUM(create_type=False) (rendered so): made elsewhere.  A MetaData the model's
            # type is bound to is not rendered: the migration's own create_table creates the type.
            and getattr(kind, "create_type", True)
        ):
            key = (kind.schema, kind.name)
            if key not in found:
                found.append(key)
    return found


def add_enum_type_drops(script: ops.MigrationScript) -> None:
    """Append a :class:`DropEnumTypeOp` to each downgrade, after the last ``drop_table`` of each type
    its upgrade's ``create_table`` calls create (PostgreSQL only: the caller decides)."""
    for up, down in zip(script.upgrade_ops_list, script.downgrade_ops_list, strict=False):
        tables: dict[TypeKey, set[tuple[str | None, str]]] = {}
        for op in up.ops:
            if isinstance(op, ops.CreateTableOp):
                for key in _created_types(op):
                    tables.setdefault(key, set()).add((op.schema, op.table_name))
        if not tables:
            continue
        last_drop: dict[TypeKey, int] = {}
        for key, users in tables.items():
            dropped = {
                (op.schema, op.table_name): position
                for position, op in enumerate(down.ops)
                if isinstance(op, ops.DropTableOp) and (op.schema, op.table_name) in users
            }
            if dropped.keys() == users:
                last_drop[key] = max(dropped.values())
        # From the end, so the positions still to use stay valid; types in the upgrade's order.
        for key, position in sorted(last_drop.items(), key=lambda item: -item[1]):
            schema, name = key
            at = position + 1
            while at < len(down.ops) and isinstance(down.ops[at], DropEnumTypeOp):
                at += 1  # after the drops already placed here, in the upgrade's order
            down.ops.insert(at, DropEnumTypeOp(name, schema))
