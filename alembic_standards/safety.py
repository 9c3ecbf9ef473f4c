"""Is this migration safe to run on a live PostgreSQL database?  One decider for every stage.

The static checker (``op.<name>(...)`` calls read from a revision's syntax tree,
:mod:`alembic_standards.migrations.safety_steps`) and the revision hook (Alembic op objects at
``alembic revision --autogenerate``) ask the same question: which step of this revision takes a
lock that stops the application's reads or writes for as long as it scans or rewrites an existing
table, or breaks code that is already running?  Each stage translates what it sees into neutral
:class:`Step` records, and :func:`check` decides (rules AS1001-AS1011), so the rules cannot drift
between stages -- the pattern of :mod:`alembic_standards.reversal`.

What is decided here, once:

* *Existing* table: one the steps did not create themselves.  The caller says which tables are
  known to exist before the steps run (``existing``: the checker passes "every table this revision
  did not create", which the history guarantees -- a revision runs after its ancestors --, the
  revision hook passes the tables of the database); a table created by an earlier step of the same
  list is new and nothing on it is reported (it is empty, and no one else can see it yet).
* Autocommit blocks (``with op.get_context().autocommit_block():``) run outside the revision's
  transaction: a ``CREATE INDEX CONCURRENTLY`` can only run there, and a backfill there is not held
  in the DDL transaction.
* Raw SQL (``op.execute``) is read by :func:`steps_from_sql`, which recognises the statements the
  safe forms are written with (``CREATE INDEX CONCURRENTLY``, ``ADD CONSTRAINT ... NOT VALID``,
  ``VALIDATE CONSTRAINT``, ``ADD CONSTRAINT ... UNIQUE USING INDEX``, ``SET lock_timeout``) and the
  unsafe ones written by hand; anything else is not a step (never guessed).
* Volatile defaults (:func:`is_volatile_default`) and type changes that rewrite the table
  (:func:`type_change_rewrites`) are judged from the SQL text of the default and the types.

PostgreSQL only: the locks and the safe forms are PostgreSQL's.  The caller leaves out what runs on
another dialect (the checker skips ``batch_alter_table`` blocks, SQLite's mode).

This module imports neither Alembic nor SQLAlchemy: it is pure data and string matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

from .coverage import KeyColumns
from .findings import RuleId
from .lazy_re import LazyPattern

if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterable, Sequence

    from .coverage import KeyKind

__all__ = [
    "LOCKING_OPS",
    "Hazard",
    "InUse",
    "Step",
    "StepOp",
    "TableKey",
    "check",
    "has_nothing_to_undo",
    "is_volatile_default",
    "normalise_type",
    "step_from_json",
    "step_to_json",
    "steps_from_sql",
    "type_change_rewrites",
]

StepOp = Literal[
    "create_table",
    "drop_table",
    "rename_table",
    "add_column",
    "drop_column",
    "rename_column",
    "alter_column",
    "create_index",
    "drop_index",
    "add_foreign_key",
    "add_check",
    "add_unique",
    "add_primary_key",
    "drop_constraint",
    "validate_constraint",
    "data",
    "set_timeout",
    "alter_table",
]
"""What a step does.  ``data`` is a backfill (``UPDATE``, ``DELETE``, ``INSERT ... SELECT``) of
``table``; ``set_timeout`` is a ``SET [LOCAL] lock_timeout`` (or ``statement_timeout``);
``alter_table`` is any other ``ALTER TABLE`` of raw SQL (it locks the table; no other rule reads it)."""

TableKey = tuple[str | None, str]
"""(schema, table)."""

_set: Final = object.__setattr__


@dataclass(frozen=True)
class Step:
    """One operation of a migration, reduced to what matters for locks and running code."""

    op: StepOp
    table: str | None
    schema: str | None = None
    columns: tuple[str, ...] = ()
    """The columns the step acts on (an added or altered column, an index's or constraint's columns)."""
    name: str | None = None
    """The index or constraint name (the constraint a ``validate_constraint`` validates)."""
    new_name: str | None = None
    """For ``rename_table`` / ``rename_column``: the new name."""
    concurrently: bool = False
    """``create_index``/``drop_index``: ``postgresql_concurrently=True`` / ``... INDEX CONCURRENTLY``."""
    autocommit: bool = False
    """The step runs inside an autocommit block, outside the revision's transaction."""
    not_valid: bool = False
    """``add_foreign_key`` / ``add_check``: created ``NOT VALID`` (existing rows not scanned)."""
    using_index: str | None = None
    """``add_unique`` / ``add_primary_key``: ``... USING INDEX name`` (no index build, no scan)."""
    unique: bool = False
    """``create_index``: a unique index."""
    condition: str | None = None
    """``add_check``: the SQL condition, when known (``email IS NOT NULL``)."""
    nullable: bool | None = None
    """``add_column``: the column's nullability; ``alter_column``: the new one (None: unchanged)."""
    old_type: str | None = None
    """``alter_column``: the type before (``existing_type``), SQL-like text (``VARCHAR(50)``)."""
    new_type: str | None = None
    """``alter_column``: the new type (None: unchanged)."""
    using: bool = False
    """``alter_column``: ``postgresql_using=...`` (an explicit conversion: always a rewrite)."""
    server_default: str | None = None
    """``add_column``: the server default's SQL text (``now()``, ``'x'``, ``gen_random_uuid()``)."""
    volatile: bool | None = None
    """``add_column``: the default is volatile (an identity or serial column is); None: decide
    from ``server_default`` with :func:`is_volatile_default`."""
    line: int | None = None
    col: int | None = None

    def __init__(
        self,
        op: StepOp,
        table: str | None,
        schema: str | None = None,
        columns: tuple[str, ...] = (),
        name: str | None = None,
        new_name: str | None = None,
        concurrently: bool = False,
        autocommit: bool = False,
        not_valid: bool = False,
        using_index: str | None = None,
        unique: bool = False,
        condition: str | None = None,
        nullable: bool | None = None,
        old_type: str | None = None,
        new_type: str | None = None,
        using: bool = False,
        server_default: str | None = None,
        volatile: bool | None = None,
        line: int | None = None,
        col: int | None = None,
    ) -> None:
        # The dataclass's own __init__ of a frozen class calls object.__setattr__ once per field
        # (20 here); one instance dict built at once takes 15.6K instructions instead of 34.5K
        # (issue 15: a step per operation of every revision).  Keep in step with the fields above.
        _set(
            self,
            "__dict__",
            {
                "op": op,
                "table": table,
                "schema": schema,
                "columns": columns,
                "name": name,
                "new_name": new_name,
                "concurrently": concurrently,
                "autocommit": autocommit,
                "not_valid": not_valid,
                "using_index": using_index,
                "unique": unique,
                "condition": condition,
                "nullable": nullable,
                "old_type": old_type,
                "new_type": new_type,
                "using": using,
                "server_default": server_default,
                "volatile": volatile,
                "line": line,
                "col": col,
            },
        )

    @property
    def key(self) -> TableKey | None:
        return (self.schema, self.table) if self.table is not None else None

    def where(self) -> str:
        """``'users'`` or ``'app.users'``."""
        return repr(f"{self.schema}.{self.table}" if self.schema else str(self.table))

    def column_text(self) -> str:
        """``users.email`` for a one-column step, ``users(a, b)`` for several."""
        table = f"{self.schema}.{self.table}" if self.schema else str(self.table)
        if len(self.columns) == 1:
            return f"{table}.{self.columns[0]}"
        return f"{table}({', '.join(self.columns)})"


_STR_FIELDS: Final = frozenset(
    {"table", "schema", "name", "new_name", "using_index", "condition", "old_type", "new_type", "server_default"}
)
_BOOL_FIELDS: Final = frozenset({"concurrently", "autocommit", "not_valid", "unique", "using"})
_OPT_BOOL_FIELDS: Final = frozenset({"nullable", "volatile"})
_INT_FIELDS: Final = frozenset({"line", "col"})
_STEP_OPS: Final = frozenset(StepOp.__args__)  # type: ignore[attr-defined]


def step_to_json(step: Step) -> dict[str, object]:
    """A step as a JSON object of its non-default fields (the checker's cache stores steps)."""
    out: dict[str, object] = {"op": step.op}
    for name in (*_STR_FIELDS, *_OPT_BOOL_FIELDS, *_INT_FIELDS):
        value = getattr(step, name)
        if value is not None:
            out[name] = value
    for name in _BOOL_FIELDS:
        if getattr(step, name):
            out[name] = True
    if step.columns:
        out["columns"] = list(step.columns)
    return out


def step_from_json(data: object) -> Step:
    """The inverse of :func:`step_to_json`; TypeError/ValueError on anything else (a cache miss)."""
    if type(data) is not dict or data.get("op") not in _STEP_OPS:
        raise TypeError("not a step")
    values: dict[str, object] = {}
    for name, value in data.items():
        if name == "op":
            continue
        if (
            (name in _STR_FIELDS and type(value) is str)
            or (name in (_BOOL_FIELDS | _OPT_BOOL_FIELDS) and type(value) is bool)
            or (name in _INT_FIELDS and type(value) is int)
        ):
            values[name] = value
        elif name == "columns" and type(value) is list and all(type(c) is str for c in value):
            values[name] = tuple(value)
        else:
            raise TypeError(f"unexpected step field {name!r}")
    return Step(data["op"], **values)  # type: ignore[arg-type]


class Hazard(NamedTuple):
    """A step that breaks a rule: ``(rule_id, message, step)``."""

    rule_id: RuleId
    message: str
    step: Step


@dataclass(frozen=True)
class InUse:
    """What the code that is already running uses: the tables and ``(table, column)`` pairs of
    the current models (checker) or of the previous models, i.e. the database (autogenerate).
    Names are compared without schema."""

    tables: frozenset[str]
    columns: frozenset[tuple[str, str]]


LOCKING_OPS: Final[frozenset[str]] = frozenset(
    {
        "drop_table",
        "rename_table",
        "add_column",
        "drop_column",
        "rename_column",
        "alter_column",
        "create_index",
        "drop_index",
        "add_foreign_key",
        "add_check",
        "add_unique",
        "add_primary_key",
        "drop_constraint",
        "alter_table",
    }
)
"""Steps that take an ACCESS EXCLUSIVE (or, ``CREATE INDEX``, SHARE; ``ADD FOREIGN KEY``, SHARE ROW
EXCLUSIVE) lock on their table: while they wait for it, every later query on the table waits too."""


# ---------------------------------------------------------------------------------------------
# The decider
# ---------------------------------------------------------------------------------------------


def check(
    steps: Sequence[Step],
    existing: Container[TableKey] | Callable[[TableKey], bool] | None = None,
    *,
    timeout_elsewhere: bool = False,
    in_use: InUse | None = None,
) -> list[Hazard]:
    """The hazards of one migration's steps, in step order.

    ``existing``: the tables known to exist before the first step (a container of
    ``(schema, table)`` or a predicate); None means every table the steps do not create.
    ``timeout_elsewhere``: a lock timeout is set outside these steps (env.py): AS1009 is not reported.
    ``in_use``: the tables and columns running code uses (AS1008 is decided only when given).
    """
    is_existing = _existing_test(existing)
    created: set[TableKey] = set()
    added_columns: set[tuple[TableKey, str]] = set()
    checks: dict[str, Step] = {}
    validated: list[Step] = []
    timeout_set = timeout_elsewhere
    hazards: list[Hazard] = []
    first_lock: Step | None = None
    ddl_in_transaction: list[Step] = []
    backfilled: set[tuple[int | None, TableKey | None]] = set()

    for step in steps:
        op = step.op
        if op == "set_timeout":
            timeout_set = True
            continue
        key = step.key
        if op == "create_table":
            if key is not None:
                created.add(key)
            continue
        if op == "validate_constraint":
            validated.append(step)
            continue
        if key is None or key in created or not is_existing(key):  # not on an existing table
            if op == "add_check" and step.name:
                checks[step.name] = step
            continue
        if op == "data":
            # Only a backfill *after* a schema change holds that change's lock for its duration (one
            # before it holds only its own row locks); one finding per statement and table.
            if not step.autocommit and ddl_in_transaction and (step.line, key) not in backfilled:
                backfilled.add((step.line, key))
                hazards.append(_backfill(step, ddl_in_transaction[0]))
            continue
        # CREATE/DROP INDEX CONCURRENTLY take SHARE UPDATE EXCLUSIVE: reads and writes go on, so
        # nothing queues behind them (Polar drops an INVALID leftover that way before rebuilding).
        if op in LOCKING_OPS and not ((op == "create_index" or op == "drop_index") and step.concurrently):
            if first_lock is None and not timeout_set:
                first_lock = step
            if not step.autocommit:
                ddl_in_transaction.append(step)
        hazard = _judge(step, checks, validated, added_columns, in_use)
        if hazard is not None:
            hazards.append(hazard)
        if op == "add_column":
            added_columns.update((key, c) for c in step.columns)
        if op == "add_check" and step.name:
            checks[step.name] = step
    if first_lock is not None:
        hazards.append(
            Hazard(
                RuleId.AS1009,
                f"{_describe(first_lock)} locks existing table {first_lock.where()} and no lock_timeout is set "
                "(in the revision or env.py): while it waits for a running query, every query on the table "
                "waits behind it; run op.execute(\"SET lock_timeout = '5s'\") first",
                first_lock,
            )
        )
    hazards.sort(key=lambda h: (h.step.line or 0, h.step.col or 0, h.rule_id))
    return hazards


def _backfill(data: Step, schema_step: Step) -> Hazard:
    at = f" (line {schema_step.line})" if schema_step.line is not None else ""
    return Hazard(
        RuleId.AS1010,
        f"backfill of existing table {data.where()} runs in the same transaction as, and after, "
        f"{_describe(schema_step)}{at}: the schema change's lock is held until every row is written; move "
        "the backfill to its own revision (or an autocommit block, in batches)",
        data,
    )


def _named(kind: str, name: str | None) -> str:
    """``index 'ix_a'``, or ``an unnamed index``."""
    return f"{kind} {name!r}" if name else f"an unnamed {kind}"


def _existing_test(existing: Container[TableKey] | Callable[[TableKey], bool] | None) -> Callable[[TableKey], bool]:
    if existing is None:
        return lambda key: True
    if callable(existing):
        return existing
    container = existing
    return lambda key: key in container


def _describe(step: Step) -> str:
    return f"op.{_OP_CALLS.get(step.op, step.op)}()"


_OP_CALLS: Final = {
    "add_foreign_key": "create_foreign_key",
    "add_check": "create_check_constraint",
    "add_unique": "create_unique_constraint",
    "add_primary_key": "create_primary_key",
    "rename_column": "alter_column",
    "alter_table": "execute",
}


def _judge(
    step: Step,
    checks: dict[str, Step],
    validated: Sequence[Step],
    added_columns: set[tuple[TableKey, str]],
    in_use: InUse | None,
) -> Hazard | None:
    """The per-step rules (AS1001-AS1008, AS1011) for a step on an existing table."""
    where = step.where()
    if step.op == "create_index" and step.concurrently and not step.autocommit:
        return Hazard(
            RuleId.AS1001,
            f"creates {_named('index', step.name)} on existing table {where} CONCURRENTLY inside the revision's "
            "transaction, which PostgreSQL refuses; run it inside op.get_context().autocommit_block()",
            step,
        )
    if step.op == "create_index" and not step.concurrently:
        kind = "unique index" if step.unique else "index"
        return Hazard(
            RuleId.AS1001,
            f"creates {_named(kind, step.name)} on existing table {where} without CONCURRENTLY: writes to the table "
            "are blocked while the index builds; use postgresql_concurrently=True inside "
            "op.get_context().autocommit_block()",
            step,
        )
    if step.op == "add_foreign_key" and not step.not_valid:
        return Hazard(
            RuleId.AS1002,
            f"adds {_named('foreign key', step.name)} to existing table {where} in one step: both tables are locked "
            "against writes while every row is checked; add it with postgresql_not_valid=True, then "
            "VALIDATE CONSTRAINT in a separate step",
            step,
        )
    if step.op == "add_check" and not step.not_valid:
        return Hazard(
            RuleId.AS1003,
            f"adds {_named('check constraint', step.name)} to existing table {where} in one step: the table is locked "
            "while every row is checked; add it with postgresql_not_valid=True, then VALIDATE CONSTRAINT",
            step,
        )
    if step.op in ("add_unique", "add_primary_key") and step.using_index is None:
        kind = "unique constraint" if step.op == "add_unique" else "primary key"
        return Hazard(
            RuleId.AS1004,
            f"adds {_named(kind, step.name)} to existing table {where} directly: the table is locked while its "
            "index builds; create a unique index CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX",
            step,
        )
    if step.op == "alter_column":
        if step.nullable is False and not _not_null_proven(step, checks, validated):
            return Hazard(
                RuleId.AS1005,
                f"sets NOT NULL on {step.column_text()} of an existing table: the table is locked while every "
                "row is scanned; add CHECK (column IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it, then "
                "set NOT NULL (PostgreSQL 12+ skips the scan) and drop the check",
                step,
            )
        if step.new_type is not None:
            rewrites = step.using or type_change_rewrites(step.old_type, step.new_type)
            if rewrites:
                before = "" if step.old_type is None else f" from {step.old_type}"
                return Hazard(
                    RuleId.AS1007,
                    f"changes the type of {step.column_text()}{before} to {step.new_type}: the table is rewritten "
                    "under an ACCESS EXCLUSIVE lock; add a new column, backfill it, then switch",
                    step,
                )
    if step.op == "add_column":
        volatile = step.volatile if step.volatile is not None else is_volatile_default(step.server_default)
        if volatile:
            default = f" ({step.server_default})" if step.server_default else ""
            return Hazard(
                RuleId.AS1006,
                f"adds column {step.column_text()} with a volatile default{default} to an existing table: the "
                "table is rewritten under an ACCESS EXCLUSIVE lock; add the column without a default, set the "
                "default, then backfill in batches",
                step,
            )
        if step.nullable is False and step.server_default is None:
            return Hazard(
                RuleId.AS1011,
                f"adds NOT NULL column {step.column_text()} without a server default to an existing table: it "
                "fails on any table with rows; add it nullable (or with a server_default), backfill, then set "
                "NOT NULL",
                step,
            )
    if in_use is not None:
        return _breaking(step, in_use, added_columns)
    return None


def _not_null_proven(step: Step, checks: dict[str, Step], validated: Sequence[Step]) -> bool:
    """True when a valid ``CHECK (column IS NOT NULL)`` precedes ``SET NOT NULL`` (PostgreSQL 12+
    then skips the scan): a check added valid in these steps, or a ``VALIDATE CONSTRAINT`` on the
    table of a check that is ``column IS NOT NULL`` -- or of a check added before these steps,
    whose condition cannot be seen (the safe form's first step is often an earlier revision)."""
    column = step.columns[0] if step.columns else None
    for name, added in checks.items():
        if (
            column is not None
            and _checks_not_null(added.condition, column)
            and added.key == step.key
            and (not added.not_valid or any(v.name == name and v.key == step.key for v in validated))
        ):
            return True
    return any(v.key == step.key and v.name not in checks for v in validated)


_NOT_NULL_CHECK: Final = LazyPattern(r'^\(*\s*"?(\w+)"?\s+IS\s+NOT\s+NULL\s*\)*$', re.IGNORECASE)


def _checks_not_null(condition: str | None, column: str) -> bool:
    match = _NOT_NULL_CHECK.match((condition or "").strip())
    return match is not None and match.group(1) == column


def _breaking(step: Step, in_use: InUse, added_columns: set[tuple[TableKey, str]]) -> Hazard | None:
    """AS1008: a drop or rename of a table or column that running code still uses."""
    if step.table is None:
        return None
    if step.op in ("drop_table", "rename_table") and step.table in in_use.tables:
        verb = "drops" if step.op == "drop_table" else f"renames (to {step.new_name!r})"
        return Hazard(
            RuleId.AS1008,
            f"{verb} table {step.where()}, which the running code still uses: split it into expand "
            "(add the new), deploy code that stops using the old, then contract (drop it) in a later revision",
            step,
        )
    if step.op in ("drop_column", "rename_column") and step.columns:
        column = step.columns[0]
        if (step.table, column) in in_use.columns and ((step.schema, step.table), column) not in added_columns:
            verb = "drops" if step.op == "drop_column" else f"renames (to {step.new_name!r})"
            return Hazard(
                RuleId.AS1008,
                f"{verb} column {step.column_text()}, which the running code still uses: split it into expand "
                "(add the new), deploy code that stops using the old, then contract (drop it) in a later revision",
                step,
            )
    return None


# ---------------------------------------------------------------------------------------------
# Defaults and types
# ---------------------------------------------------------------------------------------------

_VOLATILE: Final = LazyPattern(
    r"\b(gen_random_uuid|uuid_generate_v1|uuid_generate_v1mc|uuid_generate_v4|uuidv4|uuidv7|random|"
    r"clock_timestamp|timeofday|nextval|txid_current|statement_timestamp|setseed|gen_random_bytes)\s*\(",
    re.IGNORECASE,
)


def is_volatile_default(sql: str | None) -> bool:
    """True when a server default calls a volatile function (``gen_random_uuid()``, ``random()``,
    ``clock_timestamp()``, ``nextval(...)``...): PostgreSQL then evaluates it for every existing row,
    rewriting the table.  A constant, ``now()``/``CURRENT_TIMESTAMP`` (stable: one value per
    transaction) is stored once in the catalogue since PostgreSQL 11, at no cost."""
    return bool(sql) and _VOLATILE.search(sql or "") is not None


_FREE_TARGETS: Final = frozenset(
    {"VARCHAR", "TEXT", "CITEXT", "NUMERIC", "INET", "BIT VARYING", "TIMESTAMP", "TIMESTAMPTZ", "TIME", "INTERVAL"}
)
"""Types that another type changes into without a rewrite (see :func:`type_change_rewrites`)."""
_TYPE: Final = LazyPattern(r"^\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:\(\s*([^)]*)\))?\s*(\[\])?\s*$")
_SYNONYMS: Final = {
    "STRING": "VARCHAR",
    "UNICODE": "VARCHAR",
    "CHARACTER VARYING": "VARCHAR",
    "UNICODETEXT": "TEXT",
    "DECIMAL": "NUMERIC",
    "INT": "INTEGER",
    "INT4": "INTEGER",
    "INT8": "BIGINT",
    "INT2": "SMALLINT",
    "BOOL": "BOOLEAN",
    "FLOAT8": "DOUBLE PRECISION",
    "DOUBLE": "DOUBLE PRECISION",
    "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
    "DATETIME": "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ",
    "VARBIT": "BIT VARYING",
    "BIGINTEGER": "BIGINT",
    "SMALLINTEGER": "SMALLINT",
    "LARGEBINARY": "BYTEA",
    "FLOAT4": "REAL",
}


def _parse_type(text: str) -> tuple[str, tuple[int, ...] | None, bool] | None:
    """(name, integer parameters or None when none/not integers, is-array); None if unreadable."""
    match = _TYPE.match(text)
    if match is None:
        return None
    name = sql_type_name(" ".join(match.group(1).upper().split()))
    params: tuple[int, ...] | None = None
    if match.group(2):
        parts = [p.strip() for p in match.group(2).split(",")]
        if all(p.isdigit() for p in parts):
            params = tuple(int(p) for p in parts)
        else:
            return None
    return name, params, bool(match.group(3))


def sql_type_name(name: str) -> str:
    """The SQL name of an upper-case type name (``STRING`` -> ``VARCHAR``), as :func:`normalise_type`
    spells it."""
    return _SYNONYMS.get(name, name)


def normalise_type(text: str) -> str:
    """The SQL spelling of a type written the SQLAlchemy way or the SQL way: ``String(50)`` and
    ``character varying(50)`` are ``VARCHAR(50)``, ``BigInteger`` is ``BIGINT`` (for messages)."""
    parsed = _parse_type(text)
    if parsed is None:
        return text.strip()
    name, params, array = parsed
    args = f"({', '.join(str(p) for p in params)})" if params else ""
    return f"{name}{args}{'[]' if array else ''}"


def type_change_rewrites(old: str | None, new: str) -> bool:
    """True unless changing a column from ``old`` to ``new`` is known to keep the stored data as is.

    No rewrite (PostgreSQL's binary-coercible changes): the same type; ``VARCHAR(n)`` to
    ``VARCHAR(m >= n)``, ``VARCHAR`` or ``TEXT``; ``TEXT`` to ``VARCHAR``; ``TEXT``/``VARCHAR`` to
    ``CITEXT`` and back to ``TEXT``/``VARCHAR`` (the citext extension's casts are ``WITHOUT
    FUNCTION``: Warehouse's e-mail domains; the column's indexes are rebuilt, the table is not
    rewritten); ``NUMERIC(p, s)`` to
    ``NUMERIC(q >= p, s)`` or ``NUMERIC``; ``VARBIT(n)`` to a longer one; ``CIDR`` to ``INET``;
    ``TIMESTAMP(p)``/``TIME(p)``/``INTERVAL(p)`` to a greater precision.  Anything else is a rewrite
    (a shrink also scans to check every value).  With the old type unknown (no ``existing_type``), a
    change to a type that some other type reaches for free (``VARCHAR``, ``TEXT``, ``NUMERIC``...)
    cannot be decided and is not reported; a change to any other type (``BIGINT``, ``JSONB``) is.
    """
    after = _parse_type(new)
    if old is None:
        # Decided without the old type only when no other type reaches ``new`` without a rewrite.
        return after is None or after[0] not in _FREE_TARGETS
    before = _parse_type(old)
    if before is None or after is None:
        return old.strip().upper() != new.strip().upper()
    (b_name, b_params, b_array), (a_name, a_params, a_array) = before, after
    if b_array != a_array:
        return True
    if (b_name, b_params) == (a_name, a_params):
        return False
    if b_name in ("VARCHAR", "TEXT", "CITEXT") and a_name in ("VARCHAR", "TEXT", "CITEXT"):
        if a_params is None:
            return False  # unbounded varchar, text or citext takes any text
        return b_name != "VARCHAR" or b_params is None or a_params[0] < b_params[0]
    if b_name == a_name == "NUMERIC":
        if a_params is None:
            return False
        if b_params is None:
            return True
        b_scale = b_params[1] if len(b_params) > 1 else 0
        a_scale = a_params[1] if len(a_params) > 1 else 0
        return not (a_params[0] >= b_params[0] and a_scale == b_scale)
    if b_name == a_name and b_name in ("BIT VARYING", "TIMESTAMP", "TIMESTAMPTZ", "TIME", "INTERVAL"):
        return not (a_params is None or (b_params is not None and a_params[0] >= b_params[0]))
    return not (b_name == "CIDR" and a_name == "INET")


# ---------------------------------------------------------------------------------------------
# Raw SQL
# ---------------------------------------------------------------------------------------------

_IDENT: Final = r'(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)'
_QUALIFIED: Final = rf"(?P<schema>{_IDENT}\s*\.\s*)?(?P<table>{_IDENT})"
_CREATE_INDEX: Final = LazyPattern(
    rf"^\s*CREATE\s+(?P<unique>UNIQUE\s+)?INDEX\s+(?P<concurrently>CONCURRENTLY\s+)?"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>{_IDENT})?\s*ON\s+(?:ONLY\s+)?{_QUALIFIED}\s*(?:USING\s+\w+\s*)?"
    r"\((?P<columns>[^)]*)\)",
    re.IGNORECASE | re.DOTALL,
)
_CREATE_TABLE: Final = LazyPattern(
    rf"^\s*CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_QUALIFIED}", re.IGNORECASE
)
_ALTER_TABLE: Final = LazyPattern(
    rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_QUALIFIED}\s+(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)
_ADD_CONSTRAINT: Final = LazyPattern(
    rf"^ADD\s+CONSTRAINT\s+(?P<name>{_IDENT})\s+(?P<kind>FOREIGN\s+KEY|CHECK|UNIQUE|PRIMARY\s+KEY)\b(?P<body>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_CONSTRAINT_OPS: Final[dict[str, StepOp]] = {
    "FOREIGN KEY": "add_foreign_key",
    "CHECK": "add_check",
    "UNIQUE": "add_unique",
    "PRIMARY KEY": "add_primary_key",
}
_VALIDATE: Final = LazyPattern(rf"^VALIDATE\s+CONSTRAINT\s+(?P<name>{_IDENT})\s*$", re.IGNORECASE)
_SET_NOT_NULL: Final = LazyPattern(
    rf"^ALTER\s+(?:COLUMN\s+)?(?P<column>{_IDENT})\s+SET\s+NOT\s+NULL\s*$", re.IGNORECASE
)
_USING_INDEX: Final = LazyPattern(rf"\bUSING\s+INDEX\s+(?P<index>{_IDENT})\s*$", re.IGNORECASE)
_TIMEOUT: Final = LazyPattern(r"^\s*SET\s+(?:LOCAL\s+|SESSION\s+)?(lock_timeout|statement_timeout)\b", re.IGNORECASE)
_SET_CONFIG: Final = LazyPattern(r"\bset_config\s*\(\s*'(lock_timeout|statement_timeout)'", re.IGNORECASE)
_DATA: Final = LazyPattern(
    rf"^\s*(?:WITH\b.*?\)\s*)?(?:UPDATE\s+(?:ONLY\s+)?|DELETE\s+FROM\s+(?:ONLY\s+)?|INSERT\s+INTO\s+(?=.*\bSELECT\b)){_QUALIFIED}",
    re.IGNORECASE | re.DOTALL,
)


def _unquote(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.strip().rstrip(".").strip()
    return name[1:-1] if name.startswith('"') and name.endswith('"') else name.lower()


def _split_statements(sql: str) -> Iterable[str]:
    """Statements of a literal SQL text, split on ``;`` outside quotes (enough for migrations).

    Quotes are ``'...'``, ``"..."`` and PostgreSQL's dollar quotes (``$$...$$``, ``$body$...$body$``):
    a function or ``DO`` block is one statement, its body is not read as statements of the revision
    (Warehouse's trigger functions ``UPDATE`` a table when they fire, not when they are created).
    """
    if ";" not in sql or ("'" not in sql and '"' not in sql and "$" not in sql):
        # No ";" inside quotes to keep: the same pieces as the walk, split in C instead of
        # character by character in Python (most op.execute() texts; issue 15).
        out = sql.split(";")
    else:
        out = _split_outside_quotes(sql)
    return [s.strip() for s in out if s.strip()]


_DOLLAR_QUOTE: Final = LazyPattern(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")


def _split_outside_quotes(sql: str) -> list[str]:
    """``sql`` cut at each ``;`` outside quotes, one character at a time (a dollar-quoted body at once)."""
    out: list[str] = []
    current: list[str] = []
    quote: str | None = None
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if quote is not None:
            current.append(char)
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
            current.append(char)
        elif char == "$" and (tag := _DOLLAR_QUOTE.match(sql, i)) is not None and not _in_identifier(sql, i):
            # Up to the same tag again (an unterminated body runs to the end, as PostgreSQL reads it).
            end = sql.find(tag.group(), tag.end())
            end = n if end < 0 else end + len(tag.group())
            current.append(sql[i:end])
            i = end
            continue
        elif char == ";":
            out.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    out.append("".join(current))
    return out


def _in_identifier(sql: str, i: int) -> bool:
    """Whether the ``$`` at ``i`` continues an identifier (``a$b$``, allowed in PostgreSQL names)."""
    return i > 0 and (sql[i - 1].isalnum() or sql[i - 1] in "_$")


_SESSION: Final = LazyPattern(r"^\s*(SET|RESET|LOCK|ANALYZE)\b", re.IGNORECASE)
"""Statements that change no schema object and no row: session settings, an explicit ``LOCK
TABLE`` (held until the transaction ends) and ``ANALYZE`` (planner statistics).  A downgrade has
nothing of them to undo (Warehouse locks four tables before creating its counting triggers)."""
_INDEX_ELEMENT: Final = LazyPattern(
    # A column, with what may follow it in an index: COLLATE, an operator class, order, nulls.
    rf"^(?P<column>{_IDENT})(?:\s+COLLATE\s+{_IDENT}(?:\s*\.\s*{_IDENT})?)?(?:\s+(?!ASC\b|DESC\b|NULLS\b){_IDENT})?"
    r"(?:\s+(?:ASC|DESC))?(?:\s+NULLS\s+(?:FIRST|LAST))?$",
    re.IGNORECASE,
)
_NOT_AN_INDEX_BUILD: Final = LazyPattern(r"^\s*(?:ALTER|DROP|REINDEX|COMMENT\s+ON)\s+INDEX\b", re.IGNORECASE)


_COMPUTED: Final = "?"
"""What an f-string's value stands as in the SQL text read from a revision (``_Reader._sql_text``)."""


def indexes_from_sql(sql: str) -> list[tuple[str | None, str, KeyColumns]]:
    """The indexes a literal SQL text creates, as (schema, table, key): ``CREATE [UNIQUE] INDEX
    ... ON t [USING m] (a, b DESC, lower(c)) [INCLUDE (...)] [WHERE ...]``.

    An element that is an expression is None in the key (it covers no column); the ``WHERE`` of
    a partial index is its predicate.  Read so that raw SQL that builds an index counts for the
    foreign keys it covers (AS201), as ``op.create_index`` does.
    """
    out: list[tuple[str | None, str, KeyColumns]] = []
    for statement in _split_statements(sql):
        match = _CREATE_INDEX.match(statement)
        table = _unquote(match.group("table")) if match is not None else None
        if match is None or table is None or _COMPUTED in statement:
            continue  # not an index build, or parts of it computed at run time (may_create_index)
        columns, rest = _index_columns(statement, match)
        where = re.search(r"\bWHERE\b(?P<predicate>.*)$", rest, re.IGNORECASE | re.DOTALL)
        predicate = " ".join(where.group("predicate").split()) if where is not None else None
        kind: KeyKind = "unique" if match.group("unique") else "index"
        key = KeyColumns(columns, kind, _unquote(match.group("name")), predicate or None)
        out.append((_unquote(match.group("schema")), table, key))
    return out


def _index_columns(statement: str, match: re.Match[str]) -> tuple[tuple[str | None, ...], str]:
    """The columns of a matched ``CREATE INDEX`` (None for an expression element) and the text
    after its column list."""
    elements, rest = _list_elements(statement, match.start("columns"))
    columns: list[str | None] = []
    for element in elements:
        plain = _INDEX_ELEMENT.match(element.strip())
        columns.append(_unquote(plain.group("column")) if plain is not None else None)
    return tuple(columns), rest


def _list_elements(statement: str, start: int) -> tuple[list[str], str]:
    """The comma-separated elements of the parenthesised list opening just before ``start``, and
    the text after its closing parenthesis (nested parentheses and quotes kept whole).  With a
    ``")"`` appended, the elements of a whole text split at its top-level commas."""
    elements: list[str] = []
    current: list[str] = []
    depth, quote = 0, None
    for i in range(start, len(statement)):
        char = statement[i]
        if quote is not None:
            quote = None if char == quote else quote
        elif char in ("'", '"'):
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                elements.append("".join(current))
                return elements, statement[i + 1 :]
            depth -= 1
        elif char == "," and depth == 0:
            elements.append("".join(current))
            current = []
            continue
        current.append(char)
    return [*elements, "".join(current)], ""  # unclosed: what there is


_UPDATE_SET: Final = LazyPattern(
    rf"^\s*UPDATE\s+(?:ONLY\s+)?{_QUALIFIED}\s+SET\s+(?P<assignments>.*)$", re.IGNORECASE | re.DOTALL
)
_ASSIGNED: Final = LazyPattern(rf"^\s*(?P<column>{_IDENT})\s*=")
_INSERT_INTO: Final = LazyPattern(rf"^\s*INSERT\s+INTO\s+{_QUALIFIED}(?:\s|\(|$)", re.IGNORECASE)


def rows_written(sql: str) -> list[tuple[str | None, str, tuple[str, ...]]] | None:
    """For SQL made only of ``UPDATE t SET a = ..., b = ...`` and ``INSERT INTO t ...``
    statements: each one's (schema, table, columns it sets), the columns empty for an ``INSERT``
    (whole rows); None for any other text (another statement, a value computed at run time,
    ``SET (a, b) = ...``, a ``FROM`` list, a ``WITH`` query), which is then not read.
    """
    out: list[tuple[str | None, str, tuple[str, ...]]] = []
    for statement in _split_statements(sql):
        inserted = _INSERT_INTO.match(statement)
        if _COMPUTED in statement and not (inserted is not None and statement[inserted.end() :].strip() == _COMPUTED):
            # A value computed at run time may hide anything; the one exception is a SQLAlchemy
            # Core insert (``sa.insert(t).values(...)``, read as ``INSERT INTO t ?``): it writes
            # rows into t and nothing else, however its values are computed (Open WebUI, sweep 5).
            return None
        match = inserted or _UPDATE_SET.match(statement)
        table = _unquote(match.group("table")) if match is not None else None
        if match is None or table is None:
            return None
        if inserted is not None:
            out.append((_unquote(match.group("schema")), table, ()))
            continue
        elements, _ = _list_elements(match.group("assignments") + ")", 0)  # top-level commas
        columns = []
        for element in elements:
            assigned = _ASSIGNED.match(element)
            column = _unquote(assigned.group("column")) if assigned is not None else None
            if column is None:
                return None
            columns.append(column)
        out.append((_unquote(match.group("schema")), table, tuple(columns)))
    return out or None


class RawOperation(NamedTuple):
    """A raw SQL statement read as the Alembic operation it performs (for the reversal rules)."""

    op: str
    table: str | None
    name: str | None
    schema: str | None = None
    columns: tuple[str, ...] = ()
    if_exists: bool = False


_DROP_INDEX: Final = LazyPattern(
    rf"^\s*DROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?P<if_exists>IF\s+EXISTS\s+)?{_QUALIFIED}"
    r"\s*(?:CASCADE|RESTRICT)?\s*$",
    re.IGNORECASE,
)
_DROP_TABLE: Final = LazyPattern(
    rf"^\s*DROP\s+TABLE\s+(?P<if_exists>IF\s+EXISTS\s+)?{_QUALIFIED}\s*(?:CASCADE|RESTRICT)?\s*$", re.IGNORECASE
)
_ADD_COLUMN: Final = LazyPattern(
    rf"^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?P<column>{_IDENT})\s+\S", re.IGNORECASE
)
_DROP_COLUMN: Final = LazyPattern(
    rf"^DROP\s+(?:COLUMN\s+)?(?P<if_exists>IF\s+EXISTS\s+)?(?P<column>{_IDENT})\s*(?:CASCADE|RESTRICT)?\s*$",
    re.IGNORECASE,
)
_DROP_CONSTRAINT: Final = LazyPattern(
    rf"^DROP\s+CONSTRAINT\s+(?P<if_exists>IF\s+EXISTS\s+)?(?P<name>{_IDENT})\s*(?:CASCADE|RESTRICT)?\s*$",
    re.IGNORECASE,
)
_NOT_A_COLUMN: Final = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE"})
_CREATE_CONSTRAINT_OPS: Final = {
    "FOREIGN KEY": "create_foreign_key",
    "CHECK": "create_check_constraint",
    "UNIQUE": "create_unique_constraint",
    "PRIMARY KEY": "create_primary_key",
}


def operations_from_sql(sql: str) -> list[RawOperation] | None:
    """The operations a literal SQL text performs, when every statement is one the reversal rules
    can pair: ``CREATE TABLE``, ``DROP TABLE`` (one table), ``CREATE INDEX``, ``DROP INDEX``, and
    ``ALTER TABLE t`` with one ``ADD COLUMN``, ``DROP COLUMN``, ``ADD CONSTRAINT`` or ``DROP
    CONSTRAINT``.  None for anything else (another
    statement, several actions in one ``ALTER TABLE``, a value computed at run time): the text is
    then undecidable, as before.  A raw ``CREATE INDEX`` undone by ``op.drop_index`` (or raw
    ``DROP INDEX``) is then decided (Warehouse, Dispatch).
    """
    out: list[RawOperation] = []
    for statement in _split_statements(sql):
        if _COMPUTED in statement:
            return None
        if _SESSION.match(statement):
            continue  # nothing to pair: it changes no object
        match = _CREATE_INDEX.match(statement)
        if match is not None:
            elements, _ = _index_columns(statement, match)
            columns = tuple(c for c in elements if c is not None) if None not in elements else ()
            name, table = _unquote(match.group("name")), _unquote(match.group("table"))
            out.append(RawOperation("create_index", table, name, _unquote(match.group("schema")), columns))
            continue
        match = _CREATE_TABLE.match(statement)
        if match is not None:
            table, schema = _unquote(match.group("table")), _unquote(match.group("schema"))
            out.append(RawOperation("create_table", table, None, schema))
            continue
        match = _DROP_TABLE.match(statement)
        if match is not None:
            exists = bool(match.group("if_exists"))
            table, schema = _unquote(match.group("table")), _unquote(match.group("schema"))
            out.append(RawOperation("drop_table", table, None, schema, if_exists=exists))
            continue
        match = _DROP_INDEX.match(statement)
        if match is not None:
            # DROP INDEX names the index (possibly schema-qualified), never its table.
            name = _unquote(match.group("table"))
            exists = bool(match.group("if_exists"))
            out.append(RawOperation("drop_index", None, name, _unquote(match.group("schema")), if_exists=exists))
            continue
        match = _ALTER_TABLE.match(statement)
        operation = _alter_table_operation(match) if match is not None else None
        if operation is None:
            return None
        out.append(operation)
    return out or None


def _alter_table_operation(match: re.Match[str]) -> RawOperation | None:
    table, schema = _unquote(match.group("table")), _unquote(match.group("schema"))
    rest = " ".join(match.group("rest").split())
    if len(_list_elements(rest + ")", 0)[0]) > 1:
        return None  # several actions in one statement (a comma outside brackets and quotes)
    dropped = _DROP_CONSTRAINT.match(rest)
    if dropped is not None:
        exists = bool(dropped.group("if_exists"))
        return RawOperation("drop_constraint", table, _unquote(dropped.group("name")), schema, if_exists=exists)
    added = _ADD_CONSTRAINT.match(rest)
    if added is not None:
        kind = " ".join(added.group("kind").upper().split())
        return RawOperation(_CREATE_CONSTRAINT_OPS[kind], table, _unquote(added.group("name")), schema)
    dropped = _DROP_COLUMN.match(rest)
    if dropped is not None and dropped.group("column").upper() != "CONSTRAINT":
        exists = bool(dropped.group("if_exists"))
        return RawOperation("drop_column", table, _unquote(dropped.group("column")), schema, if_exists=exists)
    added = _ADD_COLUMN.match(rest)
    if added is not None and added.group("column").upper() not in _NOT_A_COLUMN:
        return RawOperation("add_column", table, _unquote(added.group("column")), schema)
    return None


def may_create_index(sql: str | None, table: str) -> bool:
    """Whether raw SQL might build an index on ``table`` that :func:`indexes_from_sql` did not read.

    True for SQL whose text is not known (built at run time), and for a statement that mentions an
    index and the table but is neither a ``CREATE INDEX`` read whole (as a key; one with a value
    computed at run time, an f-string's ``?``, is not) nor an ``ALTER``/``DROP``/``REINDEX`` of an
    existing index (Warehouse's ``ALTER INDEX ... RENAME TO``).
    """
    if sql is None:
        return True
    lowered = sql.lower()
    name = table.lower()
    if "index" not in lowered or name not in lowered:
        return False
    for statement in _split_statements(sql):
        text = statement.lower()
        if "index" not in text or name not in text:
            continue
        if _NOT_AN_INDEX_BUILD.match(statement) is not None:
            continue
        if _CREATE_INDEX.match(statement) is None or _COMPUTED in statement:
            return True
    return False


def has_nothing_to_undo(sql: str | None) -> bool:
    """True when every statement of ``sql`` is a session setting (``SET lock_timeout = '5s'``,
    ``RESET ...``), a ``LOCK``, an ``ANALYZE`` or an ``ALTER TABLE ... VALIDATE CONSTRAINT``: the
    statements (those of the safe forms among them) that change no schema object, so a downgrade
    has nothing to undo for them (the validated constraint goes with its own ``drop_constraint``)."""
    if not sql:
        return False
    for statement in _split_statements(sql):
        if _SESSION.match(statement):
            continue
        match = _ALTER_TABLE.match(statement)
        if match is None or _VALIDATE.match(" ".join(match.group("rest").split())) is None:
            return False
    return True


def steps_from_sql(
    sql: str, *, line: int | None = None, col: int | None = None, autocommit: bool = False
) -> list[Step]:
    """The steps a literal SQL text performs, for the statements the rules know; others are skipped.

    Recognised: ``CREATE TABLE``, ``CREATE [UNIQUE] INDEX [CONCURRENTLY]``, ``ALTER TABLE t ADD CONSTRAINT c
    {FOREIGN KEY|CHECK|UNIQUE|PRIMARY KEY} ... [NOT VALID | USING INDEX i]``, ``ALTER TABLE t
    VALIDATE CONSTRAINT c``, ``ALTER TABLE t ALTER [COLUMN] c SET NOT NULL``, ``SET [LOCAL]
    lock_timeout``/``statement_timeout`` (and ``set_config('lock_timeout', ...)``), and backfills
    (``UPDATE t``, ``DELETE FROM t``, ``INSERT INTO t ... SELECT``).
    """
    steps: list[Step] = []
    for statement in _split_statements(sql):
        if _TIMEOUT.match(statement) or _SET_CONFIG.search(statement):
            steps.append(Step("set_timeout", None))
            continue
        match = _CREATE_INDEX.match(statement)
        if match is not None:
            steps.append(
                Step(
                    "create_index",
                    _unquote(match.group("table")),
                    _unquote(match.group("schema")),
                    columns=tuple(c.strip() for c in match.group("columns").split(",") if c.strip()),
                    name=_unquote(match.group("name")),
                    concurrently=bool(match.group("concurrently")),
                    unique=bool(match.group("unique")),
                )
            )
            continue
        match = _CREATE_TABLE.match(statement)
        if match is not None:
            steps.append(Step("create_table", _unquote(match.group("table")), _unquote(match.group("schema"))))
            continue
        match = _ALTER_TABLE.match(statement)
        if match is not None:
            steps.extend(_alter_table_steps(match))
            continue
        match = _DATA.match(statement)
        if match is not None:
            steps.append(Step("data", _unquote(match.group("table")), _unquote(match.group("schema"))))
    return [replace(step, line=line, col=col, autocommit=autocommit) for step in steps]


def _alter_table_steps(match: re.Match[str]) -> list[Step]:
    table, schema = _unquote(match.group("table")), _unquote(match.group("schema"))
    rest = " ".join(match.group("rest").split())
    add = _ADD_CONSTRAINT.match(rest)
    if add is not None:
        kind = " ".join(add.group("kind").upper().split())
        body = add.group("body").strip()
        not_valid = bool(re.search(r"\bNOT\s+VALID\s*$", body, re.IGNORECASE))
        using = _USING_INDEX.search(body)
        op = _CONSTRAINT_OPS[kind]
        condition = None
        if op == "add_check":
            condition = re.sub(r"\s*\bNOT\s+VALID\s*$", "", body, flags=re.IGNORECASE).strip()
            if condition.startswith("(") and condition.endswith(")"):
                condition = condition[1:-1].strip()
        return [
            Step(
                op,
                table,
                schema,
                name=_unquote(add.group("name")),
                not_valid=not_valid,
                using_index=_unquote(using.group("index")) if using else None,
                condition=condition,
            )
        ]
    validate = _VALIDATE.match(rest)
    if validate is not None:
        return [Step("validate_constraint", table, schema, name=_unquote(validate.group("name")))]
    not_null = _SET_NOT_NULL.match(rest)
    if not_null is not None:
        column = _unquote(not_null.group("column"))
        return [Step("alter_column", table, schema, columns=(column,) if column else (), nullable=False)]
    return [Step("alter_table", table, schema)]
