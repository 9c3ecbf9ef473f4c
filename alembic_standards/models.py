"""The model linter: the standards checked against SQLAlchemy ``MetaData`` and ORM mappers.

A schema is cheapest to fix before any migration exists, so the linter reads what the
application declares (tables, columns, constraints, indexes, relationships) and reports every
rule of the catalogue that can be decided from it, in the same rule IDs as autogenerate and the
migration checker.  Findings point at the model source (``file:line`` of the class, or of the
attribute assignment in the class body, found with :mod:`ast` on the already-imported module's
source file; nothing new is imported or executed) and always name the table/column/constraint.

Design decisions:

* The linter never applies the exceptions register itself; callers do
  (``ExceptionRegister.collect(config, metadatas).apply(findings, config)``), so that the
  register sees every finding and can report unused exceptions.
* Real metadata is messy.  Anything SQLAlchemy accepts must lint without an exception: a rule
  that meets an object it cannot judge (an expression index, a foreign key to a table outside
  the metadata, a type it cannot compare) reports AS904 instead of guessing or skipping.
* Table-level rules (:func:`lint_tables`) work on plain ``Table`` objects, so the live-database
  audit runs the very same code on reflected tables.
"""

from __future__ import annotations

import ast
import importlib
import inspect as pyinspect
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Table

from .findings import Location, StandardsError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from sqlalchemy.orm import Mapper
    from sqlalchemy.sql.schema import Column

__all__ = [
    "AttributeSource",
    "ClassSource",
    "SourceIndex",
    "load_metadata",
]


# ---------------------------------------------------------------------------------------------
# Loading metadata
# ---------------------------------------------------------------------------------------------


def load_metadata(spec: str, *, root: Path | None = None) -> list[MetaData]:
    """Import ``spec`` and return the ``MetaData`` it names.

    ``spec`` is ``"pkg.mod:Base.metadata"``, ``"pkg.mod:Base"`` (a declarative base: its
    ``metadata``) or ``"pkg.mod:metadata"``; a list/tuple of those objects is accepted too.
    ``root`` is put first on ``sys.path`` (the project directory).  Any failure is a
    :class:`StandardsError` naming the spec and the cause, never a traceback.
    """
    module_name, sep, attr_path = spec.partition(":")
    module_name = module_name.strip()
    attr_path = attr_path.strip()
    if not sep or not module_name or not attr_path:
        raise StandardsError(f"metadata {spec!r} is not 'module:attribute'", hint='e.g. "app.models:Base.metadata"')
    if root is not None:
        root_str = str(Path(root).resolve())
        if root_str not in sys.path:
            sys.path.insert(0, root_str)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # the user's code may raise anything while importing
        raise StandardsError(
            f"metadata {spec!r}: cannot import module {module_name!r}: {type(exc).__name__}: {exc}",
            path=_error_path(exc),
            line=_error_line(exc),
        ) from None
    obj: Any = module
    walked = module_name
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise StandardsError(f"metadata {spec!r}: {walked!r} has no attribute {part!r}") from None
        except Exception as exc:  # a property of the user's code raising
            raise StandardsError(
                f"metadata {spec!r}: reading {walked}.{part} failed: {type(exc).__name__}: {exc}"
            ) from None
        walked += f".{part}"
    found = _as_metadata(obj)
    if found is None:
        raise StandardsError(
            f"metadata {spec!r} is a {type(obj).__name__}, not a MetaData or a declarative base",
            hint="point at Base.metadata, the declarative Base, or a MetaData object",
        )
    return found


def _as_metadata(obj: Any) -> list[MetaData] | None:
    if isinstance(obj, MetaData):
        return [obj]
    metadata = getattr(obj, "metadata", None)
    if isinstance(metadata, MetaData):  # DeclarativeBase, declarative_base(), registry
        return [metadata]
    if isinstance(obj, (list, tuple)) and obj:
        out: list[MetaData] = []
        for item in obj:
            one = _as_metadata(item)
            if one is None:
                return None
            out.extend(one)
        return out
    return None


def _error_path(exc: BaseException) -> Path | None:
    if isinstance(exc, SyntaxError) and exc.filename:
        return Path(exc.filename)
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is not None and not last.tb_frame.f_code.co_filename.startswith("<"):
        return Path(last.tb_frame.f_code.co_filename)
    return None


def _error_line(exc: BaseException) -> int | None:
    if isinstance(exc, SyntaxError):
        return exc.lineno
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    return last.tb_lineno if last is not None else None


# ---------------------------------------------------------------------------------------------
# Where a model is written: classes, attributes and __table_args__ entries, read with ast
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttributeSource:
    """One assignment in a class body (``name = ...`` or ``name: Mapped[...] = ...``)."""

    line: int
    col: int
    call: str | None = None
    """The called function's last name (``mapped_column``, ``Column``, ``relationship``...)."""
    keywords: frozenset[str] = frozenset()
    """Keyword arguments of that call (``nullable``, ``cascade``, ``back_populates``...)."""
    mapped_annotation: bool = False
    """Annotated ``Mapped[...]``: the annotation states nullability (``Optional`` or not)."""


@dataclass(frozen=True)
class ArgsEntry:
    """One ``Index(...)``/``UniqueConstraint(...)``... call inside ``__table_args__``."""

    line: int
    col: int
    call: str
    name: str | None
    columns: tuple[str, ...]


@dataclass(frozen=True)
class ClassSource:
    """The source of one class: its file, the ``class`` line, its body's attributes."""

    path: Path
    line: int
    col: int
    attributes: Mapping[str, AttributeSource] = field(default_factory=dict)
    table_args: tuple[ArgsEntry, ...] = ()
    table_args_line: int | None = None


def _call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_mapped_annotation(node: ast.expr) -> bool:
    if isinstance(node, ast.Subscript):
        return _call_name(node.value) == "Mapped"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip().startswith(("Mapped[", "orm.Mapped[", "sa.orm.Mapped["))
    return False


def _string_args(call: ast.Call) -> tuple[str, ...]:
    return tuple(a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str))


def _class_source(path: Path, node: ast.ClassDef) -> ClassSource:
    attributes: dict[str, AttributeSource] = {}
    table_args: list[ArgsEntry] = []
    table_args_line: int | None = None
    for stmt in node.body:
        targets: list[ast.expr]
        value: ast.expr | None
        annotated = False
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            targets, value = [stmt.target], stmt.value
            annotated = _is_mapped_annotation(stmt.annotation)
        else:
            continue
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            if target.id == "__table_args__" and value is not None:
                table_args_line = stmt.lineno
                for sub in ast.walk(value):
                    if isinstance(sub, ast.Call) and (name := _call_name(sub.func)):
                        strings = _string_args(sub)
                        explicit = next(
                            (
                                k.value.value
                                for k in sub.keywords
                                if k.arg == "name"
                                and isinstance(k.value, ast.Constant)
                                and isinstance(k.value.value, str)
                            ),
                            None,
                        )
                        if name == "Index" and strings:
                            explicit, strings = strings[0], strings[1:]
                        table_args.append(ArgsEntry(sub.lineno, sub.col_offset + 1, name, explicit, strings))
                continue
            call = value if isinstance(value, ast.Call) else None
            attributes[target.id] = AttributeSource(
                line=stmt.lineno,
                col=stmt.col_offset + 1,
                call=_call_name(call.func) if call is not None else None,
                keywords=frozenset(k.arg for k in call.keywords if k.arg) if call is not None else frozenset(),
                mapped_annotation=annotated,
            )
    return ClassSource(path, node.lineno, node.col_offset + 1, attributes, tuple(table_args), table_args_line)


@lru_cache(maxsize=256)
def _parse(path: Path, mtime_ns: int) -> ast.Module | None:
    try:
        return ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None


def class_source(cls: type) -> ClassSource | None:
    """Where ``cls`` is written, or None (built dynamically, source not available)."""
    try:
        filename = pyinspect.getsourcefile(cls)
        _, first_line = pyinspect.getsourcelines(cls)
    except (OSError, TypeError):
        return None
    if not filename:
        return None
    path = Path(filename).resolve()
    try:
        tree = _parse(path, path.stat().st_mtime_ns)
    except OSError:
        return None
    if tree is None:
        return None
    best: ast.ClassDef | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if start == first_line or node.lineno == first_line:
                return _class_source(path, node)
            best = best or node
    return _class_source(path, best) if best is not None else None


class SourceIndex:
    """Maps tables and columns of some ``MetaData`` to their ORM classes and source lines.

    Mappers are found through SQLAlchemy's registries (``registry.mappers`` is public; the set
    of live registries is ``sqlalchemy.orm.mapperlib._mapper_registries``, pinned by a test).
    Imperative ``Table`` objects without a mapper simply have no source.
    """

    def __init__(self, metadatas: Sequence[MetaData]) -> None:
        tables = {id(t) for md in metadatas for t in md.tables.values()}
        self._mappers: dict[int, list[Mapper[Any]]] = {}
        for mapper in _all_mappers():
            for table in _mapper_tables(mapper):
                if id(table) in tables:
                    self._mappers.setdefault(id(table), []).append(mapper)
        for mappers in self._mappers.values():
            # The mapper whose class declares the table first (the base of an inheritance tree).
            mappers.sort(
                key=lambda m: (
                    m.inherits is not None and m.local_table is m.inherits.local_table,
                    len(m.class_.__mro__),
                )
            )
        self._sources: dict[type, ClassSource | None] = {}

    def mappers(self, table: Table) -> list[Mapper[Any]]:
        return self._mappers.get(id(table), [])

    def mapper(self, table: Table) -> Mapper[Any] | None:
        found = self._mappers.get(id(table))
        return found[0] if found else None

    def source(self, cls: type) -> ClassSource | None:
        if cls not in self._sources:
            self._sources[cls] = class_source(cls)
        return self._sources[cls]

    # -- locations
    def table_location(self, table: Table) -> Location:
        base = Location(schema=table.schema, table=table.name)
        mapper = self.mapper(table)
        if mapper is None:
            return base
        src = self.source(mapper.class_)
        if src is None:
            return base
        return Location(path=src.path, line=src.line, col=src.col, schema=table.schema, table=table.name)

    def attribute_source(self, table: Table, attr: str) -> tuple[ClassSource, AttributeSource] | None:
        """The class body (of the mapped class or a mixin/base in its MRO) assigning ``attr``."""
        mapper = self.mapper(table)
        if mapper is None:
            return None
        for klass in mapper.class_.__mro__:
            if klass is object:
                continue
            src = self.source(klass)
            if src is not None and attr in src.attributes:
                return src, src.attributes[attr]
        return None

    def column_attribute(self, column: Column[Any]) -> str | None:
        table: Any = column.table
        if not isinstance(table, Table):
            return None
        mapper = self.mapper(table)
        if mapper is None:
            return None
        try:
            prop = mapper.get_property_by_column(column)
        except Exception:  # not mapped (excluded, or a table-only column)
            return None
        return prop.key

    def column_source(self, column: Column[Any]) -> AttributeSource | None:
        table = column.table
        attr = self.column_attribute(column)
        if attr is None or not isinstance(table, Table):
            return None
        found = self.attribute_source(table, attr)
        return found[1] if found else None

    def column_location(self, column: Column[Any]) -> Location:
        table = column.table
        assert isinstance(table, Table)
        attr = self.column_attribute(column)
        found = self.attribute_source(table, attr) if attr else None
        if found is not None:
            src, at = found
            return Location(
                path=src.path, line=at.line, col=at.col, schema=table.schema, table=table.name, column=column.name
            )
        loc = self.table_location(table)
        return Location(
            path=loc.path, line=loc.line, col=loc.col, schema=table.schema, table=table.name, column=column.name
        )

    def constraint_location(
        self, table: Table, obj: Any, *, name: str | None, kind: str, columns: Sequence[str]
    ) -> Location:
        """Where a constraint/index is written: its ``__table_args__`` entry (matched by name,
        else by kind and columns), its column (``unique=True``/``index=True``), else the class."""
        display = name
        loc = self.table_location(table)
        mapper = self.mapper(table)
        src = self.source(mapper.class_) if mapper is not None else None
        if src is not None:
            entry = None
            for item in src.table_args:
                if name is not None and item.name == name:
                    entry = item
                    break
            if entry is None:
                for item in src.table_args:
                    if item.call == kind and item.columns == tuple(columns) and (name is None or item.name is None):
                        entry = item
                        break
            if entry is not None:
                return Location(
                    path=src.path,
                    line=entry.line,
                    col=entry.col,
                    schema=table.schema,
                    table=table.name,
                    constraint=display,
                )
        if getattr(obj, "_column_flag", False) and len(columns) == 1 and columns[0] in table.c:
            col_loc = self.column_location(table.c[columns[0]])
            return Location(
                path=col_loc.path,
                line=col_loc.line,
                col=col_loc.col,
                schema=table.schema,
                table=table.name,
                constraint=display,
            )
        if src is not None and src.table_args_line is not None:
            return Location(
                path=src.path, line=src.table_args_line, schema=table.schema, table=table.name, constraint=display
            )
        return Location(
            path=loc.path, line=loc.line, col=loc.col, schema=table.schema, table=table.name, constraint=display
        )


def _all_mappers() -> Iterator[Mapper[Any]]:
    from sqlalchemy.orm import mapperlib

    registries = getattr(mapperlib, "_mapper_registries", {})
    for registry in list(registries):
        try:
            yield from list(registry.mappers)
        except Exception:  # a half-configured registry must not break linting
            continue


def _mapper_tables(mapper: Mapper[Any]) -> Iterable[Table]:
    local = mapper.local_table
    if isinstance(local, Table):
        yield local
