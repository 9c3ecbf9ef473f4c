"""The model rules: the standards judged on SQLAlchemy ``Table`` objects, one table at a time.

Called by :func:`alembic_standards.models.lint_metadata` / ``lint_tables`` (which merge and
filter the findings of a run), by the live-database audit on reflected tables
(``Stage.DATABASE``: the same code, fewer rules), and by the exceptions register
(:func:`documented_departures`).  Anything SQLAlchemy accepts must lint without an exception: a
rule that meets an object it cannot judge reports AS904 instead of guessing or skipping.
Locations come from a :class:`~alembic_standards.source_index.SourceIndex` when there is one
(models), else name only the table/column/constraint (reflected tables).

What each rule reads (the precise decisions):

* Types are judged as PostgreSQL gets them (:func:`_unwrap`): ``with_variant(..., "postgresql")``
  applied, a ``TypeDecorator`` replaced by its ``load_dialect_impl`` for PostgreSQL, ``Interval``
  kept as a duration.  Messages spell types compiled for PostgreSQL too, so they never contradict
  the verdict.
* AS101: a single-column key whose type is ``sa.Uuid`` or a subclass (``sa.UUID``,
  ``postgresql.UUID``) passes; so does a composite key made only of foreign keys (a junction
  table, the spec's Exception 2); any other composite key or type fires.  The register
  suppresses, including a class docstring paragraph starting with ``Exception:``
  (:func:`~alembic_standards.exceptions.docstring_exception`), which covers
  :data:`~alembic_standards.exceptions.DOCSTRING_EXCEPTION_RULES`.
* AS102: a table with a unique key over NOT NULL columns is still reported, naming that key.
* AS103 (``pk_index``, default "allow": the spec writes ``index=True`` on its keys): "forbid"
  reports an index whose plain columns are a leading prefix of the primary key (``index=True`` on
  the key, or on the first column of a composite key -- an index on a later column of a composite
  key is useful and never reported); "require" reports a single-column key without one.
* AS201 uses coverage.py, nothing else.  AS202 compares a type signature: the type family
  (uuid, integer by width, string by kind -- varchar/char/text -- and length, numeric by
  precision and scale, binary by length, datetime by time zone, enum by name and values);
  an untyped FK column (``NullType``) inherits the target's type and passes.
* AS203: nullability is stated when ``nullable=`` was passed (``Column._user_defined_nullable``,
  pinned by a test) or when a ``mapped_column`` is annotated ``Mapped[...]`` (``Optional[X]``/
  ``X | None`` means NULL, anything else NOT NULL: the typed-declarative way of stating it).
  Primary-key columns are never reported (they are NOT NULL by definition).
* AS204: the column is named like the referenced column, ends in ``_<referenced column>``
  (``user_id``, ``owner_id``, ``parent_id`` -> ``*.id``; ``tag_id`` -> ``secret_tags.tag_id``) or
  is ``[<role>_]<singular target table, or its leading words>_id`` (``run_id``, ``source_run_id`` ->
  ``runs.run_uuid``; ``trace_id`` -> ``trace_info.request_id``).
* AS401: a junction table with nothing but its key of foreign keys is not reported.
* AS402-AS404: one finding per column *declaration* (a mixin's column copied into several tables
  is reported once, naming the tables, with no table in its location); AS402 skips ``Interval``;
  AS403/AS404 suggest ``func.now()`` only for date/time columns.
* AS501: only what neither the autogenerate plugin nor ``MetaData.naming_convention`` names: the
  CHECK of a non-native ``Enum(create_constraint=True)`` with no ``name=`` (the plugin names
  every other constraint and index it writes; a ``ck`` template using ``%(constraint_name)s``
  counts only with a callable ``constraint_name`` token, as in
  :data:`alembic_standards.NAMING_CONVENTION`).
* AS503: columns named like ``status_columns`` or ending in ``_<name>`` (``payment_status``);
  constrained by an ``Enum``/``Boolean`` type or a CHECK (table or column) naming the column
  (bare, quoted, or qualified by its table).
* AS601: an owner column (``owner_columns``) that is a foreign key, plus the created-at column,
  needs a key whose leading columns are ``(owner, created_at)`` (coverage.py decides).
* AS904: expression indexes (an ordered plain column, ``col.desc()``, is a plain column);
  foreign keys whose target is not among the linted tables (type and
  uniqueness unjudged); types that cannot be compared; registries whose mappers SQLAlchemy
  refuses to configure for a reason other than ``back_populates`` (relationships unjudged).
"""

from __future__ import annotations

import contextlib
import inspect as pyinspect
import re
from dataclasses import replace
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CHAR,
    NCHAR,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    Interval,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.sql.elements import conv
from sqlalchemy.types import NullType

from . import messages, sqla_compat
from .coverage import (
    _index_predicate,
    foreign_key_columns,
    is_covered,
    plain_column,
    table_keys,
    uncovered_foreign_keys,
)
from .exceptions import DOCSTRING_EXCEPTION_RULES
from .findings import Finding, Location, RuleId
from .naming import convention_kinds, explicit_name, index_column_names
from .rules import RULES, Stage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from sqlalchemy import ForeignKey, MetaData
    from sqlalchemy.engine import Dialect

    from .config import Config
    from .source_index import SourceIndex

__all__ = ["ModelRules", "TableResolver", "documented_departures"]


class TableResolver:
    """Finds the target of a foreign key among every linted table, across ``MetaData`` objects."""

    def __init__(self, tables: Iterable[Table]) -> None:
        self._by_key: dict[str, Table] = {}
        for table in tables:
            self._by_key.setdefault(table.key, table)
            self._by_key.setdefault(table.fullname, table)

    def target(self, fk: ForeignKey, spec: str) -> tuple[Table, Column[Any]] | None:
        """``spec``: ``fk.target_fullname``, which SQLAlchemy parses again at every read."""
        table_key, _, column_name = spec.rpartition(".")
        table = self._by_key.get(table_key)
        if table is None:
            try:  # SQLAlchemy's own resolution (a Column object, the metadata's default schema)
                column = fk.column
            except Exception:  # unresolvable: outside the linted metadata
                return None
            resolved = column.table
            return (resolved, column) if isinstance(resolved, Table) else None
        if column_name in table.c:
            return table, table.c[column_name]
        return None


@lru_cache(maxsize=1)
def _postgresql() -> Dialect:
    """The dialect every type is judged by (one instance per process: it is immutable, and
    building one costs more than compiling a type with it)."""
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()  # type: ignore[no-untyped-call]


# Types: what "identical" means for AS202.
def _aware_remedy(declared: Any) -> str:
    """How to make a timestamp column timezone-aware, said of the type the model declares.

    Replacing a ``TypeDecorator`` (sqlalchemy-utils' ``ArrowType``, a project's ``UTCDateTime``) by
    ``DateTime`` would change the Python values the application gets (Lemur): the decorator is
    kept, and what it stores is to change."""
    if isinstance(declared, TypeDecorator):
        name = type(declared).__name__
        return f"make {name} store DateTime(timezone=True) ({name}(timezone=True) where it takes one)"
    return "use DateTime(timezone=True)"


def _unwrap(type_: Any) -> Any:
    """The type PostgreSQL gets for ``type_``: a variant for ``postgresql`` applied, a
    ``TypeDecorator`` replaced by what its ``load_dialect_impl`` returns for PostgreSQL
    (recursively); ``Interval`` is kept (a duration, ``INTERVAL`` on PostgreSQL, although it is
    emulated over ``DateTime`` elsewhere).

    Every type rule judges this one type, so no rule calls "not a UUID" what the message (compiled
    for PostgreSQL too) spells ``UUID``.  ``load_dialect_impl`` is public API; a user type whose
    hook raises falls back to its declared ``impl``.  ``TypeEngine._variant_mapping`` (what
    ``with_variant`` fills) is private, pinned by a test.
    """
    dialect = _postgresql()
    for _ in range(10):
        variants = sqla_compat.type_variants(type_)
        if variants and "postgresql" in variants:
            type_ = variants["postgresql"]
        elif isinstance(type_, Interval) or not isinstance(type_, TypeDecorator):
            return type_
        else:
            try:
                loaded = type_.load_dialect_impl(dialect)
            except Exception:  # the user's hook raising
                loaded = type_.impl_instance
            type_ = loaded() if isinstance(loaded, type) else loaded
    return type_


def _type_signature(type_: Any) -> tuple[Any, ...] | None:
    """A comparable description of a column type, or None when it cannot be judged."""
    t = _unwrap(type_)
    if isinstance(t, NullType):
        return None
    if isinstance(t, Uuid):
        return ("uuid",)
    if isinstance(t, Boolean):
        return ("boolean",)
    if isinstance(t, Integer):
        if isinstance(t, BigInteger):
            return ("integer", 64)
        if isinstance(t, SmallInteger):
            return ("integer", 16)
        return ("integer", 32)
    if isinstance(t, Enum):
        return ("enum", t.name, tuple(t.enums))
    if isinstance(t, String):
        if isinstance(t, Text):
            kind = "text"
        elif isinstance(t, (CHAR, NCHAR)):
            kind = "char"
        else:
            kind = "varchar"
        return ("string", kind, t.length)
    if isinstance(t, Numeric):
        return ("float" if isinstance(t, Float) else "numeric", t.precision, getattr(t, "scale", None))
    if isinstance(t, LargeBinary):
        return ("binary", t.length)
    if isinstance(t, DateTime):
        return ("datetime", bool(t.timezone))
    if isinstance(t, Date):
        return ("date",)
    try:
        generic = t.as_generic()
    except Exception:
        generic = t
    return (type(generic).__name__, repr(generic))


def _type_text(type_: Any, dialect: Dialect) -> str:
    """The type as PostgreSQL spells it (``UUID``, ``VARCHAR(36)``), else its repr."""
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:
        return repr(type_)


def _is_uuid_type(type_: Any) -> bool:
    return isinstance(_unwrap(type_), Uuid)


def _convention_names(metadata: MetaData, obj: Any) -> bool:
    """True when ``metadata``'s naming convention will name ``obj`` at DDL time."""
    keys = {
        PrimaryKeyConstraint: "pk",
        ForeignKeyConstraint: "fk",
        UniqueConstraint: "uq",
        CheckConstraint: "ck",
        Index: "ix",
    }
    for klass, key in keys.items():
        if isinstance(obj, klass):
            return key in convention_kinds(metadata.naming_convention)
    return False


def _is_junction_key(table: Table) -> bool:
    """A composite primary key made of foreign keys only: the spec's permitted Exception 2."""
    pk_cols = list(table.primary_key.columns) if table.primary_key is not None else []
    return len(pk_cols) > 1 and all(c.foreign_keys for c in pk_cols)


def _is_pure_link_table(table: Table) -> bool:
    """A junction table with nothing but its key (the spec's ``JournalEntryTag``): its rows are
    created and deleted, never updated, and carry no data to timestamp (AS401 notes).  Also one
    with no primary key yet whose columns are all foreign keys (Mealie's ``recipes_to_tags``, a
    UNIQUE over the pair): AS102 reports the missing key, and promoting it makes the table the
    spec's junction table; timestamps would be the wrong fix."""
    if _is_junction_key(table):
        return len(table.primary_key.columns) == len(table.columns)
    columns = list(table.columns)
    return not table.primary_key.columns and len(columns) > 1 and all(c.foreign_keys for c in columns)


def _candidate_key(table: Table) -> tuple[str, ...] | None:
    """The first unique key (constraint, ``unique=True`` column, or full unique index on plain
    columns) of ``table`` whose columns are all NOT NULL: a primary key in all but name."""
    candidates: list[tuple[str, ...]] = []
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            candidates.append(_key_columns(constraint))
    for ix in sorted(table.indexes, key=lambda i: str(i.name)):
        if ix.unique and _index_predicate(ix) is None:
            plain = [plain_column(e) for e in ix.expressions]
            if all(isinstance(c, Column) for c in plain):
                candidates.append(tuple(str(c.name) for c in plain if isinstance(c, Column)))
    for key in candidates:
        if key and all(name in table.c and not table.c[name].nullable for name in key):
            return key
    return None


def _non_native_enum_column(obj: Any) -> Column[Any] | None:
    """The column of the one kind of constraint the autogenerate plugin leaves unnamed and
    PostgreSQL creates: the CHECK that ``Enum(native_enum=False, create_constraint=True)`` binds
    to its column.  None for anything else.

    The plugin names every other constraint and index it writes (autogenerate.py), so in the
    models an unnamed one is not a defect (AS501 notes).  Type-bound CHECKs are regenerated from
    the type when the migration runs, so a name set by the plugin would not survive; on
    PostgreSQL only a non-native Enum makes one (a native ENUM and ``Boolean`` need no CHECK).
    The column is found in the CHECK's own SQL expression (public ``visitors.iterate``).
    """
    if not isinstance(obj, CheckConstraint) or not sqla_compat.is_type_bound(obj):
        return None
    from sqlalchemy.sql import visitors

    for element in visitors.iterate(obj.sqltext):
        if isinstance(element, Column):
            resolved = _unwrap(element.type)
            return element if isinstance(resolved, Enum) and not resolved.native_enum else None
    return None


def _expression_sql(element: Any) -> str:
    """An index element as PostgreSQL's DDL spells it (``lower(name)``), not a function's bare name."""
    if isinstance(element, str):
        return element
    try:
        options = {"literal_binds": True, "include_table": False}
        return str(element.compile(dialect=_postgresql(), compile_kwargs=options))
    except Exception:  # an element this dialect cannot compile: its name, as before
        return str(getattr(element, "name", None) or element)


def _index_is_expression(index: Index) -> bool:
    return any(not isinstance(e, str) and plain_column(e) is None for e in index.expressions)


def _key_columns(obj: Any) -> tuple[str, ...]:
    try:
        return tuple(c.name for c in obj.columns)
    except Exception:
        return ()


_NAME_CHAR = re.compile(r'[\w."]')
"""A character that glues onto a name: the reference before it is part of a longer one."""


@lru_cache(maxsize=256)
def _column_reference(column: str) -> re.Pattern[str]:
    """``column`` bare (not followed by a name character or a quote) or double-quoted."""
    return re.compile(rf'{re.escape(column)}(?![\w"])|"{re.escape(column)}"')


def _check_names_column(text: str, table: str, column: str) -> bool:
    r"""True when the CHECK ``text`` names ``column``: bare or quoted, optionally qualified by
    ``table`` (``reminders.frequency``, ``"reminders"."frequency"``); a column of another table
    (``other.status``) is not it.

    This is the regex ``(?:(?:(?<![\w."])TABLE|"TABLE")\.|(?<![\w."]))COLUMN-REFERENCE``
    evaluated by hand: the column part is compiled once per column *name* (``status`` recurs in
    every table) and the qualifier is checked with string slices at each place the column part
    matches.  Compiling one pattern per table and column cost 0.10-0.15 s of CPU at 1,000
    tables cold (each pattern is new to ``re``'s cache), a sixth of the cold lint.
    """
    pattern = _column_reference(column)
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        start = match.start()
        if start == 0 or not _NAME_CHAR.match(text, start - 1):
            return True  # unqualified, not glued to a longer name
        bare = start - len(table) - 1  # where ``TABLE.`` would begin
        if bare >= 0 and text.startswith(table + ".", bare) and (bare == 0 or not _NAME_CHAR.match(text, bare - 1)):
            return True
        quoted = bare - 2  # where ``"TABLE".`` would begin
        if quoted >= 0 and text.startswith(f'"{table}".', quoted):
            return True
        pos = start + 1
    return False


def _mapped_annotation(cls: type, attr: str) -> bool:
    """``attr`` annotated ``Mapped[...]`` in ``cls`` or its bases (when no source is readable), or
    a ``@declared_attr`` whose return annotation is ``Mapped[...]``: the typed declarative style of
    a mixin (``def parent_id(cls) -> Mapped[UUID | None]``), which SQLAlchemy reads for
    nullability just as a class-level annotation (Warehouse's ``HasObservers``)."""
    from sqlalchemy.orm import Mapped, declared_attr

    from .source_index import is_mapped_text

    def is_mapped(value: object) -> bool:
        if isinstance(value, str):
            return is_mapped_text(value)
        return getattr(value, "__origin__", None) is Mapped

    for klass in cls.__mro__:
        annotations = pyinspect.get_annotations(klass)
        if attr in annotations:
            return is_mapped(annotations[attr])
        declared = klass.__dict__.get(attr)
        if isinstance(declared, declared_attr):
            function = getattr(declared, "fget", None)
            returns = pyinspect.get_annotations(function).get("return") if callable(function) else None
            return returns is not None and is_mapped(returns)
    return False


class ModelRules:
    """The table-level rules, judged one table at a time (and the finding/location helpers the
    relationship rules share)."""

    def __init__(
        self,
        config: Config,
        stage: Stage,
        index: SourceIndex | None,
        resolver: TableResolver,
        *,
        dialect_name: str | None = None,
    ) -> None:
        self.config = config
        self.stage = stage
        self.index = index
        self.resolver = resolver
        self.sqlite = dialect_name == "sqlite"
        self._unique_key_sets: dict[Table, frozenset[frozenset[str]]] = {}
        self._runs: dict[RuleId, bool] = {}

    def type_text(self, type_: Any) -> str:
        return _type_text(type_, _postgresql())

    # -- helpers
    def runs(self, rule_id: RuleId) -> bool:
        # Asked ~30 times per table: answered once per rule per run (config and stage are fixed).
        found = self._runs.get(rule_id)
        if found is None:
            found = self._runs[rule_id] = self.config.is_enabled(rule_id) and self.stage in RULES[rule_id].stages
        return found

    def finding(self, rule_id: RuleId, message: str, location: Location) -> Finding:
        return self.config.finding(rule_id, message, location)

    def table_loc(self, table: Table) -> Location:
        if self.index is not None:
            return self.index.table_location(table)
        return Location(schema=table.schema, table=table.name)

    def column_loc(self, column: Column[Any]) -> Location:
        table = column.table
        assert isinstance(table, Table)
        if self.index is not None:
            return self.index.column_location(column)
        return Location(schema=table.schema, table=table.name, column=column.name)

    def constraint_loc(self, table: Table, obj: Any, kind: str, columns: Sequence[str]) -> Location:
        name = explicit_name(getattr(obj, "name", None))
        if self.index is not None:
            return self.index.constraint_location(table, obj, name=name, kind=kind, columns=columns)
        return Location(schema=table.schema, table=table.name, constraint=name)

    # -- one table
    def table(self, table: Table) -> list[Finding]:
        out: list[Finding] = []
        try:
            out += self._primary_key(table)
            out += self._foreign_keys(table)
            out += self._timestamps(table)
            out += self._indexes(table)
            out += self._names(table)
            out += self._status_columns(table)
            out += self._owner_index(table)
        except Exception as exc:  # never crash on metadata SQLAlchemy accepted
            out.append(
                self.finding(
                    RuleId.AS904,
                    f"table {table.fullname} could not be fully checked ({type(exc).__name__}: {exc})",
                    self.table_loc(table),
                )
            )
        return out

    def _primary_key(self, table: Table) -> list[Finding]:
        out: list[Finding] = []
        pk_cols = list(table.primary_key.columns) if table.primary_key is not None else []
        if not pk_cols:
            if self.runs(RuleId.AS102):
                message = f"table {table.fullname} has no primary key"
                key = _candidate_key(table)
                if key is not None:
                    # One answer in every stage (models, live audit, pytest check): the unique
                    # key is a key in all but name; say which one to promote.
                    message += f"; its unique key ({', '.join(key)}) is over NOT NULL columns: make it the primary key"
                out.append(self.finding(RuleId.AS102, message, self.table_loc(table)))
            return out
        if self.runs(RuleId.AS101):
            if _is_junction_key(table):
                pass  # a junction table's composite key of foreign keys: the spec's Exception 2
            elif len(pk_cols) > 1:
                names = ", ".join(c.name for c in pk_cols)
                out.append(
                    self.finding(
                        RuleId.AS101,
                        f"composite primary key ({names}) instead of a UUID key; only a junction table's key of "
                        "foreign keys is exempt, anything else is a permitted exception once documented with its "
                        "reason",
                        self.table_loc(table),
                    )
                )
            elif self.sqlite:
                pass  # reported once per table below (AS904)
            elif pk_cols[0].foreign_keys:
                # A key that is a foreign key (joined-table inheritance: CTFd's solves.id ->
                # submissions.id; a one-to-one extension table) takes its type from the key it
                # refers to: the parent is reported, and its documented exception covers both.
                pass
            elif not _is_uuid_type(pk_cols[0].type):
                col = pk_cols[0]
                t = _unwrap(col.type)
                # "documented": the spec's way is a class docstring paragraph "Exception: <reason>"
                # (the catalogue's AS101 notes say so; the message stays one line).
                if isinstance(t, Integer):
                    hint = "sequential integer IDs are a permitted exception once documented with their reason"
                elif isinstance(t, String):
                    hint = "a protocol-mandated string key is a permitted exception once documented with its reason"
                else:
                    hint = "use a native UUID type"
                out.append(
                    self.finding(
                        RuleId.AS101,
                        f"primary key {table.name}.{col.name} is {self.type_text(col.type)}, not a native UUID; {hint}",
                        self.column_loc(col),
                    )
                )
        if self.sqlite and (self.runs(RuleId.AS101) or self.runs(RuleId.AS402)):
            out.append(
                self.finding(
                    RuleId.AS904,
                    f"table {table.fullname}: SQLite has no native UUID or time-zone-aware timestamp type; "
                    "AS101 and AS402 are not judged on SQLite",
                    self.table_loc(table),
                )
            )
        if self.runs(RuleId.AS103):
            out += self._pk_index(table, [c.name for c in pk_cols])
        return out

    def _pk_index(self, table: Table, pk_names: list[str]) -> list[Finding]:
        policy = self.config.pk_index
        if policy == "allow":
            return []
        redundant = []
        for ix in table.indexes:
            plain = [c.name if (c := plain_column(e)) is not None else None for e in ix.expressions]
            if None in plain or _index_predicate(ix) is not None:
                continue
            if plain and plain == pk_names[: len(plain)]:
                redundant.append(ix)
        if policy == "forbid":
            out = []
            for ix in redundant:
                cols = [str(c.name) for e in ix.expressions if (c := plain_column(e)) is not None]
                out.append(
                    self.finding(
                        RuleId.AS103,
                        f"index on primary-key column(s) ({', '.join(cols)}) of {table.name} duplicates the primary "
                        'key\'s own index; drop index=True (pk_index = "forbid")',
                        self.constraint_loc(table, ix, "Index", cols),
                    )
                )
            return out
        # "require": the spec's literal `index=True` on a single-column primary key.
        if len(pk_names) == 1 and not redundant:
            col = table.c[pk_names[0]]
            return [
                self.finding(
                    RuleId.AS103,
                    f'primary key {table.name}.{col.name} lacks index=True (pk_index = "require")',
                    self.column_loc(col),
                )
            ]
        return []

    def _foreign_keys(self, table: Table) -> list[Finding]:
        out: list[Finding] = []
        if self.runs(RuleId.AS201):
            for fk in uncovered_foreign_keys(table):
                cols = list(foreign_key_columns(fk))
                if (
                    self.stage is not Stage.DATABASE
                    and _is_junction_key(table)
                    and set(cols) <= set(table.primary_key.columns.keys())
                ):
                    # The spec's Permitted Exception 2 (JournalEntryTag) declares a junction table as
                    # its composite key alone; the key covers its leading column, and the autogenerate
                    # plugin adds the index of the others to the migration (the spec's own migration
                    # creates idx_journal_entry_tags_tag_id).  So the model is compliant as written;
                    # the migration checker and the live audit still verify the index exists.
                    continue
                target = ", ".join(e.target_fullname for e in fk.elements) or "?"
                suggestion = self.config.naming.index(table.name, cols)
                first = table.c[cols[0]] if cols and cols[0] in table.c else None
                loc = self.column_loc(first) if first is not None else self.table_loc(table)
                if len(cols) > 1:
                    # A composite key is written in __table_args__, not on its first column (Indico):
                    # its ForeignKeyConstraint(...) is where the index belongs beside it.
                    written = self.constraint_loc(table, fk, "ForeignKeyConstraint", cols)
                    if written.line is not None and written.line != self.table_loc(table).line:
                        # Found there (not the class line it falls back to); the object is still the
                        # first column, as before (baselines, the combined report's facts).
                        loc = replace(written, column=loc.column)
                loc = replace(loc, constraint=explicit_name(fk.name))
                if self.stage is Stage.DATABASE:
                    # A live database is fixed by a migration, not by a model edit.
                    quoted = ", ".join(map(repr, cols))
                    # Outside the search path the table is not found without its schema (Indico's
                    # twelve schemas): the call must run as written.
                    where = f", schema={table.schema!r}" if table.schema is not None else ""
                    how = f"op.create_index({suggestion!r}, {table.name!r}, [{quoted}]{where}) in a migration"
                elif len(cols) == 1 and self._owner_scoped(table, cols[0]):
                    # AS601 asks (owner, created_at) of the same table, which covers the key too:
                    # both remedies followed gave a redundant single-column index (Polar).
                    created = self.config.timestamp_columns[0]
                    both = self.config.naming.index(table.name, [cols[0], created])
                    how = f"Index({both!r}, {cols[0]!r}, {created!r}), which AS601 asks too"
                    how += " (or index=True on the column)"
                elif len(cols) == 1:
                    how = "index=True on the column"
                else:
                    how = f"Index({suggestion!r}, {', '.join(map(repr, cols))})"
                out.append(self.finding(RuleId.AS201, messages.fk_unindexed(table.name, cols, target, how), loc))
        for fk_constraint in sorted(table.foreign_key_constraints, key=foreign_key_columns):
            for element in fk_constraint.elements:
                out += self._foreign_key(table, element)
        return out

    def _foreign_key(self, table: Table, fk: ForeignKey) -> list[Finding]:
        out: list[Finding] = []
        column = fk.parent
        # Located only for a finding: most keys have none, and locating one costs as much as
        # judging it (10,648 keys, 0.09 s, at 5,000 tables).
        loc = partial(self.column_loc, column)

        spec = fk.target_fullname  # read once: a property that parses the key's spec
        resolved = self.resolver.target(fk, spec)
        wants_target = any(self.runs(r) for r in (RuleId.AS202, RuleId.AS205))
        if resolved is None:
            if wants_target and self.config.is_enabled(RuleId.AS904):
                out.append(
                    self.finding(
                        RuleId.AS904,
                        f"foreign key {table.name}.{column.name} -> {spec}: the target is not in the "
                        "linted metadata; its type and uniqueness are not checked",
                        loc(),
                    )
                )
        else:
            target_table, target_col = resolved
            if self.runs(RuleId.AS202):
                out += self._fk_type(table, column, target_table, target_col, loc)
            if self.runs(RuleId.AS205) and fk.constraint is not None and fk is fk.constraint.elements[0]:
                out += self._fk_target_unique(table, fk, target_table, loc)
        if self.runs(RuleId.AS203) and not column.primary_key and not self._nullable_stated(column):
            out.append(
                self.finding(
                    RuleId.AS203,
                    f"foreign key column {table.name}.{column.name} does not state nullable=True/False",
                    loc(),
                )
            )
        # A member of a composite key is named for the composite relationship, often with a key of
        # its own beside it (Indico's venue_id: its own FK to locations.id, and with room_id one to
        # rooms(location_id, id)); "<target>_<column>" advice is for a column that is one reference.
        composite = fk.constraint is not None and len(fk.constraint.elements) > 1
        if self.runs(RuleId.AS204) and not composite:
            target_path, _, target_column = spec.rpartition(".")
            target_table_name = target_path.rpartition(".")[2]
            name = column.name
            # The forms the catalogue accepts (AS204 rationale): any name ending in the referenced
            # column's (user_id, owner_id, tag_id -> secret_tags.tag_id), or a name after the target
            # table whatever its key is called (run_id and source_run_id -> runs.run_uuid, trace_id
            # -> trace_info.request_id: MLflow).
            if (
                name != target_column
                and not name.endswith("_" + target_column)
                and not _named_after_table(name, target_table_name)
            ):
                out.append(
                    self.finding(
                        RuleId.AS204,
                        f"foreign key column {table.name}.{name} references {target_table_name}.{target_column} "
                        f"but is not named <target>_{target_column} "
                        f"(e.g. {_singular(target_table_name)}_{target_column})",
                        loc(),
                    )
                )
        return out

    def _fk_type(
        self,
        table: Table,
        column: Column[Any],
        target_table: Table,
        target: Column[Any],
        loc: Callable[[], Location],
    ) -> list[Finding]:
        local_sig = _type_signature(column.type)
        if isinstance(_unwrap(column.type), NullType):
            return []  # SQLAlchemy copies the target's type onto an untyped FK column
        target_sig = _type_signature(target.type)
        if local_sig is None or target_sig is None:
            return [
                self.finding(
                    RuleId.AS904,
                    f"foreign key {table.name}.{column.name}: the type of {target_table.name}.{target.name} is "
                    "unknown; the type match is not checked",
                    loc(),
                )
            ]
        if local_sig == target_sig:
            return []
        return [
            self.finding(
                RuleId.AS202,
                f"foreign key {table.name}.{column.name} is {self.type_text(column.type)} but "
                f"{target_table.name}.{target.name} is {self.type_text(target.type)}",
                loc(),
            )
        ]

    def _fk_target_unique(
        self, table: Table, fk: ForeignKey, target_table: Table, loc: Callable[[], Location]
    ) -> list[Finding]:
        constraint = fk.constraint
        assert constraint is not None
        wanted = frozenset(e.target_fullname.rpartition(".")[2] for e in constraint.elements)
        if wanted in self._unique_keys(target_table):
            return []
        cols = ", ".join(sorted(wanted))
        return [
            self.finding(
                RuleId.AS205,
                f"foreign key {table.name}({', '.join(foreign_key_columns(constraint))}) references "
                f"{target_table.name}({cols}), which is neither its primary key nor unique",
                loc(),
            )
        ]

    def _unique_keys(self, table: Table) -> frozenset[frozenset[str]]:
        """The column sets of ``table`` that are unique: primary key, unique constraints, full
        unique indexes on plain columns, ``unique=True`` columns.  Once per table per run: a
        table referenced by many foreign keys was otherwise scanned for each."""
        found = self._unique_key_sets.get(table)
        if found is None:
            keys: set[frozenset[str]] = set()
            if table.primary_key is not None and len(table.primary_key.columns):
                keys.add(frozenset(c.name for c in table.primary_key.columns))
            for c in table.constraints:
                if isinstance(c, UniqueConstraint):
                    keys.add(frozenset(_key_columns(c)))
            for ix in table.indexes:
                if ix.unique and _index_predicate(ix) is None and not _index_is_expression(ix):
                    keys.add(frozenset(p.name for e in ix.expressions if (p := plain_column(e)) is not None))
            keys.update(frozenset({col.name}) for col in table.columns if col.unique)
            found = self._unique_key_sets[table] = frozenset(keys)
        return found

    def _set_by_update_listener(self, table: Table, column: Column[Any]) -> bool:
        """Whether a ``before_update`` mapper listener assigns ``column`` (``target.updated_at =
        ...``): SQLAlchemy's own recipe for an update timestamp, Redash's and Dispatch's.  The
        listener's source is read, never run; one that assigns something else (Dispatch's
        ``Report`` rebuilds a text column) does not count."""
        mapper = self.index.mapper(table) if self.index is not None else None
        if mapper is None:
            return False
        attribute = (self.index.column_attribute(column) if self.index is not None else None) or column.key
        assigned = re.compile(
            rf"\.{re.escape(attribute)}\s*=(?!=)|setattr\(\s*\w+\s*,\s*[\"']{re.escape(attribute)}[\"']"
        )
        if any(
            "__declare_last__" in vars(klass) or "__declare_first__" in vars(klass) for klass in mapper.class_.__mro__
        ):
            # Listeners registered by ``__declare_last__`` (Dispatch) exist once the mappers are
            # configured, as on an application's first query.  Only for such models (configuring
            # earlier would change what the relationship rules report of a failing one), and
            # only when AS404 would report; a failure is the relationship rules' to report.
            with contextlib.suppress(Exception):
                mapper.registry.configure()
        for function in sqla_compat.mapper_listeners(mapper, "before_update"):
            try:
                source = pyinspect.getsource(function)
            except (OSError, TypeError):
                continue
            if assigned.search(source):
                return True
        return False

    def _joined_child(self, table: Table) -> bool:
        """Whether ``table`` is the child table of joined-table inheritance: a row of it is a row of
        the parent's table too, whose timestamps it shares (a ``TimestampMixin`` inherited through a
        mapped parent puts its columns on the parent only; CTFd's ``solves``).  AS401 judges the parent."""
        mapper = self.index.mapper(table) if self.index is not None else None
        parent = getattr(mapper, "inherits", None)
        if mapper is None or parent is None:
            return False
        return mapper.local_table is table and parent.local_table is not table

    def _nullable_stated(self, column: Column[Any]) -> bool:
        # SQLAlchemy records whether nullable= was passed (Column._user_defined_nullable; pinned by
        # a test).  A typed mapped_column states it through its Mapped[...] annotation instead
        # (Optional[...] -> NULL, anything else -> NOT NULL), which leaves that flag unset.
        if sqla_compat.nullable_stated(column) is not None:
            return True
        if self.index is None:
            return False
        src = self.index.column_source(column)
        if src is not None:
            return "nullable" in src.keywords or src.mapped_annotation
        table = column.table
        attr = self.index.column_attribute(column)
        mapper = self.index.mapper(table) if isinstance(table, Table) else None
        return attr is not None and mapper is not None and _mapped_annotation(mapper.class_, attr)

    def _timestamps(self, table: Table) -> list[Finding]:
        out: list[Finding] = []
        created, updated = self.config.timestamp_columns
        if self.runs(RuleId.AS401):
            missing = [name for name in (created, updated) if name not in table.c]
            if missing and not _is_pure_link_table(table) and not self._joined_child(table):
                loc = self.table_loc(table)
                if missing == [updated] and loc.line is not None:
                    # The created_at a base class or mixin declares (before the table's own class, or
                    # in another file) is where updated_at belongs, and one place for every table
                    # using it (Polar's TimestampedModel has modified_at: 91 tables, one finding;
                    # models.py merges them).  A table's own created_at leaves it at its class.
                    declared = self.column_loc(table.c[created])
                    if declared.line is not None and (declared.path != loc.path or declared.line < loc.line):
                        loc = replace(declared, schema=table.schema, table=table.name, column=None)
                out.append(
                    self.finding(
                        RuleId.AS401,
                        f"table {table.fullname} lacks {' and '.join(missing)} (use the TimestampMixin, or document "
                        "an exception)",
                        loc,
                    )
                )
        if self.runs(RuleId.AS402) and not self.sqlite:
            for col in table.columns:
                t = _unwrap(col.type)
                if isinstance(t, DateTime) and not t.timezone:
                    out.append(
                        self.finding(
                            RuleId.AS402,
                            f"{table.name}.{col.name} is a timestamp without time zone; {_aware_remedy(col.type)}",
                            self.column_loc(col),
                        )
                    )
        for name in (created, updated):
            if name not in table.c:
                continue
            col = table.c[name]
            # func.now() is advice only for a date/time column; a created_at stored otherwise
            # (BIGINT epoch milliseconds) needs a default of its own type, which we cannot guess.
            is_time = isinstance(_unwrap(col.type), (DateTime, Date))
            if self.runs(RuleId.AS403) and col.server_default is None:
                how = (
                    "add server_default=func.now()"
                    if is_time
                    else f"it is {self.type_text(col.type)}, so add a server_default of that type computed by the "
                    "database (func.now() fits only DateTime)"
                )
                out.append(
                    self.finding(
                        RuleId.AS403, f"{table.name}.{name} has no server default; {how}", self.column_loc(col)
                    )
                )
            if (
                name == updated
                and self.runs(RuleId.AS404)
                and col.onupdate is None
                and col.server_onupdate is None
                and not self._set_by_update_listener(table, col)
            ):
                how = (
                    "add onupdate=func.now() (or server_onupdate backed by a trigger)"
                    if is_time
                    else f"it is {self.type_text(col.type)}, so add onupdate= with a value of that type (or "
                    "server_onupdate backed by a trigger)"
                )
                out.append(
                    self.finding(
                        RuleId.AS404, f"{table.name}.{name} is not maintained on update; {how}", self.column_loc(col)
                    )
                )
        return out

    def _indexes(self, table: Table) -> list[Finding]:
        out: list[Finding] = []
        if not self.config.is_enabled(RuleId.AS904):
            return out
        for ix in sorted(table.indexes, key=lambda i: str(i.name)):
            if _index_is_expression(ix):
                cols = index_column_names(ix)
                # The expressions as PostgreSQL reads them, plain columns left out; after the "; ", so
                # that the models' `lower(name)` and the database's `lower(name::text)` state one fact
                # (reported once by `check --metadata --database-url`: Indico).
                shown = ", ".join(
                    _expression_sql(e) for e in ix.expressions if not isinstance(e, str) and plain_column(e) is None
                )
                out.append(
                    self.finding(
                        RuleId.AS904,
                        f"index {explicit_name(ix.name) or '(unnamed)'} on {table.name} has expression elements; "
                        f"only its plain leading columns count for FK coverage and uniqueness ({shown})",
                        self.constraint_loc(table, ix, "Index", cols),
                    )
                )
        return out

    def _names(self, table: Table) -> list[Finding]:
        out: list[Finding] = []
        if self.runs(RuleId.AS501):
            # The autogenerate plugin names every constraint and index it writes; what it leaves
            # unnamed (and PostgreSQL then names) is a non-native Enum's CHECK (AS501 notes).
            for constraint in table.constraints:
                enum_column = _non_native_enum_column(constraint)
                if enum_column is None:
                    continue
                if explicit_name(constraint.name) is None and not _convention_names(table.metadata, constraint):
                    out.append(
                        self.finding(
                            RuleId.AS501,
                            f"the CHECK constraint of the Enum column {table.name}.{enum_column.name} has no name "
                            "and neither a naming convention nor the autogenerate plugin names it, so PostgreSQL "
                            "invents one; give the Enum a name= (it names its CHECK) or add a 'ck' naming convention",
                            self.column_loc(enum_column),
                        )
                    )
        if self.runs(RuleId.AS504):
            # Located only when too long: looking up a location costs more than measuring a name.
            limit = self.config.naming.limit
            named: list[tuple[str, Callable[[], Location]]] = [(table.name, partial(self.table_loc, table))]
            named += [(c.name, partial(self.column_loc, c)) for c in table.columns]
            items: list[Any] = [*table.constraints, *table.indexes]
            for c in items:
                name = explicit_name(c.name)
                if name is not None and not isinstance(name, conv):
                    named.append((name, partial(self._named_loc, table, c)))
            for name, where in named:
                size = len(name.encode("utf-8"))
                if size > limit:
                    out.append(
                        self.finding(RuleId.AS504, f"name {name!r} is {size} bytes; PostgreSQL keeps {limit}", where())
                    )
        return out

    def _named_loc(self, table: Table, obj: Any) -> Location:
        cols = index_column_names(obj) if isinstance(obj, Index) else list(_key_columns(obj))
        return self.constraint_loc(table, obj, type(obj).__name__, cols)

    def _status_columns(self, table: Table) -> list[Finding]:
        if not self.runs(RuleId.AS503):
            return []
        out: list[Finding] = []
        names = self.config.status_columns
        suffixes = tuple("_" + n for n in names)
        checks: list[str] | None = None  # the table's CHECK texts, compiled once, if ever needed
        for col in table.columns:
            if not (col.name in names or col.name.endswith(suffixes)):
                continue
            if checks is None:
                checks = [str(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)]
            t = _unwrap(col.type)
            if isinstance(t, (Enum, Boolean)):
                continue
            # A closed set of values is a plain string or integer column.  A JSON or binary blob
            # named `state` (serialized state), or a custom TypeDecorator with its own conversion,
            # is not a status (found on JupyterHub's users.state / encrypted_auth_state).
            if isinstance(col.type, TypeDecorator) or not isinstance(t, (String, Integer)):
                continue
            col_checks = [str(c.sqltext) for c in col.constraints if isinstance(c, CheckConstraint)]
            if any(_check_names_column(text, table.name, col.name) for text in [*checks, *col_checks]):
                continue
            out.append(
                self.finding(
                    RuleId.AS503,
                    f"{table.name}.{col.name} looks like a status column but no CHECK constraint or Enum "
                    "constrains its values",
                    self.column_loc(col),
                )
            )
        return out

    def _owner_scoped(self, table: Table, column: str) -> bool:
        """Whether AS601 asks an index on (``column``, created_at) of ``table``: one that covers the key."""
        created = self.config.timestamp_columns[0]
        return (
            self.runs(RuleId.AS601)
            and column in self.config.owner_columns
            and created in table.c
            and not is_covered([column, created], table_keys(table))
        )

    def _owner_index(self, table: Table) -> list[Finding]:
        if not self.runs(RuleId.AS601):
            return []
        created = self.config.timestamp_columns[0]
        if created not in table.c:
            return []
        # The keys only for a table with an owner column (_owner_scoped): most tables have none, and
        # collecting them (already done once per table for AS201) cost 0.04 s of CPU at 1,000 tables.
        out: list[Finding] = []
        for owner in self.config.owner_columns:
            if owner not in table.c or not table.c[owner].foreign_keys or not self._owner_scoped(table, owner):
                continue
            suggestion = self.config.naming.index(table.name, [owner, created])
            out.append(
                self.finding(
                    RuleId.AS601,
                    f"owner-scoped table {table.name} lacks an index on ({owner}, {created}); add "
                    f"Index({suggestion!r}, {owner!r}, {created!r})",
                    self.table_loc(table),
                )
            )
        return out


def documented_departures(table: Table, config: Config) -> list[RuleId]:
    """The rules of :data:`DOCSTRING_EXCEPTION_RULES` that ``table`` breaks, judged by the linter
    itself, so that a docstring exception becomes register entries for exactly those rules."""
    linter = ModelRules(config, Stage.MODELS, None, TableResolver([table]))
    found = [*linter._primary_key(table), *linter._timestamps(table)]
    return sorted({f.rule_id for f in found} & set(DOCSTRING_EXCEPTION_RULES))


def _named_after_table(name: str, table: str) -> bool:
    """``<role>_<target>_id``: ``<target>`` the singular table name or its leading words, the role optional.

    ``run_id`` and ``source_run_id`` name ``runs``; ``trace_id`` names ``trace_info`` (its first word);
    ``info_id`` does not (a later word alone says nothing of the table).
    """
    if not name.endswith("_id"):
        return False
    stem = name[:-3].split("_")
    words = _singular(table).split("_")
    return any(stem[-k:] == words[:k] for k in range(1, min(len(stem), len(words)) + 1))


def _singular(name: str) -> str:
    if name.endswith("ies") and len(name) > 3:
        return name[:-3] + "y"
    if name.endswith(("ses", "xes", "zes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name
