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
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from keyword import iskeyword
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table

from . import sqla_compat
from .findings import Location
from .model_loading import all_mappers, mapper_tables

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from sqlalchemy import Column, MetaData
    from sqlalchemy.orm import Mapper

__all__ = ["ArgsEntry", "AttributeSource", "ClassSource", "SourceIndex", "class_source", "is_mapped_text"]


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
class _Body:
    """What a class body assigns (its direct ``name = ...`` statements and ``__table_args__``)."""

    attributes: Mapping[str, AttributeSource] = field(default_factory=dict)
    table_args: tuple[ArgsEntry, ...] = ()
    table_args_line: int | None = None


@dataclass(frozen=True)
class ClassSource:
    """The source of one class: its file, the ``class`` line, its body's attributes.

    The body is read at once (:class:`_Body`) or, for a plain class, statement by statement when
    an attribute is asked for (:class:`_LazyBody`); both answer the same.
    """

    path: Path
    line: int
    col: int
    body: _Body | _LazyBody = field(default_factory=_Body)

    @property
    def attributes(self) -> Mapping[str, AttributeSource]:
        body = self.body
        return body.attributes if isinstance(body, _Body) else body

    @property
    def table_args(self) -> tuple[ArgsEntry, ...]:
        return self.body.table_args

    def position(self, name: str) -> tuple[int, int] | None:
        """Line and column of the statement assigning ``name`` (None: the body does not)."""
        body = self.body
        if isinstance(body, _LazyBody):
            return body.position(name)
        found = body.attributes.get(name)
        return (found.line, found.col) if found is not None else None

    @property
    def table_args_line(self) -> int | None:
        return self.body.table_args_line


def _call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def is_mapped_text(annotation: str) -> bool:
    """Whether a string annotation (``from __future__ import annotations``, a quoted one) is
    ``Mapped[...]``: the one reading of it, for the source and for the imported classes."""
    return annotation.strip().startswith(("Mapped[", "orm.Mapped[", "sa.orm.Mapped["))


def _is_mapped_annotation(node: ast.expr) -> bool:
    if isinstance(node, ast.Subscript):
        return _call_name(node.value) == "Mapped"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return is_mapped_text(node.value)
    return False


def _string_args(call: ast.Call) -> tuple[str, ...]:
    return tuple(a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str))


def _explicit_name(call: ast.Call, name: str, strings: tuple[str, ...]) -> str | None:
    """The literal name a constraint or index call gives: ``Index("ix", ...)``'s first string,
    else a ``name="..."`` keyword (``strings``: :func:`_string_args` of ``call``)."""
    if name == "Index" and strings:
        return strings[0]
    return next(
        (
            k.value.value
            for k in call.keywords
            if k.arg == "name" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
        ),
        None,
    )


def _class_source(path: Path, node: ast.ClassDef, offset: int = 0) -> ClassSource:
    """``node`` read into a :class:`ClassSource`; ``offset`` lines precede the parsed text."""
    return ClassSource(path, node.lineno + offset, node.col_offset + 1, _read_body(node.body, offset))


def _read_body(body: Iterable[ast.stmt], offset: int) -> _Body:
    """The direct assignments of a class body (``offset`` lines precede the parsed text)."""
    attributes: dict[str, AttributeSource] = {}
    table_args: list[ArgsEntry] = []
    table_args_line: int | None = None
    for stmt in body:
        targets: list[ast.expr]
        value: ast.expr | None
        annotated = False
        if isinstance(stmt, ast.FunctionDef) and any(_is_declared_attr(d) for d in stmt.decorator_list):
            attributes[stmt.name] = _declared_attr_source(stmt, offset)
            continue
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
                        explicit = _explicit_name(sub, name, strings)
                        if name == "Index" and strings:
                            strings = strings[1:]
                        table_args.append(ArgsEntry(sub.lineno + offset, sub.col_offset + 1, name, explicit, strings))
                continue
            call = value if isinstance(value, ast.Call) else None
            attributes[target.id] = _attribute_source(stmt, offset, call, annotated)
    return _Body(MappingProxyType(attributes), tuple(table_args), table_args_line)


def _attribute_source(stmt: ast.stmt, offset: int, call: ast.Call | None, annotated: bool) -> AttributeSource:
    """``stmt`` (an assignment, or a ``@declared_attr`` def) read as the attribute it declares:
    where it is, and the name and keywords of the call that makes it."""
    return AttributeSource(
        line=stmt.lineno + offset,
        col=stmt.col_offset + 1,
        call=_call_name(call.func) if call is not None else None,
        keywords=frozenset(k.arg for k in call.keywords if k.arg) if call is not None else frozenset(),
        mapped_annotation=annotated,
    )


def _is_declared_attr(decorator: ast.expr) -> bool:
    """``@declared_attr``, ``@orm.declared_attr``, ``@declared_attr.cascading``..."""
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    if isinstance(decorator, ast.Attribute) and _call_name(decorator.value) == "declared_attr":
        return True
    return _call_name(decorator) == "declared_attr"


def _declared_attr_source(function: ast.FunctionDef, offset: int) -> AttributeSource:
    """A mixin's ``@declared_attr def name(cls) -> Mapped[...]: return mapped_column(...)``, read as
    the assignment it stands for: at its ``def`` line, with the keywords of the call it returns and
    its return annotation (Warehouse's ``HasObservers``, Dispatch's ``ProjectMixin``)."""
    returned = [
        node.value for node in ast.walk(function) if isinstance(node, ast.Return) and isinstance(node.value, ast.Call)
    ]
    call = returned[-1] if returned else None
    annotated = function.returns is not None and _is_mapped_annotation(function.returns)
    return _attribute_source(function, offset, call, annotated)


class _LazyBody(Mapping[str, AttributeSource]):
    """The body of a *plain* class (see :func:`_plain_class`), read one statement at a time.

    Why: parsing every class body was most of a cold lint (0.45 s of CPU of 0.75 s at 1,000
    models in one 1.1 MB file; ``ast.parse`` alone is 0.35 s of it), but a lint asks for a few
    attributes per class (the key, the foreign keys, a relationship's ``cascade=``).  Asked for
    ``name``, only the statements that start with ``name =`` or ``name:`` are parsed, with the
    same reader as a whole class (:func:`_read_body`).  Anything else (every attribute,
    ``__table_args__``) parses the whole class, once.  The answers are those of the whole parse:
    :func:`_plain_class` refuses any class whose statements it cannot cut exactly.
    """

    def __init__(
        self, chunk: bytes, lines: list[bytes], offset: int, starts: Mapping[str, list[tuple[int, int]]], indent: int
    ) -> None:
        self._chunk = chunk
        self._indent = indent  # the body's (ASCII: columns are characters)
        self._lines = lines
        self._offset = offset  # lines before the chunk
        self._starts = starts  # name -> [first, end) line ranges of the statements starting with it
        self._found: dict[str, AttributeSource | None] = {}
        self._whole: _Body | None = None

    def _all(self) -> _Body:
        if self._whole is None:
            try:
                node: ast.stmt | None = ast.parse(self._chunk).body[0]
            except (SyntaxError, ValueError, IndexError):  # the file changed since it was imported
                node = None
            self._whole = _read_body(node.body if isinstance(node, ast.ClassDef) else [], self._offset)
        return self._whole

    def _get(self, name: str) -> AttributeSource | None:
        if self._whole is not None:
            return self._whole.attributes.get(name)
        if name not in self._found:
            found: AttributeSource | None = None
            for first, end in self._starts.get(name, ()):
                # Under "class _:" the indented statement parses alone; its first line is line 2.
                text = b"class _:\n" + b"\n".join(self._lines[first:end]) + b"\n"
                try:
                    node = ast.parse(text).body[0]
                except (SyntaxError, ValueError):  # e.g. an ``else:`` block: read the whole class
                    return self._all().attributes.get(name)
                assert isinstance(node, ast.ClassDef)
                found = _read_body(node.body, self._offset + first - 1).attributes.get(name, found)
            self._found[name] = found
        return self._found[name]

    def position(self, name: str) -> tuple[int, int] | None:
        """Line and column of the statement assigning ``name`` last, without parsing it: the scan
        knows where each statement starts, and one starting with ``name =`` or ``name:`` assigns
        it (a keyword there is a block, ``else:``; ``__table_args__`` goes to ``table_args``).

        Most look-ups are for a location only (a column's finding); parsing the statement for it
        cost 0.08 s of CPU at 1,000 tables, cold.
        """
        if self._whole is not None or name == "__table_args__" or iskeyword(name):
            found = self._get(name)
            return (found.line, found.col) if found is not None else None
        ranges = self._starts.get(name)
        return (self._offset + ranges[-1][0] + 1, self._indent + 1) if ranges else None

    def __getitem__(self, name: str) -> AttributeSource:
        found = self._get(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._all().attributes)

    def __len__(self) -> int:
        return len(self._all().attributes)

    @property
    def table_args(self) -> tuple[ArgsEntry, ...]:
        return self._all().table_args

    @property
    def table_args_line(self) -> int | None:
        return self._all().table_args_line


# What a plain class holds none of (see _plain_class): what makes a line scan unsure where the
# statements begin -- triple-quoted strings, backslashes, f- and t-strings (3.12+ nests quotes in
# them), ';', tabs and other odd whitespace or control characters, non-ASCII (identifiers the scan
# cannot spell).  Strings and comments are blanked to \x01 first, so a prefix is a word before it.
#
# Each test in _plain_class puts substring searches (``in``, ``count``: C loops over the bytes) in
# front of the regular expression that decides: a pattern that cannot start with a literal makes
# ``re`` try it at every position, and those searches cost 67 µs of a 1 KB class, 18 % of a cold
# lint of 5,000 models.  Each prefilter is implied by its pattern, so no answer changes.
_NOT_PLAIN_BYTES = (b"\\", b";", b"\t", b"\f", b"\r", b"\v", b"\x00", b"\x01")  # and non-ASCII
_STRINGS_AND_COMMENTS = re.compile(rb"\"[^\"\n]*\"|'[^'\n]*'|#[^\n]*")
_STRING_PREFIX = re.compile(rb"\b(?:[fFtT][rR]?|[rR][fFtT])\x01")
_PREFIX_LETTERS = bytes.maketrans(b"FtTrR", b"fffff")  # a match ends in one of these and \x01
_CLASS_HEADER = re.compile(rb"class +(\w+)[^\n]*: *\x01?")  # \x01: a comment (a string: no body follows)
_CLASS_WORD = re.compile(rb"\bclass\b")
# A further assignment target (``a = b = ...``, ``a = (b) = ...``): the scan sees only the first.
# Two patterns, each starting with a literal, where one alternation could not skip ahead.
_CHAINED_TARGET = (re.compile(rb"=[ ]*\w+[ ]*=(?!=)"), re.compile(rb"\)[ ]*=(?!=)"))
_ASSIGNED_NAME = re.compile(rb" +(\w+) *(?:=(?!=)|:)")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"()[]{}\n")


def _plain_class(chunk: bytes) -> tuple[str, list[bytes], dict[str, list[tuple[int, int]]], int] | None:
    """The class name, the lines, the statements of the class body that start with an
    assignment (by name) and the body's indentation, for a *plain* ``chunk``; None for any other.

    ``chunk`` is one top-level class and what follows it up to the next (``_top_level_chunks``).
    Plain: it starts with a one-line ``class Name...:`` header (no decorator), holds nothing of
    :data:`_NOT_PLAIN`, no other ``class`` and no chained assignment.  Once its single-line
    strings and comments are blanked, what is left is code as the tokenizer sees it, so a body
    statement starts exactly at a line indented like the body, outside brackets.  An imported
    module's file is valid Python; where these conditions fail the class is parsed whole.
    """
    if (
        not chunk.startswith(b"class ")
        or b"declared_attr" in chunk  # its attributes are functions: read by the whole parse
        or b'"""' in chunk
        or b"'''" in chunk
        or not chunk.isascii()
        or any(odd in chunk for odd in _NOT_PLAIN_BYTES)
    ):
        return None
    code = _STRINGS_AND_COMMENTS.sub(b"\x01", chunk)
    if (
        b'"' in code
        or b"'" in code
        or (b"f\x01" in code.translate(_PREFIX_LETTERS) and _STRING_PREFIX.search(code))
        # The header's ``class`` is the one; other occurrences of the letters may be inside words.
        or (code.count(b"class") != 1 and len(_CLASS_WORD.findall(code)) != 1)
        or any(target.search(code) for target in _CHAINED_TARGET)
    ):
        return None
    stripped = code.split(b"\n")
    header = _CLASS_HEADER.fullmatch(stripped[0])
    if header is None or _depth(stripped[0]) != 0:
        return None
    # Each line's brackets alone ("()", "(()())"...): few distinct ones, each counted once.
    brackets = code.translate(None, _NOT_BRACKETS).split(b"\n")
    deltas: dict[bytes, int] = {b"": 0}
    lines = chunk.split(b"\n")
    starts: dict[str, list[tuple[int, int]]] = {}
    current: tuple[str, int] | None = None  # the assignment statement being read: name, first line
    indent = depth = 0
    end = len(lines)  # where the class body ends
    for number in range(1, len(stripped)):
        line = stripped[number]
        if depth == 0:
            text = line.lstrip(b" ")
            # A comment line (any indentation, even column 0 inside the body) starts nothing; nor
            # does a line that starts with a string: it is a statement of its own (a docstring),
            # left inside the piece before it, which parses as two statements if ever read.
            if text and not text.startswith(b"\x01"):
                here = len(line) - len(text)
                indent = indent or here
                if here == 0:  # back at the top level: the rest is other code (no class in it)
                    end = number
                    depth = _depth(b"\n".join(stripped[number:]))
                    break
                if here < indent or text.startswith(b"("):  # a dedent in the class; a "(target) ="
                    return None
                if here == indent:
                    if current is not None:
                        starts.setdefault(current[0], []).append((current[1], number))
                    assigned = _ASSIGNED_NAME.match(line)
                    current = (assigned.group(1).decode("ascii"), number) if assigned is not None else None
        seen = brackets[number]
        delta = deltas.get(seen)
        if delta is None:
            delta = deltas[seen] = _depth(seen)
        depth += delta
    if depth != 0 or indent == 0:  # unbalanced (the next cut would not be a statement), no body
        return None
    if current is not None:
        starts.setdefault(current[0], []).append((current[1], end))
    return header.group(1).decode("ascii"), lines, starts, indent


def _depth(code: bytes) -> int:
    """How many brackets ``code`` leaves open (negative: closes)."""
    opened = code.count(b"(") + code.count(b"[") + code.count(b"{")
    return opened - code.count(b")") - code.count(b"]") - code.count(b"}")


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

    A plain top-level class (:func:`_plain_class`, what model modules are made of) is not parsed
    here: its statements are found by a line scan and parsed when asked for (:class:`_LazyBody`).
    Anything else is parsed and read into its :class:`ClassSource` at once and the syntax tree is
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
            plain = _plain_class(chunk)
            if plain is None:
                _visit(path, ast.parse(chunk, filename=str(path)).body, "", offset, found)
                continue
            # A plain top-level class: its statements are parsed when asked for (_LazyBody).
            name, lines, starts, indent = plain
            source = ClassSource(path, offset + 1, 1, _LazyBody(chunk, lines, offset, starts, indent))
            found.setdefault(name, []).append(_ClassStatement(name, offset + 1, source))
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


# ------------------------------------------------------------------------------ imperative tables
_CONSTRAINT_CALLS = frozenset(
    {"UniqueConstraint", "PrimaryKeyConstraint", "ForeignKeyConstraint", "CheckConstraint", "Index"}
)


@dataclass(frozen=True)
class TableCall:
    """A module-level ``name = Table("table", metadata, ...)`` statement and what its call lists."""

    path: Path
    line: int
    col: int
    columns: Mapping[str, tuple[int, int]]
    """``Column("name", ...)`` arguments: column name -> (line, col)."""
    constraints: Mapping[str, tuple[int, int]]
    """Constraints and indexes among the arguments, by their literal ``name``."""


def _first_str(call: ast.Call, keyword: str) -> str | None:
    """The call's first positional argument, or its ``keyword`` argument, when a literal string."""
    node: ast.expr | None = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg == keyword:
            node = kw.value
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _table_call(path: Path, stmt: ast.stmt, call: ast.Call) -> TableCall:
    columns: dict[str, tuple[int, int]] = {}
    constraints: dict[str, tuple[int, int]] = {}
    # From the second argument: Flask-SQLAlchemy's ``db.Table("name", Column(...), ...)`` takes no
    # metadata, and skipping two arguments lost its first column (Lemur: 13 findings at the table
    # line).  The metadata argument of ``Table`` is never a ``Column(...)`` or a constraint call.
    for arg in call.args[1:]:
        if not isinstance(arg, ast.Call):
            continue
        callee = _call_name(arg.func)
        where = (arg.lineno, arg.col_offset + 1)
        if callee == "Column":
            name = _first_str(arg, "name")
            if name is not None:
                columns.setdefault(name, where)
        elif callee in _CONSTRAINT_CALLS:
            name = _explicit_name(arg, callee, _string_args(arg))
            if name is not None:
                constraints.setdefault(name, where)
    # The table at its statement (``users = Table(...)``), as a mapped table is at its ``class``.
    return TableCall(path, stmt.lineno, stmt.col_offset + 1, MappingProxyType(columns), MappingProxyType(constraints))


@lru_cache(maxsize=32)
def _read_table_calls(path: Path, mtime_ns: int, size: int) -> Mapping[str, tuple[str, TableCall]]:
    """Module-level ``name = Table("table", ...)`` statements of a file: global name -> (table
    name, call).  Empty when the file cannot be read or parsed, or never calls ``Table(``.

    Kept for a few files, keyed by path, modification time and size, as :func:`_read_classes`.
    """
    try:
        text = path.read_bytes()
    except OSError:
        return MappingProxyType({})
    if b"Table(" not in text:  # nothing to find: not parsed
        return MappingProxyType({})
    try:
        tree = ast.parse(text, filename=str(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return MappingProxyType({})
    found: dict[str, tuple[str, TableCall]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if isinstance(target, ast.Name) and isinstance(value, ast.Call) and _call_name(value.func) == "Table":
            table_name = _first_str(value, "name")
            if table_name is not None:
                found[target.id] = (table_name, _table_call(path, stmt, value))
    return MappingProxyType(found)


class _ImperativeTables:
    """Where the tables no ORM class maps are written: module-level ``name = Table("name", ...)``.

    A ``Table`` records neither its module nor its line.  Its module is found as a reader would:
    the loaded modules whose globals hold that very object (by identity), then, among them, the
    file whose module-level assignment to that global calls ``Table("<its name>", ...)`` (a
    module that imports it holds it too, but assigns nothing).  A table made anywhere else (in a
    function, a loop, a factory) keeps no source, as before.  Nothing is looked for until a
    finding on such a table needs its place, and then every such table is looked for at once.
    """

    def __init__(self, tables: Iterable[Table]) -> None:
        self._wanted = {id(table): table for table in tables}
        self._found: dict[int, TableCall] | None = None

    def call(self, table: Table) -> TableCall | None:
        if id(table) not in self._wanted:
            return None
        if self._found is None:
            self._found = self._find()
        return self._found.get(id(table))

    def _find(self) -> dict[int, TableCall]:
        wanted = self._wanted
        holders: dict[int, list[tuple[str, str]]] = {}
        for module in list(sys.modules.values()):
            filename = getattr(module, "__file__", None)
            namespace = getattr(module, "__dict__", None)
            if not isinstance(filename, str) or not filename.endswith(".py") or not isinstance(namespace, dict):
                continue
            try:
                # One look-up per global (thousands of modules); names only for the few hits.
                hits = [value for value in namespace.values() if id(value) in wanted and isinstance(value, Table)]
                for value in hits:
                    names = [name for name, held in namespace.items() if held is value]
                    holders.setdefault(id(value), []).extend((filename, name) for name in names)
            except RuntimeError:  # the module changed its globals meanwhile (another thread)
                continue
        found: dict[int, TableCall] = {}
        for key, places in holders.items():
            for filename, name in places:
                try:
                    path = Path(filename).resolve()
                    stat = path.stat()
                except OSError:
                    continue
                assigned = _read_table_calls(path, stat.st_mtime_ns, stat.st_size).get(name)
                if assigned is not None and assigned[0] == wanted[key].name:
                    found[key] = assigned[1]
                    break
        return found


def class_source(cls: type) -> ClassSource | None:
    """Where ``cls`` is written, or None (built dynamically, source not available)."""
    return _SourceFiles().source(cls)


class SourceIndex:
    """Maps tables and columns of some ``MetaData`` to their ORM classes and source lines.

    Mappers are found through SQLAlchemy's registries (``registry.mappers`` is public; the set
    of live registries is ``sqlalchemy.orm.mapperlib._mapper_registries``, pinned by a test).
    An imperative ``Table`` without a mapper is found at its module-level ``name = Table(...)``
    (:class:`_ImperativeTables`); one made anywhere else has no source.
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
        self._imperative = _ImperativeTables(
            t for md in metadatas for t in md.tables.values() if id(t) not in self._mappers
        )

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
            call = self._imperative.call(table)
            if call is None:
                return base
            return Location(path=call.path, line=call.line, col=call.col, schema=table.schema, table=table.name)
        src = self.source(mapper.class_)
        if src is None:
            return base
        return Location(path=src.path, line=src.line, col=src.col, schema=table.schema, table=table.name)

    def attribute_source(self, table: Table, attr: str) -> tuple[ClassSource, AttributeSource] | None:
        """The class body assigning ``attr``: the mapped class, a mixin or base in its MRO, or a
        single-table-inheritance subclass mapped onto the same table."""
        src = self._declaring(table, attr)
        return (src, src.attributes[attr]) if src is not None else None

    def _declaring(self, table: Table, attr: str) -> ClassSource | None:
        for mapper in self.mappers(table):
            for klass in mapper.class_.__mro__:
                if klass is object:
                    continue
                src = self.source(klass)
                if src is not None and src.position(attr) is not None:
                    return src
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
        src = self._declaring(table, attr) if attr else None
        at = src.position(attr) if src is not None and attr else None
        if src is not None and at is not None:
            return Location(
                path=src.path, line=at[0], col=at[1], schema=table.schema, table=table.name, column=column.name
            )
        loc = self.table_location(table)
        call = self._imperative.call(table) if loc.path is not None and src is None else None
        at = call.columns.get(column.name) if call is not None else None
        if call is not None and at is not None:
            return Location(
                path=call.path, line=at[0], col=at[1], schema=table.schema, table=table.name, column=column.name
            )
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
        call = self._imperative.call(table) if mapper is None and name is not None else None
        at = call.constraints.get(name) if call is not None and name is not None else None
        if call is not None and at is not None:
            return Location(
                path=call.path, line=at[0], col=at[1], schema=table.schema, table=table.name, constraint=display
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
