"""Where a model is written: classes, attributes and ``__table_args__`` entries, read with :mod:`ast`.

Every stage that reports on a model points at its source line (the model linter, the exceptions
register locating a declared exception, the pytest checks).  They all need this locator and none
of them needs the rules, so it is its own module: the autogenerate plugin collects the exceptions
register through it without loading the model rules.

The source of an already-imported class is read from its file and parsed, never imported or
executed; nothing here changes the user's objects.  A class whose source cannot be read (built
dynamically, no file) simply has no location, as :mod:`inspect` would say.
"""

from __future__ import annotations

import ast
import inspect as pyinspect
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table

from . import sqla_compat
from .findings import Location
from .model_loading import all_mappers, mapper_tables

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from sqlalchemy import Column, MetaData
    from sqlalchemy.orm import Mapper

__all__ = ["ArgsEntry", "AttributeSource", "ClassSource", "SourceIndex", "class_source"]


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


def _class_source(path: Path, node: ast.ClassDef, offset: int = 0) -> ClassSource:
    """``node`` read into a :class:`ClassSource`; ``offset`` lines precede the parsed text."""
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
                table_args_line = stmt.lineno + offset
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
                        table_args.append(ArgsEntry(sub.lineno + offset, sub.col_offset + 1, name, explicit, strings))
                continue
            call = value if isinstance(value, ast.Call) else None
            attributes[target.id] = AttributeSource(
                line=stmt.lineno + offset,
                col=stmt.col_offset + 1,
                call=_call_name(call.func) if call is not None else None,
                keywords=frozenset(k.arg for k in call.keywords if k.arg) if call is not None else frozenset(),
                mapped_annotation=annotated,
            )
    return ClassSource(
        path,
        node.lineno + offset,
        node.col_offset + 1,
        MappingProxyType(attributes),
        tuple(table_args),
        table_args_line,
    )


@dataclass(frozen=True)
class _ClassStatement:
    """One ``class`` statement of a file, already read into a :class:`ClassSource`."""

    qualname: str
    """Spelled as Python spells ``__qualname__`` (``f.<locals>.C``, ``A.B``)."""
    start: int
    """The first line, decorators included (what ``__firstlineno__`` holds on 3.13+)."""
    source: ClassSource


@lru_cache(maxsize=32)
def _read_classes(path: Path, mtime_ns: int, size: int) -> Mapping[str, tuple[_ClassStatement, ...]] | None:
    """Every ``class`` statement of a file by name, in source order; None if it cannot be parsed.

    Each class is read into its (immutable) :class:`ClassSource` at once and the syntax tree is
    dropped: keeping the tree of a large model module alive (millions of nodes) makes every later
    run of the cycle collector walk it, which cost more than the parse itself.

    Parsing is most of a lint run's cost on a large model module, and one process often reads
    the same files again (the CLI lints, then collects the exceptions register; a test suite
    lints repeatedly).  So the result is kept for a few files, keyed by path, modification time
    and size: an edited file is read afresh.
    """
    try:
        text = path.read_bytes()
    except OSError:
        return None
    found: dict[str, list[_ClassStatement]] = {}
    try:
        for offset, chunk in _top_level_chunks(text):
            _visit(path, ast.parse(chunk, filename=str(path)).body, "", offset, found)
    except (SyntaxError, ValueError):
        # A cut fell inside a string, a bracket or a continuation line (or the file is not
        # UTF-8 past a coding cookie): the whole file, in one parse, is the answer.
        found = {}
        try:
            tree = ast.parse(text, filename=str(path))
        except (SyntaxError, ValueError):
            return None
        _visit(path, tree.body, "", 0, found)
        del tree
    return MappingProxyType({name: tuple(statements) for name, statements in found.items()})


_TOP_LEVEL_CLASS = (b"class ", b"class\t", b"@")


def _top_level_chunks(text: bytes) -> Iterator[tuple[int, bytes]]:
    """``text`` cut before each top-level ``class`` statement (its decorators included), with
    the number of lines before each piece.

    Why: one parse of a large model module builds millions of nodes, and while they are alive
    each allocation burst makes the cycle collector walk every live object, the tree and the
    application's models: that doubled the cost of a parse (0.97 s of CPU against 0.37 s with
    collection off, 1,000 models in one 1.1 MB file).  Pausing the collector (``gc.disable()``)
    is a process-wide side effect inside a library call, and the standard library offers no
    per-call switch.  Parsed piece by piece, each tree is small and dropped before the next, so
    the collector has little to walk: 0.24 s with collection on, faster than one parse with it
    off.

    A cut is only made at a line that starts, in column 0, with ``class`` or ``@`` (not right
    after a decorator line).  Such a line may sit inside a triple-quoted string, a bracket or a
    backslash continuation; the piece before it then ends inside that construct and does not
    parse, and the caller falls back to parsing the whole file.  Line numbers come back right
    (the caller adds the offset); columns are unaffected.
    """
    lines = text.splitlines(keepends=True)  # bytes: the line ends Python's tokenizer knows
    start = 0
    for number, line in enumerate(lines):
        if number > start and line.startswith(_TOP_LEVEL_CLASS) and not lines[number - 1].startswith(b"@"):
            yield start, b"".join(lines[start:number])
            start = number
    yield start, b"".join(lines[start:])


def _visit(
    path: Path, statements: Iterable[ast.AST], prefix: str, offset: int, found: dict[str, list[_ClassStatement]]
) -> None:
    """Collect the ``class`` statements of ``statements`` into ``found``, nested ones too.

    Only statements can be ``class`` statements: walk statement lists (bodies, else and finally
    blocks, handlers, match cases), never expressions, which are most of a model.
    """
    for stmt in statements:
        if isinstance(stmt, ast.ClassDef):
            qualname = prefix + stmt.name
            start = offset + min([stmt.lineno, *(d.lineno for d in stmt.decorator_list)])
            found.setdefault(stmt.name, []).append(_ClassStatement(qualname, start, _class_source(path, stmt, offset)))
            _visit(path, stmt.body, qualname + ".", offset, found)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _visit(path, stmt.body, prefix + stmt.name + ".<locals>.", offset, found)
        elif isinstance(stmt, (ast.stmt, ast.excepthandler, ast.match_case)):
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                block = getattr(stmt, name, None)
                if isinstance(block, list):
                    _visit(path, block, prefix, offset, found)


class _SourceFiles:
    """Where classes are written: owned by one :class:`SourceIndex` (one lint run, one register
    collection), which reads each model file at most once (not at all when an unchanged file was
    read earlier in the process, see :func:`_read_classes`).

    It replaces ``inspect.getsourcelines``, which on Python < 3.13 re-parses the whole module for
    every class it is asked about: quadratic in the number of models.
    """

    def __init__(self) -> None:
        # A file is looked at (stat) once per run, so one run sees one version of each file.
        self._paths: dict[str, tuple[Path, int, int] | None] = {}

    def path(self, cls: type) -> tuple[Path, int, int] | None:
        try:
            filename = pyinspect.getfile(cls)
        except (OSError, TypeError):
            return None
        if filename not in self._paths:
            self._paths[filename] = self._source_path(cls)
        return self._paths[filename]

    @staticmethod
    def _source_path(cls: type) -> tuple[Path, int, int] | None:
        try:
            source = pyinspect.getsourcefile(cls)
        except (OSError, TypeError):
            return None
        if not source:
            return None
        try:
            path = Path(source).resolve()
            stat = path.stat()
        except OSError:
            return None
        return path, stat.st_mtime_ns, stat.st_size

    def source(self, cls: type) -> ClassSource | None:
        key = self.path(cls)
        if key is None:
            return None
        classes = _read_classes(*key)
        if not classes:
            return None
        found = _pick_class(cls, classes.get(cls.__name__, ()))
        return found.source if found is not None else None


def _pick_class(cls: type, candidates: Sequence[_ClassStatement]) -> _ClassStatement | None:
    """The ``class`` statement that made ``cls`` among the same-named ones of its file.

    Python 3.13+ records the first line (decorators included) in ``__firstlineno__``; before
    that, the qualified name decides and the first statement with it wins (what
    ``inspect.getsourcelines`` does on those versions).  No match means no source (the class was
    built dynamically), as ``inspect`` would say.
    """
    first_line = getattr(cls, "__firstlineno__", None)
    if isinstance(first_line, int):
        for candidate in candidates:
            if first_line in (candidate.start, candidate.source.line):
                return candidate
    qualname = getattr(cls, "__qualname__", cls.__name__)
    for candidate in candidates:
        if candidate.qualname == qualname:
            return candidate
    return None


def class_source(cls: type) -> ClassSource | None:
    """Where ``cls`` is written, or None (built dynamically, source not available)."""
    return _SourceFiles().source(cls)


class SourceIndex:
    """Maps tables and columns of some ``MetaData`` to their ORM classes and source lines.

    Mappers are found through SQLAlchemy's registries (``registry.mappers`` is public; the set
    of live registries is ``sqlalchemy.orm.mapperlib._mapper_registries``, pinned by a test).
    Imperative ``Table`` objects without a mapper simply have no source.
    """

    def __init__(self, metadatas: Sequence[MetaData]) -> None:
        tables = {id(t) for md in metadatas for t in md.tables.values()}
        self._mappers: dict[int, list[Mapper[Any]]] = {}
        for mapper in all_mappers():
            for table in mapper_tables(mapper):
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
        self._files = _SourceFiles()

    def all_mappers(self) -> list[Mapper[Any]]:
        """Every mapper of a linted table, each once, in a stable order."""
        seen: dict[int, Mapper[Any]] = {}
        for mappers in self._mappers.values():
            for m in mappers:
                seen.setdefault(id(m), m)
        return sorted(seen.values(), key=lambda m: (m.class_.__module__, m.class_.__qualname__))

    def mappers(self, table: Table) -> list[Mapper[Any]]:
        return self._mappers.get(id(table), [])

    def mapper(self, table: Table) -> Mapper[Any] | None:
        found = self._mappers.get(id(table))
        return found[0] if found else None

    def source(self, cls: type) -> ClassSource | None:
        if cls not in self._sources:
            self._sources[cls] = self._files.source(cls)
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
        """The class body assigning ``attr``: the mapped class, a mixin or base in its MRO, or a
        single-table-inheritance subclass mapped onto the same table."""
        for mapper in self.mappers(table):
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
        for mapper in self.mappers(table):  # the base first, then single-table subclasses
            try:
                return mapper.get_property_by_column(column).key
            except Exception:  # not mapped here (a subclass's column, excluded, or table-only)
                continue
        return None

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
            if entry is None and name is None:
                # An unnamed CHECK names no columns: the only unnamed entry of its kind is it.
                same_kind = [item for item in src.table_args if item.call == kind and item.name is None]
                if len(same_kind) == 1:
                    entry = same_kind[0]
            if entry is not None:
                return Location(
                    path=src.path,
                    line=entry.line,
                    col=entry.col,
                    schema=table.schema,
                    table=table.name,
                    constraint=display,
                )
        if sqla_compat.from_column_flag(obj) and len(columns) == 1 and columns[0] in table.c:
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
