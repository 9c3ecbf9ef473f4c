"""The model linter: the standards checked against SQLAlchemy ``MetaData`` and ORM mappers.

A schema is cheapest to fix before any migration exists, so the linter reads what the
application declares (tables, columns, constraints, indexes, relationships) and reports every
rule of the catalogue that can be decided from it, in the same rule IDs as autogenerate and the
migration checker.  Findings point at the model source (``file:line`` of the class, or of the
attribute assignment in the class body, found with :mod:`ast` on the already-imported module's
source file; nothing new is imported or executed) and always name the table/column/constraint.

This module is the entry point (:func:`lint_metadata`, :func:`lint_tables`) and what is decided
over all findings of a run; the parts live in modules of their own, each importable without the
others (the autogenerate plugin needs the source locator for the exceptions register, never the
rules; the CLI loads metadata before it lints):

* :mod:`~alembic_standards.model_loading` -- importing the ``--metadata`` target, enumerating
  the ORM mappers;
* :mod:`~alembic_standards.source_index` -- where a class, attribute or ``__table_args__`` entry
  is written (:class:`SourceIndex`, read with :mod:`ast`);
* :mod:`~alembic_standards.model_rules` -- the table rules (also run on reflected tables by the
  live-database audit), with what each rule reads;
* :mod:`~alembic_standards.relationships` -- the ORM relationship rules (AS301-AS303).

Design decisions:

* The linter never applies the exceptions register itself; callers do
  (``ExceptionRegister.collect(config, metadatas).apply(findings, config)``), so that the
  register sees every finding and can report unused exceptions.
* Real metadata is messy.  Anything SQLAlchemy accepts must lint without an exception: a rule
  that meets an object it cannot judge (an expression index, a foreign key to a table outside
  the metadata, a type it cannot compare) reports AS904 instead of guessing or skipping.
* Table-level rules (:func:`lint_tables`) work on plain ``Table`` objects, so the live-database
  audit runs the very same code on reflected tables.
* AS402-AS404 are reported once per column *declaration* (:func:`_merge_shared_declarations`):
  a mixin's column copied into several tables is one finding naming the tables.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .exceptions import DOCSTRING_EXCEPTION_RULES, INFO_KEY, docstring_exception
from .findings import Finding
from .model_loading import load_metadata
from .model_rules import ModelRules, TableResolver, documented_departures
from .relationships import RelationshipRules
from .rules import Stage
from .source_index import AttributeSource, ClassSource, SourceIndex, class_source

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from sqlalchemy import MetaData, Table

    from .config import Config

__all__ = [
    "DOCSTRING_EXCEPTION_RULES",
    "AttributeSource",
    "ClassSource",
    "SourceIndex",
    "class_source",
    "docstring_exception",
    "documented_departures",
    "lint_metadata",
    "lint_tables",
    "load_metadata",
]


def lint_metadata(
    metadatas: Sequence[MetaData], config: Config, *, merged_from: dict[int, list[Finding]] | None = None
) -> list[Finding]:
    """Every model rule over ``metadatas`` (tables, constraints, indexes and ORM relationships).

    Foreign keys are resolved across all the given ``MetaData`` objects.  The exceptions
    register is not applied here (see the module docstring).  ``merged_from``, when given, maps
    ``id()`` of each finding that stands for a shared declaration to the per-table findings it
    replaced (a baseline written before the merge recorded those).
    """
    index = SourceIndex(metadatas)
    tables = [t for md in metadatas for t in md.tables.values()]
    linter = ModelRules(config, Stage.MODELS, index, TableResolver(tables))
    findings: list[Finding] = []
    for table in tables:
        findings.extend(linter.table(table))
    findings.extend(RelationshipRules(linter).check(index))
    return _finish(findings, config, tables, index, merged_from)


def lint_tables(
    tables: Iterable[Table],
    config: Config,
    *,
    stage: Stage,
    dialect_name: str | None = None,
) -> list[Finding]:
    """The table-level rules over plain ``Table`` objects (model-side or reflected).

    With ``stage=Stage.DATABASE`` only the rules that make sense on a reflected schema run
    (AS101, AS102, AS201, AS202, AS402 and AS904); with ``Stage.MODELS`` every table rule runs.
    ``dialect_name="sqlite"`` marks a reflected SQLite schema: SQLite has neither a native UUID
    type nor time-zone-aware timestamps, so AS101's type check and AS402 are reported as not
    judgeable (AS904, once per table) instead of firing on every table.
    """
    table_list = list(tables)
    metadatas = list({id(t.metadata): t.metadata for t in table_list}.values())
    index = SourceIndex(metadatas) if stage is Stage.MODELS else None
    linter = ModelRules(config, stage, index, TableResolver(table_list), dialect_name=dialect_name)
    findings: list[Finding] = []
    for table in table_list:
        findings.extend(linter.table(table))
    return _finish(findings, config, table_list, index)


_DECLARATION_RULES = frozenset(
    {"AS101", "AS103", "AS201", "AS202", "AS203", "AS204", "AS205", "AS301", "AS302", "AS303", "AS402", "AS403"}
    | {"AS404", "AS503"}
)
"""Rules about a column's or relationship's own declaration: one finding per declaration, however
many tables a mixin or base class (a plain attribute or a ``@declared_attr``) copies it into."""


def _tables_with_own_exceptions(tables: Iterable[Table], config: Config, index: SourceIndex | None) -> frozenset[str]:
    """Tables that declare an exception of their own (a docstring ``Exception:`` paragraph,
    ``info`` on the table or a column, or a ``[tool.alembic_standards]`` entry naming the table
    for a declaration rule): their findings keep their table, so that the exception matches."""
    named = {e.table for e in config.exceptions if e.table and e.rule in _DECLARATION_RULES}
    out = set()
    for table in tables:
        mapper = index.mapper(table) if index is not None else None
        if (
            table.name in named
            or INFO_KEY in table.info
            or any(INFO_KEY in c.info for c in table.columns)
            or (mapper is not None and docstring_exception(mapper.class_) is not None)
        ):
            out.add(table.name)
    return frozenset(out)


_SHARED = " (declared once, used by {} "


def _named_object(finding: Finding) -> tuple[str, str] | None:
    """The text by which a finding's message names its object, and the object's owner: the table
    of ``<table>.<column>`` or ``<table>(<column>)`` (AS201), or the class of ``<Class>.<attribute>``
    (AS301, whose location names the table and the attribute)."""
    loc = finding.location
    table, column = str(loc.table), str(loc.column)
    message = finding.message
    for text in (f"{table}.{column}", f"{table}({column})"):
        if text in message:
            return text, table
    suffix = f".{column} "
    at = message.find(suffix)
    if at > 0:
        owner = message[:at].rpartition(" ")[2]
        if owner.isidentifier():
            return owner + suffix[:-1], owner
    return None


def _merge_shared_declarations(
    findings: list[Finding], keep: frozenset[str] = frozenset(), merged_from: dict[int, list[Finding]] | None = None
) -> list[Finding]:
    """One finding per declaration for :data:`_DECLARATION_RULES`.

    A mixin's ``created_at`` (or its ``@declared_attr`` ``project_id`` and ``project``: Dispatch's
    ``ProjectMixin``, 45 tables) is copied into every table that uses it, so the same defect on
    the same source line was reported once per table.  Such a group becomes one finding at the
    declaration, naming the tables (or, for a relationship, the classes); its location names no
    table (an exception for it is declared without ``table``).  A group is merged only when its
    messages differ in nothing but the object's owner.  Findings on the tables in ``keep`` (which
    declare exceptions of their own) stay per table.
    """
    groups: dict[tuple[str, Path, int | None, int | None, str | None], list[Finding]] = {}
    for f in findings:
        loc = f.location
        if loc.path is None or not loc.table or loc.table in keep:
            continue
        if (f.rule_id in _DECLARATION_RULES and loc.column not in (None, "")) or (
            f.rule_id == "AS401" and loc.column is None
        ):
            groups.setdefault((f.rule_id, loc.path, loc.line, loc.col, loc.column), []).append(f)
    merged: dict[int, Finding | None] = {}
    for group in groups.values():
        # Tables, not names: one abstract base's `logs` in four schemas (Indico) is four tables.
        if len({(f.location.schema, f.location.table) for f in group}) < 2:
            continue
        message = _missing_timestamps(group) if group[0].rule_id == "AS401" else _shared_declaration(group)
        if message is None:
            continue  # not one fact: left per table
        first = group[0]
        one = replace(
            first, message=message, location=replace(first.location, schema=None, table=None, constraint=None)
        )
        merged[id(first)] = one
        if merged_from is not None:
            merged_from[id(one)] = group
        for f in group[1:]:
            merged[id(f)] = None
    if not merged:
        return findings
    out: list[Finding] = []
    for f in findings:
        kept = merged.get(id(f), f)
        if kept is not None:
            out.append(kept)
    return out


def _shared_declaration(group: Sequence[Finding]) -> str | None:
    """The message of one finding for a declaration's group, or None when the group's messages
    differ in more than the object's owner (not one fact)."""
    pairs = [(f, _named_object(f)) for f in group]
    named = [(f, n) for f, n in pairs if n is not None]
    if len(named) != len(group):
        return None
    templates = {f.message.replace(text, "\0", 1) for f, (text, _owner) in named}
    if len(templates) != 1:
        return None
    kind = "tables" if all(owner == f.location.table for f, (_text, owner) in named) else "classes"
    owners = sorted({owner for _f, (_text, owner) in named})
    if kind == "tables" and len(owners) < len(group):
        # Same-named tables in several schemas: each named with its schema, or the message
        # would list one name for several tables.
        owners = sorted({f"{f.location.schema}.{o}" if f.location.schema else o for f, (_t, o) in named})
    shared = f"{group[0].location.column}{_SHARED.format(kind)}{', '.join(owners)})"
    return templates.pop().replace("\0", shared)


def _missing_timestamps(group: Sequence[Finding]) -> str | None:
    """The message of one AS401 for tables whose timestamps one base class declares, all lacking the
    same column (located at their shared created_at), or None when they lack different ones."""
    owners: list[str] = []
    templates: set[str] = set()
    for f in group:
        owner = f.message.split(" ", 2)[1]  # "table <name> lacks ..."
        owners.append(owner)
        templates.add(f.message.replace(f"table {owner} lacks ", "", 1))
    if len(templates) != 1:
        return None
    names = ", ".join(sorted(owners))
    return f"{len(owners)} tables whose timestamps are declared here ({names}) lack {templates.pop()}"


def _finish(
    findings: list[Finding],
    config: Config,
    tables: Sequence[Table] = (),
    index: SourceIndex | None = None,
    merged_from: dict[int, list[Finding]] | None = None,
) -> list[Finding]:
    findings = _merge_shared_declarations(findings, _tables_with_own_exceptions(tables, config, index), merged_from)
    seen: set[Finding] = set()
    out = []
    for f in findings:
        if config.is_enabled(f.rule_id) and f not in seen:
            seen.add(f)
            out.append(f)
    out.sort(key=Finding.sort_key)
    return out
