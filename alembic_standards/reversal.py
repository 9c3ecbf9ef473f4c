"""Does the downgrade undo the upgrade?  One answer for every stage.

The revision hook (Alembic op objects, :mod:`alembic_standards.directives`), the static checker
(``op.<name>(...)`` calls read from the AST, :mod:`alembic_standards.migrations`) and the pytest
checks all ask the same question.  They translate what they see into :class:`Change` records --
an action (create, drop, alter, rename) on an abstract :class:`Effect` (a table, a column, an
index, a constraint, a table comment) -- and :func:`match` decides, so the rules cannot drift
between stages.

What counts as undoing (decided here, once):

* a created object is undone by dropping it, or by dropping the table it lives on;
* a dropped object is undone by creating it again (same kind, same name);
* an altered column (or table comment) is undone by altering it again, or by dropping it or its
  table;
* ``rename_table(a, b)`` is undone by ``rename_table(b, a)`` or by dropping ``b``;
* rows bulk-inserted into a known table are undone by dropping that table.

Raw SQL (``op.execute``), bulk inserts, custom operations and operations whose names are computed
at run time cannot be matched without running them.  They are *undecidable*: reported as such
(AS704, informational) rather than guessed.  If the downgrade itself contains undecidable steps,
a missing reversal is undecidable too (the raw SQL may well be the reversal).

This module imports neither Alembic nor SQLAlchemy: op objects are read by duck typing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from .layout import op_name_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "Change",
    "Effect",
    "Missing",
    "Verdict",
    "change_from_op_call",
    "changes_from_ops",
    "has_leaf_ops",
    "match",
]

Action = Literal["create", "drop", "alter", "rename", "undecidable"]
Kind = Literal["table", "column", "index", "constraint", "table_comment", "rows"]


@dataclass(frozen=True)
class Effect:
    """A schema object an operation acts on."""

    kind: Kind
    table: str | None
    name: str | None = None
    """Column, index or constraint name (None for a table or a table comment)."""
    schema: str | None = None

    def same_object(self, other: Effect) -> bool:
        if self.kind != other.kind or self.schema != other.schema:
            return False
        if self.kind in ("table", "table_comment"):
            return self.table == other.table
        if self.kind == "index" and (self.table is None or other.table is None):
            return self.name == other.name  # drop_index() may omit the table
        return self.table == other.table and self.name == other.name

    def lives_on(self, table: Effect) -> bool:
        """True when this (non-table) object disappears with ``table``."""
        return (
            self.kind != "table"
            and table.kind == "table"
            and self.table is not None
            and self.table == table.table
            and self.schema == table.schema
        )

    def describe(self) -> str:
        where = f"{self.schema}.{self.table}" if self.schema else str(self.table)
        if self.kind == "table":
            return f"table {where!r}"
        if self.kind == "table_comment":
            return f"the comment of table {where!r}"
        if self.kind == "rows":
            return f"rows of table {where!r}"
        if self.kind == "column":
            return f"column {where}.{self.name}"
        label = "index" if self.kind == "index" else "constraint"
        on = f" on {where!r}" if self.table else ""
        return f"{label} {self.name!r}{on}" if self.name else f"unnamed {label}{on}"


@dataclass(frozen=True)
class Change:
    """One operation, reduced to what it does."""

    op: str
    """The operation name (``create_table``...)."""
    action: Action
    effect: Effect | None = None
    new_name: str | None = None
    """For ``rename_table`` and column renames: the new name."""
    line: int | None = None
    col: int | None = None
    reason: str = ""
    """Why an undecidable change cannot be judged."""

    def describe(self) -> str:
        if self.effect is None:
            return f"op.{self.op}(...)"
        return f"op.{self.op}() of {self.effect.describe()}"


@dataclass(frozen=True)
class Missing:
    """An upgrade change with no reversal in the downgrade."""

    change: Change
    expected: str
    """What the downgrade should do, e.g. ``op.drop_table('tags')``."""


@dataclass
class Verdict:
    """The outcome of :func:`match`."""

    missing: list[Missing] = field(default_factory=list)
    """Upgrade changes nothing in the downgrade undoes (AS703)."""
    unsure: list[Missing] = field(default_factory=list)
    """Like ``missing``, but the downgrade has undecidable steps that might undo them (AS704)."""
    undecidable: list[Change] = field(default_factory=list)
    """Upgrade changes that cannot be judged at all (raw SQL, dynamic names; AS704)."""

    @property
    def ok(self) -> bool:
        return not self.missing


# op name -> (action, kind).  The AST reader and the op-object reader both go through this table.
OPS: dict[str, tuple[Action, Kind]] = {
    "create_table": ("create", "table"),
    "drop_table": ("drop", "table"),
    "rename_table": ("rename", "table"),
    "add_column": ("create", "column"),
    "drop_column": ("drop", "column"),
    "alter_column": ("alter", "column"),
    "create_index": ("create", "index"),
    "drop_index": ("drop", "index"),
    "create_unique_constraint": ("create", "constraint"),
    "create_foreign_key": ("create", "constraint"),
    "create_check_constraint": ("create", "constraint"),
    "create_primary_key": ("create", "constraint"),
    "create_exclude_constraint": ("create", "constraint"),
    "create_constraint": ("create", "constraint"),
    "drop_constraint": ("drop", "constraint"),
    "create_table_comment": ("alter", "table_comment"),
    "drop_table_comment": ("alter", "table_comment"),
}

UNDECIDABLE_OPS = frozenset({"execute", "bulk_insert", "exec_driver_sql", "run_async", "invoke"})
"""Operations whose effect is only known by running them."""

NEUTRAL_OPS = frozenset(
    {
        "f",
        "get_bind",
        "get_context",
        "inline_literal",
        "batch_alter_table",
        "implementation_for",
        "register_operation",
    }
)
"""``op`` attributes that are not schema changes (``op.f`` names, ``op.get_bind()``...)."""


def change_from_op_call(
    op: str,
    *,
    table: str | None,
    name: str | None = None,
    schema: str | None = None,
    new_name: str | None = None,
    line: int | None = None,
    col: int | None = None,
) -> Change:
    """Build a :class:`Change` from an operation name and its (already resolved) arguments.

    ``table`` is the table the operation acts on (for ``rename_table`` the old name, with the new
    one in ``new_name``); ``name`` the column, index or constraint name.  Unknown operation names
    are undecidable.
    """
    if op == "bulk_insert" and table is not None:
        # Rows inserted into a known table are undone when the downgrade drops that table; a
        # DELETE in raw SQL makes the downgrade undecidable, which is reported as such.
        return Change(op, "create", Effect("rows", table, None, schema), line=line, col=col)
    if op in UNDECIDABLE_OPS or op not in OPS:
        why = (
            "raw SQL"
            if op in ("execute", "exec_driver_sql")
            else ("data operation" if op == "bulk_insert" else "operation unknown to alembic-standards")
        )
        return Change(op, "undecidable", None, line=line, col=col, reason=why)
    action, kind = OPS[op]
    return Change(op, action, Effect(kind, table, name, schema), new_name=new_name, line=line, col=col)


def _undoes(up: Change, down: Change) -> bool:
    u, d = up.effect, down.effect
    if u is None or d is None:
        return False
    if up.action == "create":
        return down.action == "drop" and (d.same_object(u) or u.lives_on(d))
    if up.action == "drop":
        return down.action == "create" and d.same_object(u)
    if up.action == "alter":
        if down.action == "drop" and (d.same_object(u) or u.lives_on(d)):
            return True
        if down.action != "alter" or u.kind != d.kind:
            return False
        if d.same_object(u):
            return True
        # A column renamed by the upgrade is restored by altering it under its new name.
        return up.new_name is not None and d.same_object(replace(u, name=up.new_name))
    if up.action == "rename":
        if down.action == "rename":
            return d.table == up.new_name and down.new_name == u.table and d.schema == u.schema
        return down.action == "drop" and d.kind == "table" and d.table == up.new_name and d.schema == u.schema
    return False


def _expected(change: Change) -> str:
    e = change.effect
    assert e is not None
    t = repr(e.table)
    schema = f", schema={e.schema!r}" if e.schema else ""
    if change.op == "rename_table":
        return f"op.rename_table({change.new_name!r}, {t}{schema})"
    inverse = {
        ("create", "table"): f"op.drop_table({t}{schema})",
        ("drop", "table"): f"op.create_table({t}, ...{schema})",
        ("create", "column"): f"op.drop_column({t}, {e.name!r}{schema})",
        ("drop", "column"): f"op.add_column({t}, sa.Column({e.name!r}, ...){schema})",
        ("alter", "column"): f"op.alter_column({t}, {e.name!r}, ...{schema}) restoring it",
        ("create", "index"): f"op.drop_index({e.name!r}, table_name={t}{schema})",
        ("drop", "index"): f"op.create_index({e.name!r}, {t}, [...]{schema})",
        ("create", "constraint"): f"op.drop_constraint({e.name!r}, {t}{schema})",
        ("drop", "constraint"): f"op.create_...({e.name!r}, {t}, ...{schema}) recreating it",
        ("alter", "table_comment"): f"op.create_table_comment({t}, <old comment>{schema}) or op.drop_table_comment",
        ("create", "rows"): f"op.execute('DELETE FROM ...') removing them, or op.drop_table({t}{schema})",
    }
    return inverse.get((change.action, e.kind), "its reversal")


def match(upgrade: Sequence[Change], downgrade: Sequence[Change]) -> Verdict:
    """Which upgrade changes does the downgrade fail to undo?"""
    verdict = Verdict()
    down_is_decidable = all(c.action != "undecidable" for c in downgrade)
    for change in upgrade:
        if change.action == "undecidable":
            verdict.undecidable.append(change)
            continue
        if any(_undoes(change, d) for d in downgrade):
            continue
        missing = Missing(change, _expected(change))
        (verdict.missing if down_is_decidable else verdict.unsure).append(missing)
    return verdict


# ------------------------------------------------------------------ Alembic op objects


def has_leaf_ops(container: object) -> bool:
    """True when an op container holds at least one real operation (recursively).

    ``OpContainer.is_empty()`` is shallow: a ``ModifyTableOps`` whose children were all removed
    still counts as an op there, yet renders as ``pass`` (reference §3.4).
    """
    for op in getattr(container, "ops", ()):
        if hasattr(op, "ops"):
            if has_leaf_ops(op):
                return True
        else:
            return True
    return False


def changes_from_ops(ops: Iterable[object]) -> list[Change]:
    """Translate Alembic operation objects (``UpgradeOps.ops`` etc.) into changes, recursively."""
    out: list[Change] = []
    for op in ops:
        children = getattr(op, "ops", None)
        if children is not None:
            out.extend(changes_from_ops(children))
            continue
        out.append(_change_from_op(op))
    return out


def _str(value: object) -> str | None:
    return str(value) if value is not None else None


def _change_from_op(op: object) -> Change:
    name = op_name_of(op)
    schema = _str(getattr(op, "schema", None))
    table = _str(getattr(op, "table_name", None))
    if name == "create_foreign_key":
        table = _str(getattr(op, "source_table", None))
        schema = _str(getattr(op, "kw", {}).get("source_schema"))
    obj: str | None = None
    new_name: str | None = None
    if name == "add_column":
        obj = _str(getattr(getattr(op, "column", None), "name", None))
    elif name in ("drop_column", "alter_column"):
        obj = _str(getattr(op, "column_name", None))
        new_name = _str(getattr(op, "modify_name", None))
    elif name in ("create_index", "drop_index"):
        obj = _str(getattr(op, "index_name", None))
    elif name in OPS and OPS[name][1] == "constraint":
        obj = _str(getattr(op, "constraint_name", None))
    elif name == "rename_table":
        new_name = _str(getattr(op, "new_table_name", None))
    elif name == "bulk_insert":
        target = getattr(op, "table", None)
        table = _str(getattr(target, "name", None))
        schema = _str(getattr(target, "schema", None))
    return change_from_op_call(name, table=table, name=obj, schema=schema, new_name=new_name)
