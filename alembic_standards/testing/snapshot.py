"""A deterministic snapshot of a live schema, and a readable diff between two snapshots.

Why not pytest-alembic's ``test_downgrade_leaves_no_trace``: it compares two *rendered
autogenerate migrations* against the models, so it only sees what autogenerate compares (no
constraint names, no check constraints, no enum types left behind, no sequences), and it needs
transactional DDL.  Here a schema is reduced to a set of :class:`SchemaObject` facts read from
the database through the Inspector (bulk ``get_multi_*`` calls: a handful of queries, not a few per
table), so "the downgrade left no trace" is plain set equality and the diff names every object
that was added, lost or changed, with its name.

The module knows nothing about Alembic or pytest; it is unit-tested on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from sqlalchemy import Connection, Engine
    from sqlalchemy.engine import Dialect
    from sqlalchemy.engine.reflection import Inspector

__all__ = ["SchemaDiff", "SchemaObject", "SchemaSnapshot", "diff_snapshots", "take_snapshot"]

#: Tables that belong to the migration tool, not to the schema under test.
DEFAULT_EXCLUDED_TABLES = frozenset({"alembic_version"})

# Order in which kinds are listed inside one table (the table itself first).
_KIND_ORDER = {
    "table": 0,
    "column": 1,
    "primary key": 2,
    "foreign key": 3,
    "unique constraint": 4,
    "check constraint": 5,
    "index": 6,
    "view": 7,
    "sequence": 8,
    "enum type": 9,
}


@dataclass(frozen=True, order=True)
class SchemaObject:
    """One named schema object and its definition, as text.

    ``table`` is None for schema-level objects (views, sequences, enum types).  ``name`` is the
    object's name in the database (None for an unnamed constraint, which SQLite allows), so a
    renamed constraint is a different object: a downgrade that recreates ``fk_a`` as ``a_fkey`` is
    reported.
    """

    table: str
    kind: str
    name: str
    definition: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.table, self.kind, self.name)

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.table, _KIND_ORDER.get(self.kind, 99), self.name, self.definition)

    def render(self) -> str:
        where = f"{self.table}." if self.table else ""
        if self.kind == "table":
            return f"table {self.name}"
        if self.kind == "column":
            return f"column {where}{self.name} {self.definition}"
        text = f"{self.kind} {self.name}"
        if self.table:
            text += f" on {self.table}"
        return f"{text} {self.definition}".rstrip()


@dataclass(frozen=True)
class SchemaSnapshot:
    """Every table, column, key, index, view, sequence and enum type of one schema."""

    objects: frozenset[SchemaObject]

    @property
    def tables(self) -> list[str]:
        return sorted(o.name for o in self.objects if o.kind == "table")

    def render(self) -> str:
        """One line per object, grouped by table, deterministic (for failure messages)."""
        return "\n".join(o.render() for o in sorted(self.objects, key=SchemaObject.sort_key))


@dataclass(frozen=True)
class SchemaDiff:
    """What differs between ``before`` and ``after``: objects lost, objects added, objects changed."""

    missing: tuple[SchemaObject, ...]
    """In ``before`` only."""
    extra: tuple[SchemaObject, ...]
    """In ``after`` only."""
    changed: tuple[tuple[SchemaObject, SchemaObject], ...]
    """Same table, kind and name; different definition (before, after)."""

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.changed)

    def render(self) -> str:
        """A diff-like listing: ``- object`` (only before), ``+ object`` (only after), ``~`` changed."""
        lines = [f"- {obj.render()}" for obj in self.missing]
        lines += [f"+ {obj.render()}" for obj in self.extra]
        for old, new in self.changed:
            where = f"{old.table}." if old.table else ""
            lines.append(f"~ {old.kind} {where}{old.name}: {old.definition} -> {new.definition}")
        return "\n".join(lines)


def diff_snapshots(before: SchemaSnapshot, after: SchemaSnapshot) -> SchemaDiff:
    """Compare two snapshots object by object (keyed by table, kind and name)."""
    old = {o.key: o for o in before.objects}
    new = {o.key: o for o in after.objects}
    missing = sorted((old[k] for k in old.keys() - new.keys()), key=SchemaObject.sort_key)
    extra = sorted((new[k] for k in new.keys() - old.keys()), key=SchemaObject.sort_key)
    changed = sorted(
        ((old[k], new[k]) for k in old.keys() & new.keys() if old[k] != new[k]),
        key=lambda pair: pair[0].sort_key(),
    )
    return SchemaDiff(tuple(missing), tuple(extra), tuple(changed))


def take_snapshot(
    bind: Engine | Connection,
    *,
    schema: str | None = None,
    exclude_tables: Iterable[str] = DEFAULT_EXCLUDED_TABLES,
) -> SchemaSnapshot:
    """Reflect ``schema`` (the default schema when None) into a :class:`SchemaSnapshot`.

    A fresh Inspector is used on every call: an Inspector caches what it reflected, and a snapshot
    taken after a migration must not see the schema from before it.
    """
    inspector: Inspector = inspect(bind)
    dialect = inspector.dialect
    excluded = set(exclude_tables)
    objects: set[SchemaObject] = set()

    table_names = [t for t in inspector.get_table_names(schema=schema) if t not in excluded]
    if table_names:
        kw: dict[str, Any] = {"schema": schema, "filter_names": table_names}
        columns = _by_table(inspector.get_multi_columns(**kw))
        pks = _by_table(inspector.get_multi_pk_constraint(**kw))
        fks = _by_table(inspector.get_multi_foreign_keys(**kw))
        indexes = _by_table(inspector.get_multi_indexes(**kw))
        uniques = _by_table(inspector.get_multi_unique_constraints(**kw))
        checks = _optional_by_table(lambda: inspector.get_multi_check_constraints(**kw))
        for table in table_names:
            objects.add(SchemaObject(table, "table", table, ""))
            objects.update(_columns(table, columns.get(table, []), dialect))
            objects.update(_primary_key(table, pks.get(table)))
            objects.update(_foreign_keys(table, fks.get(table, [])))
            objects.update(_uniques(table, uniques.get(table, [])))
            objects.update(_checks(table, checks.get(table, [])))
            objects.update(_indexes(table, indexes.get(table, [])))

    for view in _optional_list(lambda: inspector.get_view_names(schema=schema)):
        objects.add(SchemaObject("", "view", view, ""))
    for sequence in _optional_list(lambda: inspector.get_sequence_names(schema=schema)):
        objects.add(SchemaObject("", "sequence", sequence, ""))
    get_enums = getattr(inspector, "get_enums", None)  # PostgreSQL only
    if get_enums is not None:
        for enum in get_enums(schema=schema or "public"):
            labels = ", ".join(repr(label) for label in enum["labels"])
            objects.add(SchemaObject("", "enum type", enum["name"], f"({labels})"))
    return SchemaSnapshot(frozenset(objects))


# --------------------------------------------------------------------------------------------- helpers


def _by_table(result: Mapping[tuple[str | None, str], Any]) -> dict[str, Any]:
    return {table: value for (_schema, table), value in result.items()}


def _optional_by_table(call: Any) -> dict[str, Any]:
    try:
        return _by_table(call())
    except NotImplementedError:
        return {}


def _optional_list(call: Any) -> list[str]:
    try:
        return sorted(call())
    except NotImplementedError:
        return []


def _cols(names: Sequence[str | None]) -> str:
    return "(" + ", ".join(n if n is not None else "<expression>" for n in names) + ")"


def _name(value: object) -> str:
    # SQLite reports unnamed constraints with name None; keep them comparable but visible.
    return str(value) if value else "<unnamed>"


def _type_text(type_: Any, dialect: Dialect) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a type the dialect cannot render (NullType): still deterministic
        return repr(type_)


def _columns(table: str, columns: Sequence[Mapping[str, Any]], dialect: Dialect) -> Iterable[SchemaObject]:
    for col in columns:
        parts = [_type_text(col["type"], dialect), "NULL" if col.get("nullable", True) else "NOT NULL"]
        if col.get("default") is not None:
            parts.append(f"DEFAULT {col['default']}")
        if col.get("computed"):
            parts.append(f"GENERATED {col['computed'].get('sqltext')}")
        if col.get("identity"):
            parts.append("IDENTITY")
        yield SchemaObject(table, "column", col["name"], " ".join(parts))


def _primary_key(table: str, pk: Mapping[str, Any] | None) -> Iterable[SchemaObject]:
    if pk and pk.get("constrained_columns"):
        yield SchemaObject(table, "primary key", _name(pk.get("name")), _cols(pk["constrained_columns"]))


def _foreign_keys(table: str, fks: Sequence[Mapping[str, Any]]) -> Iterable[SchemaObject]:
    for fk in fks:
        referred = fk["referred_table"]
        if fk.get("referred_schema"):
            referred = f"{fk['referred_schema']}.{referred}"
        text = f"{_cols(fk['constrained_columns'])} -> {referred}{_cols(fk['referred_columns'])}"
        options = fk.get("options") or {}
        for key in sorted(options):
            text += f" {key.upper()} {options[key]}"
        yield SchemaObject(table, "foreign key", _name(fk.get("name")), text)


def _uniques(table: str, uniques: Sequence[Mapping[str, Any]]) -> Iterable[SchemaObject]:
    for uq in uniques:
        yield SchemaObject(table, "unique constraint", _name(uq.get("name")), _cols(uq["column_names"]))


def _checks(table: str, checks: Sequence[Mapping[str, Any]]) -> Iterable[SchemaObject]:
    for ck in checks:
        yield SchemaObject(table, "check constraint", _name(ck.get("name")), f"CHECK ({ck['sqltext']})")


def _indexes(table: str, indexes: Sequence[Mapping[str, Any]]) -> Iterable[SchemaObject]:
    for ix in indexes:
        if ix.get("duplicates_constraint"):
            # PostgreSQL lists the index behind a unique constraint as an index too: the
            # constraint is already recorded (under its name), so the index adds nothing.
            continue
        names = list(ix.get("column_names") or [])
        expressions = ix.get("expressions")
        if expressions:
            names = (
                [e if n is None else n for n, e in zip(names, expressions, strict=False)]
                if names
                else list(expressions)
            )
        text = _cols(names)
        if ix.get("unique"):
            text = "UNIQUE " + text
        dialect_options = ix.get("dialect_options") or {}
        where = dialect_options.get("postgresql_where") or dialect_options.get("sqlite_where")
        if where is not None:
            text += f" WHERE {where}"
        using = dialect_options.get("postgresql_using")
        if using and using != "btree":
            text += f" USING {using}"
        yield SchemaObject(table, "index", _name(ix.get("name")), text)
