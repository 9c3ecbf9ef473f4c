"""Synthesize valid rows for any table, so constraints can be tested generically.

The spec's "Required Tests" insert duplicates to prove a unique constraint is enforced and create
parent/child objects to prove relationships load.  Written per model, those tests are boilerplate a
project forgets to extend; written here, they need rows for tables we have never seen.  A row is
built from the ``Table`` alone:

* NOT NULL columns without a default get a type-appropriate value, distinct on every call (a
  counter), so a second row never collides by accident;
* foreign keys are satisfied by inserting a parent row first (recursively; a cycle of required
  keys cannot be satisfied and is reported);
* ``col IN ('a', 'b')`` check constraints (the spec's status pattern) are honoured by picking an
  allowed value; other checks are left to the database, which may refuse the row.

When a row cannot be built, :class:`CannotSynthesize` says why, and callers report the table as
skipped with that reason instead of failing: the check is about the schema, not about our guesser.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import types as sqltypes

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Mapping

    from sqlalchemy import Column, Connection, ForeignKeyConstraint, Table

__all__ = ["CannotSynthesize", "RowFactory", "allowed_values"]

_IN_LIST = re.compile(r"""^\(?\s*"?(\w+)"?\s+IN\s*\((.*)\)\s*\)?$""", re.IGNORECASE | re.DOTALL)
_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_MAX_DEPTH = 8


class CannotSynthesize(Exception):
    """No valid row could be built for a table; ``str()`` is the reason."""


def allowed_values(table: Table) -> dict[str, list[str]]:
    """Columns restricted by a ``col IN ('a', 'b')`` check constraint, and their allowed values."""
    from sqlalchemy import CheckConstraint

    found: dict[str, list[str]] = {}
    for constraint in table.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        match = _IN_LIST.match(str(constraint.sqltext).strip())
        if match and match.group(1) in table.c:
            values = [v.replace("''", "'") for v in _QUOTED.findall(match.group(2))]
            if values:
                found[match.group(1)] = values
    return found


@dataclass
class RowFactory:
    """Builds and inserts rows through one connection (the caller owns the transaction)."""

    connection: Connection
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # -- values
    def value_for(self, column: Column[Any]) -> Any:
        """A fresh value of ``column``'s type (distinct from every value this factory made before)."""
        allowed = allowed_values(column.table).get(column.name)
        if allowed:
            return allowed[0]
        n = next(self._counter)
        type_ = column.type
        if isinstance(type_, sqltypes.Enum):
            enums = list(type_.enums)
            if not enums:
                raise CannotSynthesize(f"enum column {column.name} has no values")
            return type_.enum_class(enums[0]) if type_.enum_class is not None else enums[0]
        if isinstance(type_, sqltypes.Uuid):
            value = uuid.uuid4()
            return value if type_.as_uuid else str(value)
        if isinstance(type_, sqltypes.Boolean):
            return True
        if isinstance(type_, sqltypes.Integer):
            return n
        if isinstance(type_, sqltypes.Numeric):
            return decimal.Decimal(n) if type_.asdecimal else float(n)
        if isinstance(type_, sqltypes.DateTime):
            return dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=n)
        if isinstance(type_, sqltypes.Date):
            return dt.date(2024, 1, 1) + dt.timedelta(days=n)
        if isinstance(type_, sqltypes.Time):
            return dt.time(n % 24, (n // 24) % 60)
        if isinstance(type_, sqltypes.Interval):
            return dt.timedelta(seconds=n)
        if isinstance(type_, sqltypes.LargeBinary):
            size: int = type_.length or 16
            return n.to_bytes(8, "big").rjust(size, b"\x00")[-size:]
        if isinstance(type_, sqltypes.JSON):
            return {"n": n}
        if isinstance(type_, sqltypes.ARRAY):
            return []
        if isinstance(type_, sqltypes.String):
            text = f"v{n}"
            limit: int | None = getattr(type_, "length", None)
            if limit is not None and len(text) > limit:
                raise CannotSynthesize(f"column {column.name} ({type_}) is too short for a distinct value")
            return text
        raise CannotSynthesize(f"no value generator for column {column.name} of type {type_!r}")

    # -- rows
    def build(
        self,
        table: Table,
        fixed: Mapping[str, Any] | None = None,
        *,
        require: Collection[str] = (),
        _depth: int = 0,
    ) -> dict[str, Any]:
        """Values for a new row of ``table``: ``fixed`` plus whatever NOT NULL columns need.

        Parents of required foreign keys are inserted on the way (through this connection).
        Columns with a client or server default, autoincrement keys and nullable columns are
        left out so the database fills them in -- except the columns named in ``require``, which
        always get a value (a nullable column of a unique key must not be NULL in a duplicate test).
        """
        if _depth > _MAX_DEPTH:
            raise CannotSynthesize(f"foreign keys of {table.name} form a cycle or are nested too deeply")
        values: dict[str, Any] = dict(fixed or {})
        for fk in sorted(table.foreign_key_constraints, key=lambda c: tuple(c.column_keys)):
            cols = [c.name for c in fk.columns]
            if any(c in values for c in cols):
                continue
            if all(table.c[c].nullable for c in cols) and not set(cols) & set(require):
                continue  # an optional relation: leave it NULL
            values.update(self._parent_values(fk, _depth))
        for column in table.columns:
            if column.name in values or (column.name not in require and not self._needs_value(column)):
                continue
            values[column.name] = self.value_for(column)
        return values

    def insert(self, table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
        """Insert one row; return its values including the generated primary key."""
        result = self.connection.execute(table.insert().values(dict(values)))
        row = dict(values)
        pk = result.inserted_primary_key
        if pk is not None:
            for column, value in zip(table.primary_key.columns, pk, strict=False):
                if value is not None:
                    row[column.name] = value
        return row

    def _parent_values(self, fk: ForeignKeyConstraint, depth: int) -> dict[str, Any]:
        parent = fk.referred_table
        if parent is fk.parent:
            raise CannotSynthesize(f"{parent.name} references itself through a required foreign key")
        referred = [element.column.name for element in fk.elements]
        # The referenced columns must be known after the insert: give them explicit values
        # unless they are the primary key (whose generated value the insert reports).
        pk_names = [c.name for c in parent.primary_key.columns]
        fixed: dict[str, Any] = {}
        for name in referred:
            col = parent.c[name]
            if name not in pk_names and not col.foreign_keys:
                fixed[name] = self.value_for(col)
        row = self.insert(parent, self.build(parent, fixed, _depth=depth + 1))
        out: dict[str, Any] = {}
        for local, name in zip(fk.columns, referred, strict=False):
            if name not in row:
                raise CannotSynthesize(f"cannot learn {parent.name}.{name} of the inserted parent row")
            out[local.name] = row[name]
        return out

    @staticmethod
    def _needs_value(column: Column[Any]) -> bool:
        if column.default is not None or column.server_default is not None or column.computed is not None:
            return False
        if column.identity is not None:
            return False
        if column.primary_key and column.autoincrement is not False and _is_auto_integer(column):
            return False
        return not column.nullable or column.primary_key


def _is_auto_integer(column: Column[Any]) -> bool:
    table = column.table
    return (
        isinstance(column.type, sqltypes.Integer)
        and len(table.primary_key.columns) == 1
        and not column.foreign_keys
        and column.autoincrement in (True, "auto")
    )
