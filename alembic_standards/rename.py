"""Rename a live database's constraints and indexes to the naming convention, in one revision.

Why: a project adopting alembic-standards usually has years of constraints named by the database
(``item_owner_id_fkey``, ``item_pkey``) or by SQLAlchemy's default (``ix_item_code``).  Setting a
naming convention on such a project is not enough -- and done first, it is harmful: Alembic's
operations take the target MetaData's convention, so replaying the old revisions on a fresh
database names their unnamed constraints by the convention, and an old revision that refers to
a database-made name then fails (``constraint "item_owner_id_fkey" ... does not exist``).  The
safe path is to rename what exists *first*, in a reviewed, reversible revision, then set the
convention.  This module plans and writes that revision; ``alembic-standards rename-constraints``
is its command.

What it does:

* :func:`plan_renames` reflects the database (one bulk ``MetaData.reflect`` per schema, via
  :func:`alembic_standards.audit.reflect_database`), computes the convention name of every primary
  key, foreign key, unique constraint, check constraint and index with
  :meth:`~alembic_standards.naming.NamingConvention.name_for` (the same names, truncation
  included, that the autogenerate plugin and the model linter use) and keeps a :class:`Rename`
  wherever the name differs.  Alembic's version table is skipped.  Two objects that would get the
  same name, or a target name already taken by another object, are refused with one
  :class:`~alembic_standards.findings.StandardsError` listing every clash (nothing is written).
* :func:`write_revision` writes a normal revision into the project's versions directory through
  Alembic's own ``ScriptDirectory.generate_revision`` (so the project's ``script.py.mako``, file
  template and post-write hooks apply).  Operations are Alembic's where Alembic has them (SQLite
  index and table operations, rendered by ``render_python_code``); every name and SQL fragment
  reaches the file only through ``repr``.  The downgrade renames everything back, in reverse
  order.

Per dialect:

* PostgreSQL: Alembic has no operation for ``RENAME CONSTRAINT``, so each rename is an
  ``op.execute("DO $$BEGIN IF <old name exists> THEN ALTER TABLE ... RENAME CONSTRAINT ... TO ...;
  ELSIF NOT <new name exists> THEN RAISE EXCEPTION ...; END IF; END$$")`` (``ALTER INDEX ...
  RENAME TO ...`` for indexes).  Conditional because the revision is replayed too: once the
  convention is set on the models, Alembic's operations name the old revisions' unnamed
  constraints by it on a fresh database (CI, pytest-alembic), where this revision must then do
  nothing -- and it still fails loudly when neither name exists (except for CHECKs, see below).
  Every identifier is quoted by the dialect's identifier preparer at generation time
  (uppercase, reserved words and embedded quotes survive); ``:name`` is escaped because Alembic
  wraps the string in ``text()``.  Renaming a primary key or unique constraint renames its index.
* SQLite has no ``RENAME CONSTRAINT`` and no ``ALTER INDEX``: an index is dropped and created under
  the new name (``op.drop_index``/``op.create_index``); a table whose constraints change name is
  rebuilt with ``op.batch_alter_table(..., recreate="always", copy_from=sa.Table(...))``, the
  table as reflected with the new names (the downgrade carries the old ones, ``None`` for an
  unnamed constraint -- which no batch operation can recreate, hence ``copy_from``).  A rebuild
  keeps only what SQLAlchemy reflects, so a table is refused when it has something reflection
  misses (a column-level ``UNIQUE`` on a parenthesised type, an expression or partial index).
  As for every batch rebuild, an ``env.py`` that turns ``PRAGMA foreign_keys`` on must turn it off
  around this revision (dropping a referenced table would otherwise fail or cascade).
  The rebuild imposes the table as reflected when the revision was written, also on a replay --
  the price of a revision that must be written out in full.  Verified on a real SQLite file by
  ``tests/test_rename_constraints.py`` (rows survive, both ways).

Names are computed with the project's length limit (63, PostgreSQL's) on every dialect, as the
autogenerate plugin does, so both agree.  The version table is ``alembic_version`` unless the
caller says otherwise (``version_table=``).

CHECK constraints need the ``constraint_name`` token.  Decision: a check with a name someone
chose keeps it as the token (``price_positive`` -> ``ck_item_price_positive``; a name that already
has the ``ck_<table>_`` prefix is not prefixed twice).  A check that is unnamed (SQLite) or named
by the database (PostgreSQL's ``item_price_check``) is named after the columns its expression
mentions, in table order (``ck_item_price``) -- what the autogenerate plugin names a column-level
check -- and, when it mentions none, after a short hash of its SQL text (the convention's rule
for an unnamed check without columns).  A check left unnamed in an old revision is named from a
hash of its *source* text on a database built under the convention, which the deparsed text in
the catalog cannot reproduce, so on PostgreSQL a check rename whose old name is absent is skipped
instead of refused (Alembic does not compare check constraints; name them in new revisions).
Expression indexes are left alone (reported in :attr:`RenamePlan.skipped`): their convention
name depends on how the models spell the expression.

The convention is the models' ``MetaData.naming_convention`` where it defines a template for a
kind, else the project's (``[tool.alembic_standards] naming_convention`` over the product's
default) -- :func:`convention_for`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .findings import StandardsError
from .naming import NamingConvention, constraint_kind, explicit_name, is_postgresql_default_name

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence

    from alembic.config import Config as AlembicConfig
    from sqlalchemy import Connection, Engine, MetaData, Table
    from sqlalchemy.engine import Dialect

__all__ = [
    "DEFAULT_MESSAGE",
    "Rename",
    "RenamePlan",
    "alembic_config",
    "convention_for",
    "database_url",
    "describe_plan",
    "names_in_models",
    "plan_renames",
    "render_operations",
    "write_revision",
]

DEFAULT_MESSAGE = "rename constraints and indexes to the naming convention"

KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "pk": "primary key",
        "fk": "foreign key",
        "uq": "unique constraint",
        "ck": "check constraint",
        "ix": "index",
    }
)

# Renames are listed per table in this order (then by old name).
_KIND_ORDER = ("pk", "uq", "fk", "ck", "ix")
_SUPPORTED_DIALECTS = ("postgresql", "sqlite")
# What text() would take for a bind parameter (":name"); escaped as "\\:name".
_BIND_LIKE = re.compile(r":(?=\w)")
_ESCAPED_COLON = r"\\:"


@dataclass(frozen=True)
class Rename:
    """One object to rename: ``old`` is None for an unnamed constraint (SQLite)."""

    kind: str
    table: str
    old: str | None
    new: str
    schema: str | None = None

    @property
    def where(self) -> str:
        """The table, schema-qualified when it has one."""
        return f"{self.schema}.{self.table}" if self.schema else self.table

    def describe(self) -> str:
        old = repr(self.old) if self.old is not None else "(unnamed)"
        return f"{KIND_LABELS[self.kind]} {old} on {self.where} -> {self.new!r}"


@dataclass(frozen=True)
class RenamePlan:
    """The renames for one database, in a stable order (schema, table, kind, old name)."""

    dialect: Dialect = field(repr=False, compare=False)
    renames: tuple[Rename, ...]
    skipped: tuple[str, ...] = ()
    naming: NamingConvention = field(default_factory=NamingConvention, repr=False, compare=False)
    # The revisions the database was at when it was read (its version table).
    database_heads: tuple[str, ...] = field(default=(), compare=False)
    # Reflected tables by (schema, name): SQLite rebuilds render them (copy_from).
    tables: Mapping[tuple[str | None, str], Table] = field(default_factory=dict, repr=False, compare=False)

    @property
    def dialect_name(self) -> str:
        return str(self.dialect.name)


# ---------------------------------------------------------------------------------------------
# The convention
# ---------------------------------------------------------------------------------------------


def convention_for(metadata: MetaData | None, base: NamingConvention) -> NamingConvention:
    """The convention the models use: their ``naming_convention`` templates over ``base``.

    A template keyed by a constraint class (SQLAlchemy allows ``{UniqueConstraint: ...}``) counts
    as its short key.  SQLAlchemy's built-in default (``ix_%(column_0_label)s``, present on every
    ``MetaData()``) is not a choice the team made, so it does not override ``base``; callables
    (custom tokens such as ``constraint_name``) are not templates and are ignored.
    """
    if metadata is None:
        return base
    from sqlalchemy import (
        CheckConstraint,
        ForeignKeyConstraint,
        Index,
        PrimaryKeyConstraint,
        UniqueConstraint,
    )
    from sqlalchemy import MetaData as _MetaData

    keys: dict[object, str] = {
        PrimaryKeyConstraint: "pk",
        ForeignKeyConstraint: "fk",
        UniqueConstraint: "uq",
        CheckConstraint: "ck",
        Index: "ix",
    }
    given = metadata.naming_convention
    if dict(given) == dict(_MetaData().naming_convention):  # SQLAlchemy's default, nobody's choice
        return base
    templates = dict(base.templates)
    for key, template in given.items():
        short = keys.get(key, key)
        if isinstance(short, str) and short in templates and isinstance(template, str):
            templates[short] = template
    return NamingConvention(templates, limit=base.limit)


# ---------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------


def plan_renames(
    bind: Engine | Connection | str,
    naming: NamingConvention,
    *,
    schemas: Sequence[str | None] = (None,),
    version_table: str = "alembic_version",
    keep: Collection[tuple[str | None, str, str]] = (),
) -> RenamePlan:
    """Reflect ``bind`` and return the renames that bring it to ``naming``.

    ``keep``: (schema, table, name) of the names the models state explicitly (see
    :func:`names_in_models`): those are the team's, and kept; a table without a schema in the
    models matches it in any schema asked for.

    Raises :class:`StandardsError` for an unreachable database, an unsupported dialect, and for
    name clashes (every clash listed in one message).
    """
    from .audit import _engine_for, reflect_database

    engine = _engine_for(bind) if isinstance(bind, str) else None
    target: Engine | Connection = engine if engine is not None else bind  # type: ignore[assignment]
    try:
        dialect = target.dialect
        if dialect.name not in _SUPPORTED_DIALECTS:
            raise StandardsError(
                f"rename-constraints supports PostgreSQL and SQLite, not {dialect.name}",
            )
        metadata = reflect_database(target, schemas=schemas)
        wanted = set(schemas)
        tables = [t for t in metadata.sorted_tables if t.schema in wanted and t.name != version_table]
        tables.sort(key=lambda t: (t.schema or "", t.name))
        occupied = _occupied_names(target, tables, schemas)
        sqlite_problems = _sqlite_unreflected(target, tables) if dialect.name == "sqlite" else {}
        database_heads = _database_heads(target, version_table)
    finally:
        if engine is not None:
            engine.dispose()

    renames: list[Rename] = []
    skipped: list[str] = []
    kept = set(keep)
    for table in tables:
        for rename in _table_renames(table, naming, skipped):
            old = str(rename.old)
            if (rename.schema, rename.table, old) in kept or (None, rename.table, old) in kept:
                skipped.append(
                    f"{KIND_LABELS[rename.kind]} {old!r} on {rename.where} keeps its name: the models name it so"
                )
            else:
                renames.append(rename)
    _refuse_clashes(renames, occupied)
    if dialect.name == "sqlite":
        _refuse_lossy_rebuilds(renames, tables, sqlite_problems)
    return RenamePlan(
        dialect=dialect,
        renames=tuple(renames),
        skipped=tuple(skipped),
        naming=naming,
        tables={(t.schema, t.name): t for t in tables},
        database_heads=database_heads,
    )


def names_in_models(metadatas: Iterable[MetaData]) -> set[tuple[str | None, str, str]]:
    """(schema, table, name) of every constraint and index the models name explicitly (``name=``,
    ``Index("name", ...)``): a name the team typed is the team's choice, and renaming it would
    leave the models and the database disagreeing (``alembic check`` dirty: Open WebUI, sweep 5).
    Names a naming convention made (``conv``, SQLAlchemy's default ``ix_`` one included) are not
    typed by anyone and are not listed."""
    from sqlalchemy.sql.elements import conv

    found: set[tuple[str | None, str, str]] = set()
    for metadata in metadatas:
        for table in metadata.tables.values():
            objects: list[Any] = [*table.constraints, *table.indexes]
            for obj in objects:
                name = explicit_name(obj.name)
                if name is not None and not isinstance(name, conv):
                    found.add((table.schema, table.name, name))
    return found


def _database_heads(bind: Engine | Connection, version_table: str) -> tuple[str, ...]:
    """The revisions the database is at (Alembic's own reading of its version table)."""
    from alembic.migration import MigrationContext
    from sqlalchemy import Connection

    def read(conn: Connection) -> tuple[str, ...]:
        context = MigrationContext.configure(conn, opts={"version_table": version_table})
        return tuple(sorted(context.get_current_heads()))

    if isinstance(bind, Connection):
        return read(bind)
    with bind.connect() as conn:
        return read(conn)


def _table_renames(table: Table, naming: NamingConvention, skipped: list[str]) -> list[Rename]:
    from sqlalchemy import Index

    out: list[Rename] = []
    where = f"{table.schema}.{table.name}" if table.schema else table.name
    constraints = sorted(table.constraints, key=lambda c: (_KIND_ORDER.index(_kind_of(c)), str(c.name or "")))
    objects: list[Any] = [*constraints, *sorted(table.indexes, key=lambda i: str(i.name or ""))]
    for obj in objects:
        new = _target_name(obj, table, naming)
        if new is None:
            if isinstance(obj, Index):
                skipped.append(f"expression index {obj.name!r} on {where} keeps its name (rename it by hand)")
            continue
        old = obj.name if isinstance(obj.name, str) and obj.name else None
        if old != new:
            out.append(Rename("ix" if isinstance(obj, Index) else _kind_of(obj), table.name, old, new, table.schema))
    return out


def _target_name(obj: Any, table: Table, naming: NamingConvention) -> str | None:
    """The convention name of a reflected constraint or index; None when it has none to get (an
    empty primary key, an expression index)."""
    from sqlalchemy import CheckConstraint, Column, Index, PrimaryKeyConstraint

    if isinstance(obj, PrimaryKeyConstraint) and not obj.columns:
        return None
    if isinstance(obj, Index) and not all(isinstance(expr, Column) for expr in obj.expressions):
        return None
    if isinstance(obj, CheckConstraint):
        return _check_name(obj, table, naming)
    return naming.name_for(obj, table)


_SQL_STRING = re.compile(r"'(?:[^']|'')*'")
_SQL_IDENTIFIER = re.compile(r'"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)')


def _check_name(constraint: Any, table: Table, naming: NamingConvention) -> str:
    """The convention name of a reflected CHECK (see the module docstring for the decision)."""
    name = explicit_name(constraint.name)
    sqltext = str(constraint.sqltext)
    table_columns = [c.name for c in table.columns]
    if name is not None and not is_postgresql_default_name(name, "ck", table.name, table_columns=table_columns):
        return naming.check(table.name, name, (), sqltext)
    mentioned: set[str] = set()
    for quoted, bare in _SQL_IDENTIFIER.findall(_SQL_STRING.sub("''", sqltext)):
        mentioned.add(quoted.replace('""', '"') if quoted else bare)
    columns = [c.name for c in table.columns if c.name in mentioned]
    return naming.check(table.name, None, columns, sqltext)


def _occupied_names(
    bind: Engine | Connection, tables: Sequence[Table], schemas: Sequence[str | None]
) -> dict[tuple[str, ...], dict[str, str]]:
    """Names in use, by namespace: ``("rel", schema)`` for relations (tables, views, sequences,
    indexes -- and on PostgreSQL primary-key/unique constraints, which own an index of the same
    name) and ``("con", schema, table)`` for the constraints of one table.  Values say what
    holds the name, for the refusal message."""
    from sqlalchemy import inspect

    occupied: dict[tuple[str, ...], dict[str, str]] = {}
    inspector = inspect(bind)
    for schema in schemas:
        rel = occupied.setdefault(("rel", schema or ""), {})
        for name in inspector.get_table_names(schema=schema):
            rel[name] = f"table {name!r}"
        for name in inspector.get_view_names(schema=schema):
            rel[name] = f"view {name!r}"
        if bind.dialect.name == "postgresql":
            for name in inspector.get_sequence_names(schema=schema):
                rel[name] = f"sequence {name!r}"
            for name in inspector.get_materialized_view_names(schema=schema):
                rel[name] = f"materialized view {name!r}"
    for table in tables:
        rel = occupied.setdefault(("rel", table.schema or ""), {})
        con = occupied.setdefault(("con", table.schema or "", table.name), {})
        for constraint in table.constraints:
            if isinstance(constraint.name, str) and constraint.name:
                kind = _kind_of(constraint)
                label = f"{KIND_LABELS[kind]} {constraint.name!r} on {table.name}"
                con[constraint.name] = label
                if kind in ("pk", "uq"):
                    rel[constraint.name] = label
        for index in table.indexes:
            if isinstance(index.name, str):
                rel[index.name] = f"index {index.name!r} on {table.name}"
    return occupied


def _kind_of(constraint: Any) -> str:
    return constraint_kind(constraint) or "ck"


def _namespaces(rename: Rename) -> list[tuple[str, ...]]:
    schema = rename.schema or ""
    if rename.kind == "ix":
        return [("rel", schema)]
    if rename.kind in ("pk", "uq"):
        return [("rel", schema), ("con", schema, rename.table)]
    return [("con", schema, rename.table)]


def _refuse_clashes(renames: Sequence[Rename], occupied: Mapping[tuple[str, ...], Mapping[str, str]]) -> None:
    """Refuse a target name that is already taken, or that two renames would both use.

    A target held by an object that is itself being renamed is refused too: a chain or swap of
    names would need an order or a temporary name, and is rare enough to be left to a human.
    """
    problems: list[str] = []
    claimed: dict[tuple[tuple[str, ...], str], Rename] = {}
    for rename in renames:
        for namespace in _namespaces(rename):
            holder = occupied.get(namespace, {}).get(rename.new)
            if holder is not None:
                problems.append(f"{rename.describe()}: {rename.new!r} is already used by {holder}")
                break
            other = claimed.get((namespace, rename.new))
            if other is not None:
                problems.append(f"{other.describe()} and {rename.describe()}: both would be named {rename.new!r}")
                break
            claimed[(namespace, rename.new)] = rename
    if problems:
        raise StandardsError(
            "cannot rename to the naming convention, nothing written:\n  " + "\n  ".join(problems),
            hint="rename or drop the clashing objects first (or name them explicitly in a revision of your own)",
        )


# ---------------------------------------------------------------------------------------------
# SQLite: what a table rebuild would lose
# ---------------------------------------------------------------------------------------------


def _sqlite_unreflected(bind: Engine | Connection, tables: Sequence[Table]) -> dict[str, str]:
    """Per table, why rebuilding it from its reflection would lose something (else absent).

    ``PRAGMA index_list`` lists every index SQLite keeps, with its origin (``c`` CREATE INDEX,
    ``u`` UNIQUE constraint, ``pk``); a UNIQUE constraint or an index that SQLAlchemy did not
    reflect as such would silently disappear in a rebuild.
    """
    from sqlalchemy import Column, UniqueConstraint

    problems: dict[str, str] = {}

    def run(conn: Connection) -> None:
        for table in tables:
            if table.schema is not None:
                continue
            quoted = conn.dialect.identifier_preparer.quote(table.name)
            rows = conn.exec_driver_sql(f"PRAGMA index_list({quoted})").mappings().all()
            uniques = sum(1 for row in rows if row["origin"] == "u")
            reflected = sum(1 for c in table.constraints if isinstance(c, UniqueConstraint))
            if uniques > reflected:
                problems[table.name] = (
                    "it has a UNIQUE constraint that SQLAlchemy cannot reflect "
                    "(declared on a column, e.g. `email VARCHAR(100) UNIQUE`)"
                )
                continue
            for index in table.indexes:
                if (
                    not all(isinstance(e, Column) for e in index.expressions)
                    or index.dialect_options["sqlite"].get("where") is not None
                ):
                    problems[table.name] = f"index {index.name!r} is an expression or partial index"
                    break
            if any(row["partial"] for row in rows if row["origin"] == "c") and table.name not in problems:
                problems[table.name] = "it has a partial index"

    from sqlalchemy import Connection

    if isinstance(bind, Connection):
        run(bind)
    else:
        with bind.connect() as conn:
            run(conn)
    return problems


def _refuse_lossy_rebuilds(renames: Sequence[Rename], tables: Sequence[Table], problems: Mapping[str, str]) -> None:
    rebuilt = sorted({r.table for r in renames if r.kind != "ix"})
    refused = [f"table {name!r}: {problems[name]}" for name in rebuilt if name in problems]
    if refused:
        raise StandardsError(
            "cannot rename constraints on SQLite, nothing written: renaming a constraint rebuilds the "
            "table from its reflection, which would lose part of it:\n  " + "\n  ".join(refused),
            hint="rebuild these tables by hand with explicit constraint names",
        )


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def render_operations(plan: RenamePlan) -> tuple[str, str]:
    """The upgrade and downgrade bodies, shaped as Alembic's ``upgrades`` token: the first line
    unindented (the template's ``    ${upgrades}`` indents it), the others indented by four."""
    if plan.dialect_name == "postgresql":
        up, down = _render_postgresql(plan, plan.renames), _render_postgresql(plan, _reversed(plan.renames))
    else:
        up, down = _render_sqlite(plan, back=False), _render_sqlite(plan, back=True)
    return _as_token(up), _as_token(down)


def _as_token(body: str) -> str:
    # Every line of a body is indented for the function; Alembic's stock script.py.mako (and any
    # template written like it) indents the token's first line itself: indented twice, the file
    # did not compile, and Alembic left it in versions/ (Open WebUI, sweep 5).
    return body.removeprefix("    ")


def _reversed(renames: Sequence[Rename]) -> list[Rename]:
    out = []
    for rename in reversed(renames):
        if rename.old is None:  # pragma: no cover - PostgreSQL names every constraint
            raise StandardsError(f"{rename.describe()}: an unnamed constraint cannot be renamed back")
        out.append(dataclasses.replace(rename, old=rename.new, new=rename.old))
    return out


def _alembic_render(operations: Sequence[Any]) -> str:
    from alembic.autogenerate import render_python_code
    from alembic.operations import ops

    return render_python_code(ops.UpgradeOps(ops=list(operations)))


def _render_postgresql(plan: RenamePlan, renames: Sequence[Rename]) -> str:
    """One ``op.execute("DO $$ ... $$")`` per rename: rename when the old name exists, do nothing
    when the new one already does, fail loudly when neither does.

    Why conditional: once the convention is set on the models, ``alembic upgrade`` on a *fresh*
    database (CI, pytest-alembic) creates the old revisions' unnamed constraints under convention
    names already (Alembic's operations use the target MetaData's naming_convention), so this
    revision must be a no-op there -- while on the existing database it renames.

    The statement is written as adjacent string literals, one clause a line (each through
    ``repr``, so only Python string literals reach the file), to stay reviewable and within a
    linter's line length; Python joins them into the one string Alembic's own renderer would give.
    """
    preparer = plan.dialect.identifier_preparer

    def ident(name: str) -> str:
        # The preparer doubles "%" for pyformat drivers; text() is literal SQL (SQLAlchemy does
        # its own escaping), so every "%%" it made goes back to "%".
        return str(preparer.quote(name)).replace("%%", "%")

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def exists(rename: Rename, name: str, *, negate: bool = False) -> list[str]:
        schema = f"{ident(rename.schema)}." if rename.schema else ""
        if rename.kind == "ix":
            return [f"to_regclass({literal(schema + ident(name))}) IS {'NULL' if negate else 'NOT NULL'}"]
        table = literal(schema + ident(rename.table))
        return [
            f"{'NOT ' if negate else ''}EXISTS (SELECT FROM pg_constraint",
            f" WHERE conrelid = to_regclass({table}) AND conname = {literal(name)})",
        ]

    blocks = []
    for rename in renames:
        schema = f"{ident(rename.schema)}." if rename.schema else ""
        old, new = str(rename.old), rename.new
        if rename.kind == "ix":
            what = f"index {old}"
            alter = f"ALTER INDEX {schema}{ident(old)} RENAME TO {ident(new)};"
        else:
            what = f"{KIND_LABELS[rename.kind]} {old} on {rename.table}"
            alter = f"ALTER TABLE {schema}{ident(rename.table)} RENAME CONSTRAINT {ident(old)} TO {ident(new)};"
        condition = exists(rename, old)
        pieces = [f"BEGIN IF {condition[0]}", *condition[1:], f" THEN {alter}"]
        if rename.kind != "ck":
            # A CHECK created without a name gets, on a database built under the convention, a
            # name hashed from its source text, which the database's deparsed text cannot predict:
            # there, neither name exists and the rename is skipped rather than refused.
            otherwise = exists(rename, new, negate=True)
            missing = literal(f"rename-constraints: {what} not found, and no {new} either")
            pieces += [
                f" ELSIF {otherwise[0]}",
                *otherwise[1:],
                " THEN RAISE EXCEPTION USING",
                f" MESSAGE = {missing};",
            ]
        pieces.append(" END IF; END")
        tag, number = "$$", 0
        while any(tag in piece for piece in pieces):
            number += 1
            tag = f"$r{number}$"
        pieces[0] = f"DO {tag}{pieces[0]}"
        pieces[-1] += tag
        # op.execute() wraps a string in text(), where ":name" would be a bind parameter.
        escaped = [_BIND_LIKE.sub(_ESCAPED_COLON, piece) for piece in pieces]
        lines = "".join(f"        {piece!r}\n" for piece in escaped)
        blocks.append(f"    op.execute(\n{lines}    )")
    return "\n".join(blocks)


def _render_sqlite(plan: RenamePlan, *, back: bool) -> str:
    """Index renames as drop + create; a table whose constraints change name is rebuilt (once,
    its indexes included).  Tables in plan order; the downgrade walks them backwards."""
    from alembic.operations import ops

    by_table: dict[tuple[str | None, str], list[Rename]] = {}
    for rename in plan.renames:
        by_table.setdefault((rename.schema, rename.table), []).append(rename)
    blocks: list[str] = []
    for key, renames in reversed(by_table.items()) if back else by_table.items():
        table = plan.tables[key]
        if any(r.kind != "ix" for r in renames):
            blocks.append(_render_rebuild(table, plan.naming, back=back))
            continue
        index_ops: list[Any] = []
        for rename in reversed(renames) if back else renames:
            # An index always has a name (only SQLite constraints can be unnamed).
            current, target = (rename.new, str(rename.old)) if back else (str(rename.old), rename.new)
            index = next(i for i in table.indexes if i.name == rename.old)
            columns = [c.name for c in index.columns]
            index_ops.append(ops.DropIndexOp(current, table_name=table.name, schema=table.schema))
            index_ops.append(
                ops.CreateIndexOp(target, table.name, columns, schema=table.schema, unique=bool(index.unique))
            )
        blocks.append(_strip_banners(_alembic_render(index_ops)))
    return "\n".join(blocks)


def _strip_banners(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("# ###"))


def _render_rebuild(table: Table, naming: NamingConvention, *, back: bool) -> str:
    """``with op.batch_alter_table(..., recreate="always", copy_from=sa.Table(...)) as batch_op: pass``.

    ``copy_from`` is the reflected table -- with the convention names for the upgrade, with the
    names it has now (None where it has none) for the downgrade.  Batch mode creates the new
    table from it, indexes included, copies the rows and swaps the tables.  The table text is
    Alembic's own rendering of ``create_table`` for that table, turned into ``sa.Table(...)``.
    """
    from alembic.operations import ops
    from sqlalchemy import MetaData

    copy = table.to_metadata(MetaData())
    names: dict[int, str | None] = {}
    for original, copied in zip(_ordered(table), _ordered(copy), strict=True):
        names[id(copied)] = original.name if back else _target_name(original, table, naming)
    for obj in _ordered(copy):
        obj.name = names[id(obj)]
    head = f"op.create_table({table.name!r},"
    body = _strip_banners(_alembic_render([ops.CreateTableOp.from_table(copy)])).strip()
    if not body.startswith(head) or not body.endswith(")"):  # pragma: no cover - pinned by the tests
        raise StandardsError(f"unexpected Alembic rendering of table {table.name!r}: {body[:60]!r}")
    # Alembic joins the table's elements with ",\n" (each on one line); re-indent them as
    # arguments of sa.Table(...).
    elements = [part.strip() for part in body[len(head) : -1].split(",\n") if part.strip()]
    for index in sorted(copy.indexes, key=lambda i: str(i.name)):
        columns = ", ".join(repr(c.name) for c in index.columns)
        unique = ", unique=True" if index.unique else ""
        elements.append(f"sa.Index({index.name!r}, {columns}{unique})")
    schema = f"        schema={table.schema!r},\n" if table.schema else ""
    arguments = "".join(f"            {element},\n" for element in [repr(table.name), "sa.MetaData()", *elements])
    return (
        f"    with op.batch_alter_table(\n        {table.name!r},\n{schema}        recreate='always',\n"
        f"        copy_from=sa.Table(\n{arguments}        ),\n    ):\n        pass"
    )


def _ordered(table: Table) -> list[Any]:
    """A table's constraints and indexes in an order that survives ``to_metadata``."""
    constraints = sorted(table.constraints, key=lambda c: (_kind_of(c), str(c.name or ""), _columns_key(c)))
    indexes = sorted(table.indexes, key=lambda i: str(i.name or ""))
    return [*constraints, *indexes]


def _columns_key(constraint: Any) -> str:
    columns = getattr(constraint, "columns", None)
    if columns is not None and len(columns):
        return ",".join(c.name for c in columns)
    return str(getattr(constraint, "sqltext", ""))


# ---------------------------------------------------------------------------------------------
# Writing the revision
# ---------------------------------------------------------------------------------------------


def write_revision(
    alembic_config: AlembicConfig,
    plan: RenamePlan,
    message: str = DEFAULT_MESSAGE,
    *,
    rev_id: str | None = None,
) -> Path:
    """Write the revision for ``plan`` on top of the single head; return its path.

    Refuses (StandardsError, nothing written) an empty plan and a history with several heads.
    """
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
    from alembic.util import rev_id as new_rev_id

    if not plan.renames:
        raise StandardsError("every constraint and index already follows the naming convention; nothing to write")
    try:
        script_directory = ScriptDirectory.from_config(alembic_config)
        heads = script_directory.get_heads()
    except CommandError as exc:
        raise StandardsError(str(exc), path=alembic_config.config_file_name) from None
    if len(heads) > 1:
        raise StandardsError(
            f"the history has {len(heads)} heads ({', '.join(sorted(heads))}); merge them first",
            path=alembic_config.config_file_name,
        )
    # As autogenerate does: the revision describes the database *at head*, so read one at head.
    if tuple(sorted(heads)) != plan.database_heads:
        at = ", ".join(plan.database_heads) or "no revision"
        raise StandardsError(
            f"the database is at {at}, the history's head is {', '.join(heads) or 'empty'}: "
            "run `alembic upgrade head` first, nothing written",
            path=alembic_config.config_file_name,
        )
    upgrade, downgrade = render_operations(plan)
    # Alembic prints "Generating <path> ... done" straight to sys.stdout; the caller reports the path.
    with contextlib.redirect_stdout(io.StringIO()):
        script = script_directory.generate_revision(
            rev_id or new_rev_id(),
            message,
            head="head",
            upgrades=upgrade,
            downgrades=downgrade,
            imports="",
        )
    if script is None:  # pragma: no cover - generate_revision returns None only for a missing file
        raise StandardsError("Alembic did not write the revision")
    return Path(script.path)


def describe_plan(plan: RenamePlan) -> Iterable[str]:
    """One line per rename, then the skipped objects (for the command's output)."""
    for rename in plan.renames:
        yield f"rename {rename.describe()}"
    for note in plan.skipped:
        yield f"skip {note}"


# ---------------------------------------------------------------------------------------------
# For the command: which Alembic project, which database
# ---------------------------------------------------------------------------------------------


def alembic_config(path: Path | None = None) -> AlembicConfig:
    """The project's Alembic configuration, found as the ``alembic`` command finds it.

    ``path`` is an ``alembic.ini`` (default: ``alembic.ini`` in the working directory); a
    ``pyproject.toml`` next to it is read too (Alembic's ``[tool.alembic]``).  Refuses a project
    with neither.
    """
    from alembic.config import Config

    ini = path if path is not None else Path("alembic.ini")
    if path is not None and not path.is_file():
        raise StandardsError("Alembic configuration file not found", path=path)
    pyproject = ini.parent / "pyproject.toml"
    has_toml = pyproject.is_file() and "[tool.alembic]" in pyproject.read_text(encoding="utf-8")
    if not ini.is_file() and not has_toml:
        raise StandardsError(
            "no Alembic project here: no alembic.ini and no [tool.alembic] in pyproject.toml",
            hint="run it where you run `alembic`, or pass --alembic-config PATH",
        )
    if not has_toml:
        # `toml_file` exists from Alembic 1.16; an ini-only project works on every supported version.
        return Config(file_=str(ini))
    return Config(file_=str(ini) if ini.is_file() else None, toml_file=str(pyproject))


def database_url(given: str | None, config: AlembicConfig, environ: Mapping[str, str]) -> str:
    """``--database-url``, else ``$DATABASE_URL`` (as the template's env.py reads it), else
    ``sqlalchemy.url`` of the Alembic configuration -- never the template's placeholder."""
    url = given or environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url") or ""
    if not url or url.startswith("driver://"):
        raise StandardsError(
            "no database to read: pass --database-url, set DATABASE_URL, or set sqlalchemy.url",
            path=config.config_file_name,
        )
    return url
