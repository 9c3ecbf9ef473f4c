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
* rows bulk-inserted into a known table are undone by dropping that table;
* a table keeps its identity through renames: after ``rename_table(a, b)`` (in either function),
  an index or constraint on ``a`` is the same object as one of that name on ``b``;
* a constraint created without a name is undone by dropping the name PostgreSQL gives it
  (``item_owner_id_fkey``); the hint never suggests ``drop_constraint(None, ...)``, which fails;
* a guarded drop (``if_exists=True``) that the same upgrade follows with a creation of the same
  object is "create or replace": only the creation needs undoing.

Raw SQL (``op.execute``), bulk inserts, custom operations and operations whose names are computed
at run time cannot be matched without running them.  They are *undecidable*: reported as such
(AS704, informational) rather than guessed.  If the downgrade itself contains undecidable steps,
a missing reversal is undecidable too (the raw SQL may well be the reversal).

This module imports neither Alembic nor SQLAlchemy: op objects are read by duck typing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from . import naming
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
    "unnamed_constraint_name",
]

_set: Final = object.__setattr__

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

    def __init__(self, kind: Kind, table: str | None, name: str | None = None, schema: str | None = None) -> None:
        # The dataclass's own __init__ of a frozen class calls object.__setattr__ once per field;
        # one instance dict built at once takes half the instructions (an Effect and a Change per
        # operation of every revision: issue 15).  Keep in step with the fields above.
        _set(self, "__dict__", {"kind": kind, "table": table, "name": name, "schema": schema})

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
    default_names: tuple[str, ...] = ()
    """For a constraint created without a name: the name(s) the database gives it."""
    if_exists: bool = False
    """A drop guarded with ``if_exists=True`` (the object may not exist)."""
    columns: tuple[str, ...] = ()
    """For a created index or constraint: its columns, when all are known.  Dropping one of them
    drops the object too (PostgreSQL drops the indexes and constraints involving a dropped column;
    SQLite's batch mode rebuilds the table without them)."""

    def __init__(
        self,
        op: str,
        action: Action,
        effect: Effect | None = None,
        new_name: str | None = None,
        line: int | None = None,
        col: int | None = None,
        reason: str = "",
        default_names: tuple[str, ...] = (),
        if_exists: bool = False,
        columns: tuple[str, ...] = (),
    ) -> None:
        # As Effect.__init__: the fields in one step.  Keep in step with the fields above.
        _set(
            self,
            "__dict__",
            {
                "op": op,
                "action": action,
                "effect": effect,
                "new_name": new_name,
                "line": line,
                "col": col,
                "reason": reason,
                "default_names": default_names,
                "if_exists": if_exists,
                "columns": columns,
            },
        )

    def describe(self) -> str:
        if self.effect is None:
            # op.execute(...); a local helper or an ORM session is named as it is called.
            known = self.op in OPS or self.op in UNDECIDABLE_OPS
            return f"op.{self.op}(...)" if known else f"{self.op}(...)"
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
    columns: Sequence[str] | None = None,
    if_exists: bool = False,
) -> Change:
    """Build a :class:`Change` from an operation name and its (already resolved) arguments.

    ``table`` is the table the operation acts on (for ``rename_table`` the old name, with the new
    one in ``new_name``); ``name`` the column, index or constraint name; ``columns`` the columns
    of a created constraint (when all are known: they give an unnamed constraint its database
    name); ``if_exists`` whether a drop is guarded.  Unknown operation names are undecidable.
    """
    entry = OPS.get(op)
    if entry is None:  # no operation of UNDECIDABLE_OPS is in OPS
        if op == "bulk_insert" and table is not None:
            # Rows inserted into a known table are undone when the downgrade drops that table; a
            # DELETE in raw SQL makes the downgrade undecidable, which is reported as such.
            return Change(op, "create", Effect("rows", table, None, schema), line=line, col=col)
        why = (
            "raw SQL"
            if op in ("execute", "exec_driver_sql")
            else ("data operation" if op == "bulk_insert" else "operation unknown to alembic-standards")
        )
        return Change(op, "undecidable", None, line=line, col=col, reason=why)
    action, kind = entry
    defaults: tuple[str, ...] = ()
    if name is None and action == "create" and kind == "constraint" and table is not None:
        default = unnamed_constraint_name(op, table, columns)
        defaults = (default,) if default is not None else ()
    on = tuple(columns) if columns and action == "create" and (kind == "index" or kind == "constraint") else ()
    # Positional arguments: cheaper than keywords on this per-operation path.
    return Change(
        op,
        action,
        Effect(kind, table, name, schema),
        new_name,
        line,
        col,
        "",
        defaults,
        if_exists and action == "drop",
        on,
    )


_PG_KINDS: Final = {
    "create_foreign_key": "fk",
    "create_unique_constraint": "uq",
    "create_primary_key": "pk",
}
_CONSTRAINT_TYPES: Final = {
    "create_foreign_key": "foreignkey",
    "create_unique_constraint": "unique",
    "create_primary_key": "primary",
    "create_check_constraint": "check",
}


def unnamed_constraint_name(op: str, table: str, columns: Sequence[str] | None) -> str | None:
    """The name PostgreSQL gives a constraint created by ``op`` without a name, or None when unknown.

    Only the operation-to-kind mapping lives here; the names are :func:`naming.postgresql_default_name`
    (the one implementation of PostgreSQL's ``ChooseConstraintName``).  A check constraint's name
    depends on its expression, and a name already taken gets a number appended: both are left
    unknown rather than guessed.
    """
    kind = _PG_KINDS.get(op)
    if kind is None:
        return None
    if kind != "pk" and not columns:
        return None
    return naming.postgresql_default_name(kind, table, tuple(columns or ()))


def _expected(change: Change) -> str:
    e = change.effect
    assert e is not None
    t = repr(e.table)
    schema = f", schema={e.schema!r}" if e.schema else ""
    if change.op == "rename_table":
        return f"op.rename_table({change.new_name!r}, {t}{schema})"
    if change.action == "create" and e.kind == "constraint" and e.name is None:
        # drop_constraint(None, ...) fails: point at the name the database gives it instead.
        type_ = _CONSTRAINT_TYPES.get(change.op)
        type_arg = f", type_={type_!r}" if type_ else ""
        if change.default_names:
            return (
                f"op.drop_constraint({change.default_names[0]!r}, {t}{type_arg}{schema}) (the name PostgreSQL "
                "gives it; better, name the constraint in the upgrade and drop it by that name)"
            )
        return "the constraint dropped by its name in the database; name it in the upgrade and drop it by that name"
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


_Key = tuple[str, str, "str | None", "str | None", "str | None"]
"""(action, kind, schema, table identity, name) of a change's effect."""
_IndexKey = tuple[str, "str | None", "str | None"]
"""(action, schema, name) of an index's creation or drop."""


class _Tables:
    """Table identity through renames: ``rename_table(a, b)`` anywhere makes ``a`` and ``b`` one table.

    A union-find over (schema, name); :meth:`identity` is the representative name.
    """

    def __init__(self, upgrade: Sequence[Change], downgrade: Sequence[Change]) -> None:
        self.parent: dict[tuple[str | None, str], tuple[str | None, str]] = {}
        for changes in (upgrade, downgrade):
            for change in changes:
                if change.op != "rename_table":
                    continue
                e = change.effect
                if e is not None and e.table is not None and change.new_name is not None:
                    a, b = self._find((e.schema, e.table)), self._find((e.schema, change.new_name))
                    if a != b:
                        self.parent[max(a, b, key=repr)] = min(a, b, key=repr)

    def _find(self, node: tuple[str | None, str]) -> tuple[str | None, str]:
        path = []
        while node in self.parent:
            path.append(node)
            node = self.parent[node]
        for item in path:  # path compression: later look-ups are constant time
            self.parent[item] = node
        return node

    def identity(self, schema: str | None, table: str | None) -> str | None:
        if table is None or not self.parent:
            return table
        return self._find((schema, table))[1]


class _Effects:
    """The downgrade's effects indexed by object, so each upgrade change is matched in constant time.

    Same answers as comparing every pair with :meth:`Effect.same_object` / :meth:`Effect.lives_on`
    (an index named without its table matches an index of that name on any table), only linear.
    One flat set of (action, object) keys: the matcher runs once per revision, and its set-up
    (a set per action) cost more than the matching (issue 15).
    """

    def __init__(self, changes: Iterable[Change], tables: _Tables) -> None:
        self.tables = tables
        self.renamed = bool(tables.parent)
        """Whether any table is renamed (else a table's identity is its name)."""
        self.keys: set[_Key] = set()
        # Index effects by (schema, name) regardless of table, and those given without a table.
        self.indexes: set[_IndexKey] = set()
        self.indexes_without_table: set[_IndexKey] = set()
        self.renames: set[tuple[str | None, str | None, str | None]] = set()
        self.dropped_names: dict[tuple[str, str | None, str | None], list[str]] = {}
        """Names of the indexes and constraints dropped, by (kind, schema, table identity)."""
        self.created_objects: dict[tuple[str, str | None, str | None], list[tuple[str | None, Change]]] = {}
        """The indexes and constraints created (name, change), by (kind, schema, table identity)."""
        self.decidable = True
        """No change is undecidable."""
        for change in changes:
            action = change.action
            if action == "undecidable":
                self.decidable = False
                continue
            e = change.effect
            if e is None:
                continue
            if action == "rename":
                self.renames.add((e.schema, e.table, change.new_name))
                continue
            self.add(action, e)
            if action == "create" and (e.kind == "index" or e.kind == "constraint"):
                table = self._table(e)
                self.created_objects.setdefault((e.kind, e.schema, table), []).append((e.name, change))

    def _table(self, e: Effect) -> str | None:
        """The identity of the table ``e`` is on (renames join a table's names; else its name)."""
        return self.tables.identity(e.schema, e.table) if self.renamed else e.table

    def add(self, action: str, e: Effect) -> None:
        """Record a ``create``, ``drop`` or ``alter`` of ``e``."""
        kind = e.kind
        table = self._table(e)
        if kind == "table" or kind == "table_comment":
            self.keys.add((action, kind, e.schema, table, None))
            return
        self.keys.add((action, kind, e.schema, table, e.name))
        if action == "drop" and e.name is not None and (kind == "index" or kind == "constraint"):
            self.dropped_names.setdefault((kind, e.schema, table), []).append(e.name)
        if kind == "index" and action != "alter":
            self.indexes.add((action, e.schema, e.name))
            if e.table is None:
                self.indexes_without_table.add((action, e.schema, e.name))

    def has(self, action: str, e: Effect, name: str | None = None) -> bool:
        """Is there a ``action`` (create/drop/alter) of the same object as ``e`` (named ``name``)?"""
        kind = e.kind
        if name is None:
            name = e.name
        if kind == "index" and action != "alter":
            wanted = (action, e.schema, name)
            if e.table is None:
                return wanted in self.indexes
            if wanted in self.indexes_without_table:
                return True
        table = self._table(e)
        if kind == "table" or kind == "table_comment":
            name = None
        return (action, kind, e.schema, table, name) in self.keys

    def drops_by_convention(self, change: Change) -> bool:
        """Is the index or constraint ``change`` creates dropped under the name a naming convention gave it?

        Alembic applies the target metadata's ``naming_convention`` to every ``op.*`` call
        (Indico's ``env.py``): ``op.create_check_constraint("age_positive", "users", ...)`` creates
        ``ck_users_age_positive`` when the template has ``%(constraint_name)s``, and
        ``op.create_foreign_key(None, "comments", "revisions", ["revision_id"], ["id"])`` creates
        ``fk_comments_revision_id_revisions``; the downgrade drops those names.  Without the
        convention (it lives in the models, not in the file), a drop on the same table whose name
        ends with ``_<name>``, or for an unnamed one names the table and every column, is taken
        for it: an object this downgrade drops under such a name is that object.
        """
        e = change.effect
        if e is None or e.table is None:
            return False
        table = self._table(e)
        dropped = self.dropped_names.get((e.kind, e.schema, table), ())
        if not dropped and e.kind == "index":
            dropped = self.dropped_names.get((e.kind, e.schema, None), ())  # drop_index(name) alone
        if e.name is not None:
            suffix = "_" + e.name
            return any(name.endswith(suffix) for name in dropped)
        return any(_spells(name, e.table, change) for name in dropped)

    def creates_by_convention(self, e: Effect) -> bool:
        """Is the dropped index or constraint ``e`` created again under a name a naming convention
        turns into ``e``'s?  The mirror of :meth:`drops_by_convention`: the upgrade drops
        ``ck_revisions_valid_state`` and the downgrade creates ``valid_state`` (or an unnamed one
        whose table and columns ``e``'s name spells), which the convention names the same."""
        if e.name is None or e.table is None:
            return False
        table = self._table(e)
        for name, created in self.created_objects.get((e.kind, e.schema, table), ()):
            if e.name.endswith("_" + name) if name is not None else _spells(e.name, e.table, created):
                return True
        return False

    def drops_table_of(self, e: Effect) -> bool:
        """Is the table ``e`` lives on dropped?"""
        if e.kind == "table" or e.table is None:
            return False
        table = self._table(e)
        return ("drop", "table", e.schema, table, None) in self.keys


def _spells(name: str, table: str, created: Change) -> bool:
    """Whether ``name`` is what a naming convention may call the unnamed object ``created`` on
    ``table``: it names the table and every column; a primary key, the table alone (conventions
    name it ``pk_%(table_name)s``; PostgreSQL ``<table>_pkey``), since a table has one."""
    if table not in name:
        return False
    if created.op == "create_primary_key":
        return "pk" in name
    columns = created.columns
    return bool(columns) and all(column in name for column in columns)


def _undone(change: Change, down: _Effects, dropped: _Effects | None) -> bool:
    """Does the downgrade (``down``) undo ``change``?  ``dropped``: the tables the upgrade drops."""
    u = change.effect
    if u is None:
        return False
    action = change.action
    if action == "create":
        if down.has("drop", u) or down.drops_table_of(u):
            return True
        if u.name is None and any(down.has("drop", u, name) for name in change.default_names):
            return True
        if (u.kind == "index" or u.kind == "constraint") and down.drops_by_convention(change):
            return True
        # An index or constraint goes with any of its columns the downgrade drops (Prefect's
        # downgrades drop the column an upgrade added with its index and foreign key).
        return any(down.has("drop", Effect("column", u.table, column, u.schema)) for column in change.columns)
    if action == "drop":
        # `_alembic_tmp_<table>` is the table Alembic's batch mode builds and renames; dropping one
        # a failed run left behind (Langflow) is cleaning up, not a change to the schema.
        if down.has("create", u) or (u.kind == "table" and (u.table or "").startswith("_alembic_tmp_")):
            return True
        if (u.kind == "index" or u.kind == "constraint") and down.creates_by_convention(u):
            return True
        # A column, index or constraint dropped from a table the upgrade then drops whole comes back
        # with that table when the downgrade creates it (MindsDB drops a foreign key and its column,
        # then the table; the downgrade's create_table has both).  Tables by identity, as everywhere.
        return (
            dropped is not None
            and dropped.drops_table_of(u)
            and down.has("create", Effect("table", u.table, None, u.schema))
        )
    if action == "alter":
        if down.has("drop", u) or down.drops_table_of(u):
            return True
        if down.has("alter", u):
            return True
        # A column renamed by the upgrade is restored by altering it under its new name.
        return change.new_name is not None and down.has("alter", u, change.new_name)
    if action == "rename":
        if (u.schema, change.new_name, u.table) in down.renames:
            return True
        renamed = Effect("table", change.new_name, None, u.schema)
        return down.has("drop", renamed)
    return False


def _replaced(upgrade: Sequence[Change], tables: _Tables) -> set[int]:
    """Guarded drops (``if_exists=True``) followed in the same upgrade by a creation of the same object.

    Such a pair is "create or replace" (the spec's clean-schema migration, the idempotent
    ``drop_index(if_exists=True)`` + ``create_index(postgresql_concurrently=True)``): the object
    may not have existed, so only the creation needs undoing.
    """
    out: set[int] = set()
    for change in upgrade:
        if change.if_exists and change.action == "drop":
            break
    else:
        return out  # no guarded drop (nearly every revision): nothing to index
    later = _Effects((), tables)
    for change in reversed(upgrade):
        e = change.effect
        if e is None:
            continue
        if change.action == "drop" and change.if_exists and later.has("create", e):
            out.add(id(change))
        if change.action == "create":
            later.add("create", e)
    return out


def _transient(upgrade: Sequence[Change], down: _Effects) -> set[int]:
    """Objects the upgrade creates and then drops again: each such creation with the drop that
    removes it (a helper index built for a backfill and dropped after it: Warehouse).  The pair
    leaves nothing behind, so the downgrade has nothing of it to undo.  A drop followed by a
    creation is not such a pair: it replaces an object that existed before (see :func:`_replaced`).

    Only for an object the downgrade does not touch: the operations of both arms of a branch are
    read in a row (an ``if sqlite:`` arm's creation, then the ``else`` arm's drop of the original:
    Airflow), and a downgrade that creates or drops the object says it is not a helper.
    """
    out: set[int] = set()
    pending: list[Change] = []
    for change in upgrade:
        e = change.effect
        if e is None or (e.kind != "table" and e.name is None):
            continue  # an unnamed object cannot be dropped by name
        if down.has("create", e) or down.has("drop", e):
            continue
        if change.action == "create":
            pending.append(change)
        elif change.action == "drop":
            for i in range(len(pending) - 1, -1, -1):
                created = pending[i].effect
                if created is not None and created.same_object(e):
                    out |= {id(pending.pop(i)), id(change)}
                    break
    return out


def match(upgrade: Sequence[Change], downgrade: Sequence[Change]) -> Verdict:
    """Which upgrade changes does the downgrade fail to undo?

    Linear in the number of changes: the downgrade's effects are indexed once (:class:`_Effects`).
    """
    verdict = Verdict()
    tables = _Tables(upgrade, downgrade)
    effects = _Effects(downgrade, tables)
    replaced = _replaced(upgrade, tables)
    # Nearly every revision drops nothing it created: the walk only when the upgrade drops at all.
    transient = _transient(upgrade, effects) if any(c.action == "drop" for c in upgrade) else set()
    table_drops = [c for c in upgrade if c.action == "drop" and c.effect is not None and c.effect.kind == "table"]
    dropped = _Effects(table_drops, tables) if table_drops else None
    for change in upgrade:
        if change.action == "undecidable":
            verdict.undecidable.append(change)
            continue
        if (replaced and id(change) in replaced) or (transient and id(change) in transient):
            continue
        if _undone(change, effects, dropped):
            continue
        missing = Missing(change, _expected(change))
        (verdict.missing if effects.decidable else verdict.unsure).append(missing)
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
    raw_columns = getattr(op, "local_cols", None) if name == "create_foreign_key" else getattr(op, "columns", None)
    columns = [str(c) for c in raw_columns] if isinstance(raw_columns, (list, tuple)) else None
    return change_from_op_call(
        name,
        table=table,
        name=obj,
        schema=schema,
        new_name=new_name,
        columns=columns,
        if_exists=getattr(op, "if_exists", None) is True,
    )
