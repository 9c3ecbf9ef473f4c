"""The template's sections: which part of a migration an operation belongs to.

The spec lays every upgrade out in three sections -- tables, then indexes, then data -- and the
downgrade is the exact reverse.  Three places need the same answer to "which section is this
operation in?": the autogenerate plugin when it orders operations, the revision hook when it
splits them into the template's sections, and the static checker when it reports sections out of
order (AS804).  They all call :func:`section_of` with the Alembic operation *name* (``"create_table"``,
``"create_index"``, ``"execute"``...), which is what both an Alembic op object and an
``op.<name>(...)`` call in a revision file can tell us.  No Alembic import here.

Order semantics (used by :func:`out_of_order`): creating operations run tables -> indexes -> data
(an index needs its table, data needs both); destroying operations run the other way round,
data -> indexes -> tables (an index dies with its table, so it must be dropped first).  Each
chain is checked on its own, so a correct migration that both creates and drops objects, in
either direction (upgrade or downgrade), is never reported.  Data steps come last among an
upgrade's creations and first among a downgrade's drops, as in the template.  A change in place
(``alter_column``, ``rename_table``...) is with the tables in an upgrade's creating chain, and in
neither chain of a downgrade, where the exact reverse puts it after the index work.
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, Final

from .lazy_re import LazyPattern

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "Section",
    "is_destructive",
    "op_name_of",
    "out_of_order",
    "section_of",
    "section_of_op",
    "sql_is_data",
]


class Section(enum.IntEnum):
    """The template's sections, in upgrade order."""

    TABLES = 1
    INDEXES = 2
    DATA = 3

    @property
    def title(self) -> str:
        return self.name.capitalize()


# The members as module constants: a global load is cached by the interpreter, an attribute of the
# enum class is looked up again at every use (section_of and out_of_order run for every
# operation; with max()/min() below, half their cost: issue 15).
_TABLES: Final = Section.TABLES
_INDEXES: Final = Section.INDEXES
_DATA: Final = Section.DATA

_INDEX_OPS = frozenset({"create_index", "drop_index"})
_DATA_OPS = frozenset({"execute", "bulk_insert", "exec_driver_sql"})
_DESTRUCTIVE_PREFIXES = ("drop_",)
_CREATING_PREFIXES = ("create_", "add_", "bulk_insert")


def section_of(op_name: str, *, unique: bool = False) -> Section:
    """The section an operation named ``op_name`` belongs to.

    Index operations (``create_index``, ``drop_index`` and variants such as
    ``create_index_concurrently``) are ``INDEXES`` -- except the creation of a *unique* index
    (``unique=True``), which belongs with the table structure because a foreign key created in the
    same migration may need it.  Raw SQL and bulk inserts are ``DATA``; every other operation
    (tables, columns, constraints, comments, custom operations) is ``TABLES``.
    """
    if op_name in _INDEX_OPS or "_index" in op_name:
        if unique and not is_destructive(op_name):
            return _TABLES
        return _INDEXES
    if op_name in _DATA_OPS:
        return _DATA
    return _TABLES


def section_of_op(op: object) -> Section:
    """:func:`section_of` for an Alembic operation object (reads ``unique`` from index ops)."""
    return section_of(op_name_of(op), unique=bool(getattr(op, "unique", False)))


_DML = LazyPattern(r"^\s*(INSERT|UPDATE|DELETE|MERGE|COPY|WITH|SELECT)\b", re.IGNORECASE)


def sql_is_data(sql: str | None) -> bool:
    """True when raw SQL is a data step (``INSERT``/``UPDATE``/``DELETE``/...), False for DDL or unknown text.

    Raw SQL is often DDL (``CREATE EXTENSION`` before an index that needs it), so only statements
    that clearly move data are placed in the data section; the others are left out of section
    checks rather than guessed.
    """
    return sql is not None and _DML.match(sql) is not None


def is_destructive(op_name: str) -> bool:
    """True for operations that remove an object (``drop_table``, ``drop_index``...)."""
    return op_name.startswith(_DESTRUCTIVE_PREFIXES)


def out_of_order(ops: Sequence[tuple[str, Section]], *, downgrade: bool = False) -> list[int]:
    """Indices of operations that break the section order (see the module docstring).

    ``ops`` holds ``(op_name, section_of(op_name, ...))`` pairs.  The creating chain must be
    non-decreasing in section (tables, indexes, data); the destroying chain non-increasing (data,
    indexes, tables).  Data steps close the creating chain of an upgrade and open the destroying
    chain of a downgrade, exactly as in the template.  The index of every operation that comes
    after an operation of a later section in its chain is returned, so the caller can point at
    the misplaced line.
    """
    bad: list[int] = []
    highest_creating = 0
    lowest_destroying = 99
    for i, (name, section) in enumerate(ops):
        if section is _DATA:
            creating, destroying = not downgrade, downgrade
        else:
            destroying = is_destructive(name)
            creating = not destroying
            if downgrade and creating and not name.startswith(_CREATING_PREFIXES):
                # A change in place (alter_column, rename_table...) stands in an upgrade's creating
                # chain: after the drops it needs, before the indexes built on it.  In a downgrade it
                # is in neither chain.  Its reversal lands after the downgrade's index drops and
                # re-creations (the exact reverse of an accepted upgrade was AS804: Lemur), and a
                # downgrade's data steps often need it first (`alter_column(nullable=True)` before the
                # UPDATE that sets NULLs, and what depends on that: Prefect); as a destroying step it
                # made both AS804.
                continue
        if (creating and section < highest_creating) or (destroying and section > lowest_destroying):
            bad.append(i)  # misplaced
            continue
        # Comparisons, not max()/min() calls: the same bounds (issue 15).
        if creating and section > highest_creating:
            highest_creating = section
        if destroying and section < lowest_destroying:
            lowest_destroying = section
    return bad


# Alembic op class -> operation name, for the op objects autogenerate produces.  Names are the
# ``op.<name>`` a revision file would call, so op objects and AST calls classify identically.
_CLASS_NAMES = {
    "CreateTableOp": "create_table",
    "DropTableOp": "drop_table",
    "RenameTableOp": "rename_table",
    "CreateTableCommentOp": "create_table_comment",
    "DropTableCommentOp": "drop_table_comment",
    "AddColumnOp": "add_column",
    "DropColumnOp": "drop_column",
    "AlterColumnOp": "alter_column",
    "CreateIndexOp": "create_index",
    "DropIndexOp": "drop_index",
    "CreateUniqueConstraintOp": "create_unique_constraint",
    "CreateForeignKeyOp": "create_foreign_key",
    "CreateCheckConstraintOp": "create_check_constraint",
    "CreatePrimaryKeyOp": "create_primary_key",
    "CreateExcludeConstraintOp": "create_exclude_constraint",
    "AddConstraintOp": "create_constraint",
    "DropConstraintOp": "drop_constraint",
    "ExecuteSQLOp": "execute",
    "BulkInsertOp": "bulk_insert",
}


def op_name_of(op: object) -> str:
    """The ``op.<name>`` of an Alembic operation object (by class, walking the MRO).

    Unknown (custom) operations get their class name in snake case, which classifies them as
    ``TABLES`` and as creating unless the class name starts with ``Drop``.
    """
    for cls in type(op).__mro__:
        name = _CLASS_NAMES.get(cls.__name__)
        if name is not None:
            return name
    raw = type(op).__name__.removesuffix("Op")
    return "".join("_" + c.lower() if c.isupper() else c for c in raw).lstrip("_")
