"""The static checker for revision files that already exist: AST only, never imported.

``alembic-standards check`` (and the pytest checks) run this over every revision under the
configured versions directories.  A revision file is Python that runs on import -- it may call
``os.system`` at module level, connect to a database, or simply not import outside its project --
so it is *parsed*, never imported or executed.

What is read from each file (:class:`_Reader`):

* the module docstring (AS801), the revision identifiers and their annotations (AS802), the
  ``irreversible = "reason"`` marker (AS705; valid markers are returned as exceptions-register
  entries);
* ``upgrade()`` / ``downgrade()`` (AS701, AS802, AS803) and, in source order, every operation
  they perform: ``op.<name>(...)`` however ``op`` was imported, ``batch_op.<name>(...)`` inside
  ``with op.batch_alter_table(...)``, operations in helper functions of the same file (followed
  through calls), both arms of dialect-conditional branches, loop bodies (names computed at run
  time make an operation undecidable), ``op.execute`` / ``connection.execute`` raw SQL
  (undecidable);
* inside operations: constraints and indexes without a name (AS501), plain-string names longer
  than 63 bytes (AS504), foreign keys and the keys that index them (AS201, checked against the
  keys created by the same revision and every revision before it, following ``down_revision``
  and ``depends_on`` through merges).

The downgrade rules (AS702-AS704) are decided by :mod:`alembic_standards.reversal`, the same
matcher the revision hook uses, and the section order (AS804) by :mod:`alembic_standards.layout`
(a schema step that follows the data step it depends on -- ``alter_column(nullable=False)`` after
its backfill -- is left where it is).  What cannot be decided is said once per revision (AS704).
Data changed through an ORM session on ``op.get_bind()`` counts as a step the downgrade must undo.

Nothing is skipped without a word, and no input makes the checker hang or raise: a file that
does not parse, is empty (what an interrupted ``alembic revision`` leaves), is larger than
:data:`MAX_FILE_BYTES`, nests deeper than Python's parser can, or could not be read (a directory
that cannot be listed, a broken or looping link, a FIFO) is an input error (AS800, exit status 2);
the others are still checked.  Time is linear in a file's size: each helper body is walked once
per file (and followed at most :data:`MAX_HELPER_DEPTH` deep, beyond which AS704 says so), and the
downgrade's effects are indexed rather than compared with every upgrade step.

Each file's results (its own findings and the facts the history-wide AS201 check needs) are kept
in a JSON cache (``.alembic_standards_cache/``, :class:`_ResultCache`), so a re-run parses only
the files that changed; AS201 across revisions is recomputed from those facts on every run.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import fnmatch
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import time
import tokenize
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .config import ExceptionEntry
from .coverage import KeyColumns, is_covered
from .fileio import NotRegularFile, read_regular_file
from .findings import Finding, Location, Severity, StandardsError
from .layout import is_destructive, out_of_order, section_of, sql_is_data
from .naming import MAX_IDENTIFIER_LENGTH
from .reversal import NEUTRAL_OPS, OPS, Change, change_from_op_call, match
from .rules import RULES

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from .config import Config

__all__ = [
    "CACHE_DIR_ENV",
    "CACHE_DIR_NAME",
    "MigrationReport",
    "RevisionInfo",
    "check_migrations",
    "iter_revision_files",
]


@dataclass(frozen=True)
class RevisionInfo:
    """A revision's place in the history, as written in its file."""

    revision: str | None
    down_revisions: tuple[str, ...]
    depends_on: tuple[str, ...]
    branch_labels: tuple[str, ...]
    path: Path
    line: int | None = None


@dataclass
class MigrationReport:
    """What :func:`check_migrations` found."""

    findings: list[Finding] = field(default_factory=list)
    input_errors: list[Finding] = field(default_factory=list)
    """Files that could not be read or parsed (AS800): the command exits with status 2."""
    irreversible: list[ExceptionEntry] = field(default_factory=list)
    """One entry (rule AS702, scoped to the revision) per revision marked ``irreversible = "reason"``."""
    revisions: list[RevisionInfo] = field(default_factory=list)


def iter_revision_files(paths: Sequence[Path]) -> list[Path]:
    """The ``.py`` files under ``paths`` (directories are searched recursively), sorted, unique.

    A path that does not exist, and anything under ``paths`` that cannot be read (a directory
    that cannot be listed, a broken or looping ``.py`` link), is a usage error (StandardsError,
    naming the first such path).  :func:`check_migrations` reports each of them instead (AS800).
    """
    files, unreadable = _revision_files(paths)
    if unreadable:
        path, why = unreadable[0]
        raise StandardsError(why, path=path)
    return files


def _revision_files(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(the ``.py`` files under ``paths``, the paths that could not be read with the reason)."""
    found: dict[Path, None] = {}
    unreadable: list[tuple[Path, str]] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for file in sorted(_python_files(path, unreadable)):
                if "__pycache__" not in file.parts:
                    found[file] = None
        elif path.is_file():
            found[path] = None
        elif path.is_symlink() or path.exists():
            unreadable.append(_unreadable(path))
        else:
            raise StandardsError("no such file or directory", path=path, hint="check the `migrations` setting")
    return list(found), unreadable


def _unreadable(path: Path) -> tuple[Path, str]:
    """(where to report, why) for a path that is neither a readable directory nor a regular file.

    A broken link is reported on its directory and named in the message: paths are printed
    through ``Path.resolve()``, which would show a dangling link as its missing target and raises
    on a looping one.
    """
    try:
        os.stat(path)
    except OSError as exc:
        if os.path.islink(path):
            return path.parent, f"cannot read symbolic link {path.name!r}: {exc.strerror}"
        return path, f"cannot read: {exc.strerror}"
    return path, "not a regular file (not checked)"


def _python_files(directory: Path, unreadable: list[tuple[Path, str]]) -> list[Path]:
    """The files ``directory.rglob("*.py")`` finds, unsorted: one ``os.scandir`` per directory.

    ``rglob()`` plus ``is_file()`` cost more than everything else a cached run does; a directory
    entry already knows whether it is a file.  Same answer: symbolic links to directories are not
    entered (``rglob`` does not follow them either), symbolic links to files count, ``*.py``
    matches as ``fnmatch`` (case per platform).  Unlike ``rglob``, nothing is skipped without a
    word: a directory that cannot be listed and a ``*.py`` entry that is not a readable file (a
    broken or looping link, a FIFO) go to ``unreadable`` with the reason.
    """
    out: list[Path] = []
    todo = [os.fspath(directory)]
    while todo:
        current = todo.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            unreadable.append((Path(current), f"cannot read directory: {exc.strerror}"))
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    if not entry.is_symlink():
                        todo.append(entry.path)
                    continue
                if not fnmatch.fnmatch(entry.name, "*.py"):
                    continue
                if entry.is_file():
                    out.append(Path(entry.path))
                    continue
            except OSError:
                pass
            unreadable.append(_unreadable(Path(entry.path)))
    return out


def check_migrations(
    paths: Sequence[Path], config: Config, *, cache: bool | str | os.PathLike[str] = True
) -> MigrationReport:
    """Check every revision file under ``paths`` (default: ``config.migrations``) without importing it.

    ``cache``: True (the default) keeps each file's per-file results in ``.alembic_standards_cache/``
    next to the configuration's ``pyproject.toml`` (or in ``config.root`` without one; the
    ``ALEMBIC_STANDARDS_CACHE_DIR`` environment variable overrides that place), so that an unchanged
    file is not parsed again; a path puts the cache there; False neither reads nor writes a cache.
    The findings are the same either way (see :class:`_ResultCache`).
    """
    files, unreadable = _revision_files(paths or config.migrations)
    store = _ResultCache.open(config, cache)
    report = MigrationReport()
    # Anything we were asked to read and could not is an input error (exit 2), never a silent pass.
    report.input_errors.extend(config.finding("AS800", why, Location(path=path)) for path, why in unreadable)
    parsed: list[_Revision] = []
    for path in files:
        result = store.get(path) if store is not None else None
        if result is None:
            result = _read_revision(path, config)
            if store is not None:
                store.put(path, result)
        report.input_errors.extend(result.input_errors)
        report.irreversible.extend(result.irreversible)
        if result.revision is not None:
            parsed.append(result.revision)
            report.revisions.append(result.revision.info)
    if store is not None:
        store.save()
    # History-wide: recomputed on every run from the per-file extracts, cached or not.
    _check_fk_coverage(parsed, config)
    for revision in parsed:
        report.findings.extend(f for f in revision.findings if config.is_enabled(f.rule_id))
    report.findings.sort(key=Finding.sort_key)
    report.input_errors.sort(key=Finding.sort_key)
    return report


# ---------------------------------------------------------------------------------------------
# Reading one file
# ---------------------------------------------------------------------------------------------

_IDENTIFIERS: Final = ("revision", "down_revision", "branch_labels", "depends_on")
_HEADER_FIELDS: Final = ("Revision ID:", "Revises:", "Create Date:")
_CONSTRAINTS: Final = {
    "UniqueConstraint": "unique constraint",
    "ForeignKeyConstraint": "foreign key",
    "CheckConstraint": "check constraint",
    "PrimaryKeyConstraint": "primary key",
}
MAX_FILE_BYTES: Final = 16 * 1024 * 1024
"""A revision file larger than this is reported (AS800) and not checked: no real revision comes
close (a thousand-table initial revision is about 1 MB), and checking stays linear below it."""
MAX_HELPER_DEPTH: Final = 32
"""Helper functions calling helpers are followed this deep; a deeper chain is reported (AS704)."""
_DYNAMIC: Final = object()
"""Marker for a value computed at run time."""


@dataclass
class _Revision:
    path: Path
    info: RevisionInfo
    findings: list[Finding]
    keys: dict[tuple[str | None, str], list[KeyColumns]]
    foreign_keys: list[_ForeignKey]
    raw_sql: list[str | None]
    """The upgrade's raw SQL (None when the text is computed): it may create indexes we cannot see."""


@dataclass(frozen=True)
class _ForeignKey:
    schema: str | None
    table: str
    columns: tuple[str, ...]
    referred: str | None
    line: int
    col: int


@dataclass
class _Op:
    """One operation call in a function body, with its change and its call node."""

    name: str
    change: Change
    call: ast.Call
    args: dict[str, ast.expr]
    table: str | None
    schema: str | None


@dataclass(frozen=True)
class _Undecided:
    """An upgrade step whose reversal cannot be decided statically (AS704)."""

    down_name: str
    change: Change
    reason: str
    """Why (``raw SQL``...); empty when the step is decidable but the downgrade is not."""
    expected: str
    """For a decidable step: what the downgrade should do."""
    node: ast.AST


_UNSURE: Final = "the downgrade runs raw SQL or dynamic operations"


def _undecided_message(items: Sequence[_Undecided]) -> str:
    """One AS704 message for all of a revision's undecidable steps."""
    first = items[0]
    if len(items) == 1:
        if first.reason:
            return (
                f"cannot decide whether {first.down_name} undoes {first.change.describe()} ({first.reason}); "
                "review it by hand"
            )
        return (
            f"cannot decide whether {first.down_name} undoes {first.change.describe()}: {_UNSURE} "
            f"(expected {first.expected}); review it by hand"
        )
    groups: dict[tuple[str, str], list[int]] = {}
    for item in items:
        groups.setdefault((item.change.describe(), item.reason or _UNSURE), []).append(getattr(item.node, "lineno", 0))
    shown = []
    for (what, why), lines in list(groups.items())[:3]:
        at = ", ".join(str(line) for line in lines[:5]) + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
        shown.append(f"{what} at line{'s' if len(lines) > 1 else ''} {at} ({why})")
    more = f"; and {len(groups) - 3} other kinds of step" if len(groups) > 3 else ""
    return (
        f"cannot decide whether {first.down_name} undoes {len(items)} steps of the upgrade: {'; '.join(shown)}{more}; "
        "review them by hand"
    )


class _Ops:
    """Operations in walk order, each (call node) once: a helper reached twice adds nothing new."""

    def __init__(self) -> None:
        self.items: list[_Op] = []
        self.seen: set[int] = set()

    def add(self, op: _Op) -> None:
        if id(op) not in self.seen:
            self.seen.add(id(op))
            self.items.append(op)


@dataclass
class _FileResult:
    """Everything one file contributes to a report, before the history-wide checks."""

    revision: _Revision | None = None
    """None for a file that is not a revision (``__init__.py``, helpers) or cannot be read."""
    input_errors: list[Finding] = field(default_factory=list)
    irreversible: list[ExceptionEntry] = field(default_factory=list)
    stat: tuple[int, int] | None = None
    """(size, mtime_ns) of the bytes that were read; None when the file could not be read (not cached)."""


def _read_revision(path: Path, config: Config) -> _FileResult:
    result = _FileResult()

    def input_error(message: str, line: int | None = None) -> _FileResult:
        result.input_errors.append(config.finding("AS800", message, Location(path=path, line=line)))
        return result

    try:
        status, data = read_regular_file(path, MAX_FILE_BYTES)
    except NotRegularFile:
        return input_error("not a regular file (not checked)")
    except OSError as exc:
        return input_error(f"cannot read file: {exc.strerror}")
    if len(data) > MAX_FILE_BYTES:
        return input_error(
            f"file is {status.st_size:,} bytes, over the checker's limit of {MAX_FILE_BYTES:,}: not checked"
        )
    result.stat = (status.st_size, status.st_mtime_ns)
    try:
        # Honour a PEP 263 coding cookie (``# -*- coding: latin-1 -*-`` in old revisions) and a BOM.
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        source = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        return input_error(f"cannot decode file: {exc} (file not checked)")
    if not source.strip() and path.name != "__init__.py":
        # What an interrupted `alembic revision` leaves behind: Alembic's history then fails.
        return input_error(
            "empty file: not a revision (left by an interrupted `alembic revision`?); remove or write it"
        )
    chain = _longest_operator_chain(source)
    if chain > MAX_OPERATOR_CHAIN:
        # Checked before parsing: how deep a chain `ast.parse` survives depends on the Python
        # version (3.11 refuses 3,000 terms, 3.10 and 3.13 accept them, and 3.10 crashes the
        # whole process on about 300,000), so the limit is ours and the same everywhere.
        return input_error(
            f"an expression chains {chain:,} operators, over the checker's limit of {MAX_OPERATOR_CHAIN:,} "
            "(file not checked)"
        )
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        return input_error(f"syntax error: {exc.msg} (file not checked)", exc.lineno)
    except ValueError as exc:  # e.g. NUL bytes (a SyntaxError only from Python 3.12)
        return input_error(f"syntax error: {exc} (file not checked)")
    except (RecursionError, MemoryError):
        # CPython's parser gives up on very long operator chains (`a + a + ...`, `x.a.a...`).
        return input_error("expressions nested too deeply for Python's parser (file not checked)")
    try:
        reader = _Reader(path, source, tree, config)
        if reader.is_revision():
            collected = MigrationReport()
            result.revision = reader.run(collected)
            result.irreversible = collected.irreversible
    except RecursionError:
        result.revision = None
        result.irreversible = []
        return input_error("nested too deeply to check (file not checked)")
    # The tree and the reader go out of scope here: only the extracted facts are kept.
    return result


MAX_OPERATOR_CHAIN: Final = 1_000
"""Most operators (``+``, ``.``, ``and``...) one bracket level of one statement may chain."""
_CHAIN_BREAKS: Final = frozenset({",", ":", "=", ";", "(", ")", "[", "]", "{", "}", "->", ":="})


def _longest_operator_chain(source: str) -> int:
    """The most operator tokens at one bracket level of one statement (a cheap bound on how deep
    ``ast.parse`` must nest: ``a + a + ...`` and ``x.a.a...`` are left-deep trees).  Only files
    with a long line or of some size are tokenized; a normal revision costs one scan for newlines."""
    if len(source) < 50_000 and max((len(line) for line in source.splitlines()), default=0) < 2_000:
        return 0
    longest = 0
    counts = [0]
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.OP:
                if token.string in ("(", "[", "{"):
                    counts.append(0)
                elif token.string in (")", "]", "}"):
                    if len(counts) > 1:
                        counts.pop()
                elif token.string not in _CHAIN_BREAKS:
                    counts[-1] += 1
                    longest = max(longest, counts[-1])
                elif token.string in (",", ";", "="):
                    counts[-1] = 0
            elif token.type == tokenize.NAME and token.string in ("and", "or", "not", "in", "is", "if", "else"):
                counts[-1] += 1
                longest = max(longest, counts[-1])
            elif token.type == tokenize.NEWLINE:
                counts = [0]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return longest  # the parser reports the broken file itself
    return longest


class _Reader:
    def __init__(self, path: Path, source: str, tree: ast.Module, config: Config) -> None:
        self.path = path
        self.source = source
        self.tree = tree
        self.config = config
        self.findings: list[Finding] = []
        self.assignments: dict[str, ast.Assign | ast.AnnAssign] = {}
        self.functions: dict[str, ast.FunctionDef] = {}
        self.op_modules: set[str] = {"op"}
        self.op_functions: dict[str, str] = {}
        self.alembic_modules: set[str] = set()
        self.assigned_anywhere: dict[str, list[ast.expr]] | None = None
        self.helper_memo: dict[tuple[str, tuple[tuple[str, tuple[object, object]], ...], bool], list[_Op]] = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                self.functions[node.name] = node
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.assignments[target.id] = node
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                self.assignments[node.target.id] = node
        for found in _imports(tree, source):
            if isinstance(found, ast.ImportFrom) and found.module in ("alembic", "alembic.op"):
                for alias in found.names:
                    bound = alias.asname or alias.name
                    if found.module == "alembic" and alias.name == "op":
                        self.op_modules.add(bound)
                    elif found.module == "alembic.op":
                        self.op_functions[bound] = alias.name
            elif isinstance(found, ast.Import):
                for alias in found.names:
                    if alias.name == "alembic.op" and alias.asname:
                        self.op_modules.add(alias.asname)
                    elif alias.name.split(".")[0] == "alembic" and not alias.asname:
                        self.alembic_modules.add("alembic")
        self.revision_id = self._literal_str(self._value("revision"))

    # -- helpers -----------------------------------------------------------------------------
    def is_revision(self) -> bool:
        return "revision" in self.assignments or "upgrade" in self.functions

    def _value(self, name: str) -> ast.expr | None:
        node = self.assignments.get(name)
        return node.value if node is not None else None

    def loc(self, node: ast.AST | None = None, **kw: str | None) -> Location:
        line = getattr(node, "lineno", None) if node is not None else 1
        col = getattr(node, "col_offset", None) if node is not None else 0
        return Location(
            path=self.path,
            line=line,
            col=col + 1 if col is not None else None,
            revision=self.revision_id,
            **kw,
        )

    def report(self, rule_id: str, message: str, node: ast.AST | None = None, **kw: str | None) -> None:
        self.findings.append(self.config.finding(rule_id, message, self.loc(node, **kw)))

    def _literal_str(self, node: ast.expr | None) -> str | None:
        value = self.resolve(node)
        return value if isinstance(value, str) else None

    def _literal_strs(self, node: ast.expr | None) -> tuple[str, ...]:
        if node is None:
            return ()
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return tuple(v for v in (self._literal_str(e) for e in node.elts) if v is not None)
        single = self._literal_str(node)
        return (single,) if single is not None else ()

    def resolve(self, node: ast.expr | None, depth: int = 0) -> object:
        """A literal string (or None) an expression stands for; ``_DYNAMIC`` when unknowable.

        Understands ``"x"``, ``None``, ``op.f("x")`` / ``batch_op.f("x")`` / ``conv("x")`` and
        module-level constants (``TABLE = "tags"``).
        """
        if node is None:
            return None
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
            return node.value
        if isinstance(node, ast.Call) and _callee(node) in ("f", "conv") and len(node.args) == 1:
            return self.resolve(node.args[0], depth)
        if isinstance(node, ast.Name) and depth < 5:
            assigned = self.assignments.get(node.id)
            if assigned is not None and assigned.value is not None:
                return self.resolve(assigned.value, depth + 1)
        return _DYNAMIC

    def _is_conv(self, node: ast.expr | None) -> bool:
        return isinstance(node, ast.Call) and _callee(node) in ("f", "conv")

    # -- the whole file ----------------------------------------------------------------------
    def run(self, report: MigrationReport) -> _Revision:
        info = RevisionInfo(
            revision=self.revision_id,
            down_revisions=self._literal_strs(self._value("down_revision")),
            depends_on=self._literal_strs(self._value("depends_on")),
            branch_labels=self._literal_strs(self._value("branch_labels")),
            path=self.path,
            line=getattr(self.assignments.get("revision"), "lineno", None),
        )
        self._check_header()
        self._check_identifiers()
        reason = self._irreversible(report)
        upgrade = self.functions.get("upgrade")
        downgrade = self.functions.get("downgrade")
        for function in (upgrade, downgrade):
            if function is not None:
                self._check_function_layout(function)
        # Multi-database revisions (Alembic's multidb template) dispatch to upgrade_<db>() /
        # downgrade_<db>(); each pair is judged like upgrade()/downgrade().
        pairs = [(upgrade, downgrade, "")] + [
            (function, self.functions.get("downgrade_" + name.removeprefix("upgrade_")), name.removeprefix("upgrade"))
            for name, function in self.functions.items()
            if name.startswith("upgrade_")
        ]
        downgrade_findings: list[Finding] = []
        undecided: list[_Undecided] = []
        all_up: list[_Op] = []
        all_down: list[_Op] = []
        for up_fn, down_fn, suffix in pairs:
            up_ops = self.collect(up_fn) if up_fn is not None else []
            down_ops = self.collect(down_fn) if down_fn is not None else []
            downgrade_findings += self._check_downgrade(up_fn, down_fn, up_ops, down_ops, undecided, suffix)
            for function, ops in ((up_fn, up_ops), (down_fn, down_ops)):
                if function is not None:
                    self._check_sections(function, ops)
            all_up += up_ops
            all_down += down_ops
        if undecided and self.config.is_enabled("AS704"):
            # Once per revision: a revision of 17 raw-SQL statements is one thing to review by hand.
            undecided.sort(key=lambda item: (getattr(item.node, "lineno", 0), getattr(item.node, "col_offset", 0)))
            location = self.loc(undecided[0].node)
            downgrade_findings.append(self.config.finding("AS704", _undecided_message(undecided), location))
        if reason is not None:
            if downgrade_findings:
                node = self.assignments["irreversible"]
                summary = "; ".join(f"{f.rule_id} {f.message}" for f in downgrade_findings[:3])
                self.report(
                    "AS702",
                    f"revision is marked irreversible ({reason!r}); its downgrade does not reverse the upgrade: "
                    f"{summary}",
                    node,
                )
        else:
            self.findings.extend(downgrade_findings)
        keys: dict[tuple[str | None, str], list[KeyColumns]] = {}
        foreign_keys: list[_ForeignKey] = []
        named: set[int] = set()  # a helper called by both functions is one place in the file
        for op in all_up:
            self._collect_keys(op, keys, foreign_keys)
        for op in (*all_up, *all_down):
            if id(op) not in named:
                named.add(id(op))
                self._check_names(op)
        raw_sql = [self._sql_text(op) for op in all_up if op.name == "execute"]
        return _Revision(self.path, info, self.findings, keys, foreign_keys, raw_sql)

    # -- AS801 / AS802 / AS803 / AS705 -------------------------------------------------------
    def _check_header(self) -> None:
        doc = ast.get_docstring(self.tree, clean=True)
        if doc is None:
            self.report("AS801", "revision has no module docstring (message, Revision ID, Revises, Create Date)")
            return
        lines = [line.strip() for line in doc.splitlines()]
        missing = [f.rstrip(":") for f in _HEADER_FIELDS if not any(line.startswith(f) for line in lines)]
        first = lines[0] if lines else ""
        if not first or first.startswith(_HEADER_FIELDS) or first == "empty message":
            missing.insert(0, "message")
        if missing:
            node = self.tree.body[0]
            self.report("AS801", f"module docstring lacks {', '.join(missing)}", node)

    def _check_identifiers(self) -> None:
        for name in _IDENTIFIERS:
            node = self.assignments.get(name)
            if isinstance(node, ast.Assign):
                self.report("AS802", f"`{name}` has no type annotation (e.g. `{name}: {_ANNOTATIONS[name]}`)", node)

    def _check_function_layout(self, function: ast.FunctionDef) -> None:
        if function.returns is None:
            self.report(
                "AS802", f"{function.name}() has no return annotation (`def {function.name}() -> None:`)", function
            )
        if ast.get_docstring(function) is None:
            wanted = "Apply migration changes" if function.name == "upgrade" else "Rollback migration changes"
            self.report("AS803", f'{function.name}() has no docstring ("""{wanted}""")', function)

    def _irreversible(self, report: MigrationReport) -> str | None:
        node = self.assignments.get("irreversible")
        if node is None:
            return None
        value = node.value.value if isinstance(node.value, ast.Constant) else _DYNAMIC
        if not isinstance(value, str) or not value.strip():
            self.report(
                "AS705",
                'irreversible marker has no reason: write `irreversible = "<why this revision cannot be rolled back>"`',
                node,
            )
            return None
        reason = value.strip()
        report.irreversible.append(
            ExceptionEntry(
                rule="AS702",
                reason=reason,
                revision=self.revision_id,
                source=Location(path=self.path, line=node.lineno),
            )
        )
        return reason

    # -- AS701 / AS702 / AS703 / AS704 -------------------------------------------------------
    def _check_downgrade(
        self,
        upgrade: ast.FunctionDef | None,
        downgrade: ast.FunctionDef | None,
        up_ops: list[_Op],
        down_ops: list[_Op],
        undecided: list[_Undecided],
        suffix: str = "",
    ) -> list[Finding]:
        """AS701-AS703 for one upgrade/downgrade pair; what cannot be decided goes to ``undecided``."""
        out: list[Finding] = []
        up_name, down_name = f"upgrade{suffix}()", f"downgrade{suffix}()"

        def add(rule_id: str, message: str, node: ast.AST) -> None:
            if self.config.is_enabled(rule_id):
                out.append(self.config.finding(rule_id, message, self.loc(node)))

        if upgrade is None:
            return out
        if downgrade is None:
            # Even with nothing to undo, Alembic fails (AttributeError) when it downgrades through here.
            detail = (
                f" while {up_name} has {len(up_ops)} operation(s)"
                if up_ops
                else "; Alembic cannot downgrade through this revision"
            )
            add("AS701", f"revision has no {down_name}{detail}", upgrade)
            return out
        if not up_ops:
            return out
        if not down_ops:
            add(
                "AS702",
                f"{down_name} {self._empty_kind(downgrade)} while {up_name} has {len(up_ops)} operation(s)",
                downgrade,
            )
            return out
        verdict = match([o.change for o in up_ops], [o.change for o in down_ops])
        by_change = {id(o.change): o for o in up_ops}
        for missing in verdict.missing:
            op = by_change[id(missing.change)]
            add(
                "AS703",
                f"{down_name} does not undo {missing.change.describe()}; expected {missing.expected}",
                op.call,
            )
        for missing in verdict.unsure:
            op = by_change[id(missing.change)]
            undecided.append(_Undecided(down_name, missing.change, "", missing.expected, op.call))
        for change in verdict.undecidable:
            undecided.append(_Undecided(down_name, change, change.reason, "", by_change[id(change)].call))
        return out

    def _empty_kind(self, function: ast.FunctionDef) -> str:
        body = [s for s in function.body if not _is_docstring(s)]
        segment = self._function_text(function)
        if any(_raises_not_implemented(s) for s in body):
            return "only raises NotImplementedError"
        if "TODO" in segment:
            return "is still the template's TODO placeholder"
        if all(isinstance(s, ast.Pass) or _is_ellipsis(s) for s in body):
            return "is only `pass`" if body else "is only a docstring"
        return "performs no schema operation"

    def _function_text(self, function: ast.FunctionDef) -> str:
        """The source of ``function`` including trailing comments (up to the next top-level statement)."""
        following = [n.lineno for n in self.tree.body if n.lineno > function.lineno]
        lines = self.source.splitlines()
        end = min(following) - 1 if following else len(lines)
        return "\n".join(lines[function.lineno - 1 : end])

    # -- AS804 -------------------------------------------------------------------------------
    def _check_sections(self, function: ast.FunctionDef, ops: list[_Op]) -> None:
        # Raw SQL that is not clearly a data step (DDL such as CREATE EXTENSION) has no section,
        # nor has data changed through an ORM session (where it happens is the author's call).
        placed = self._after_data_steps(
            [
                o
                for o in ops
                if o.name not in _SESSION_FACTORIES and (o.name != "execute" or sql_is_data(self._sql_text(o)))
            ],
            restoring=function.name.startswith("downgrade"),
        )
        pairs = [(o.name, section_of(o.name, unique=_is_true(o.call, "unique"))) for o in placed]
        downgrade = function.name.startswith("downgrade")
        bad = out_of_order(pairs, downgrade=downgrade)
        if not bad:
            return
        op = placed[bad[0]]
        section = pairs[bad[0]][1]
        order = "data, indexes, tables" if downgrade else "tables, indexes, data"
        self.report(
            "AS804",
            f"{function.name}(): op.{op.name}() ({section.title.lower()}) is out of the template's section order "
            f"({order}; creations in that order, drops in reverse)",
            op.call,
        )

    def _after_data_steps(self, ops: list[_Op], *, restoring: bool = False) -> list[_Op]:
        """``ops`` without the schema operations that follow a data step on their table.

        Such an operation depends on the data step: ``alter_column(nullable=False)`` after the
        ``UPDATE`` that backfills the column must stay after it.  Ordering advice never moves an
        operation across a data step it depends on; other operations are still judged.
        """
        touched: set[str] = set()
        restored: set[str] = set()
        out: list[_Op] = []
        for op in ops:
            if op.name == "execute":
                words = {word.lower() for word in _WORD.findall(self._sql_text(op) or "")}
                if restoring and words & restored:
                    # A downgrade re-creates a column or table, then puts its values back: the data
                    # step needs the structure before it (FitTrackee's downgrades).  Not judged.
                    continue
                touched.update(words)
            elif op.name == "bulk_insert":
                touched.add((op.table or "").lower())
            elif op.table is not None and op.table.lower() in touched:
                continue
            elif restoring and op.table is not None and not is_destructive(op.name):
                restored.add(op.table.lower())
            out.append(op)
        return out

    def _table_object(self, node: ast.expr | None, depth: int = 0) -> tuple[object, object]:
        """(name, schema) of ``sa.table("x", ...)`` / ``sa.Table("x", ...)`` / ``op.create_table("x", ...)``,
        directly or through a variable assigned once in this file; ``_DYNAMIC`` otherwise."""
        if isinstance(node, ast.Call) and _callee(node) in ("table", "Table", "create_table") and node.args:
            return self.resolve(node.args[0]), self.resolve(_kw(node, "schema"))
        if isinstance(node, ast.Name) and depth < 3:
            values = self._assigned_anywhere().get(node.id, [])
            if len(values) == 1:
                return self._table_object(values[0], depth + 1)
        return _DYNAMIC, None

    def _assigned_anywhere(self) -> dict[str, list[ast.expr]]:
        """Every ``name = value`` in the file, by name: built once (a walk per look-up would make
        a revision of many ``bulk_insert(table, ...)`` calls quadratic)."""
        if self.assigned_anywhere is None:
            found: dict[str, list[ast.expr]] = {}
            for n in ast.walk(self.tree):
                if isinstance(n, ast.Assign):
                    for name in {t.id for t in n.targets if isinstance(t, ast.Name)}:
                        found.setdefault(name, []).append(n.value)
            self.assigned_anywhere = found
        return self.assigned_anywhere

    def _sql_text(self, op: _Op) -> str | None:
        """The SQL an ``execute`` runs, as far as it can be read without running anything.

        A literal (or a name bound to one) is read as is.  An f-string keeps its literal parts with
        ``?`` for each value (``f"UPDATE users SET x = {v}"`` is still an UPDATE: FitTrackee's
        backfills), and a SQLAlchemy expression names its statement kind (``table.select()`` reads,
        ``table.update()`` writes).  None when nothing of the statement can be told.
        """
        node = op.call.args[0] if op.call.args else op.args.get("sqltext")
        if isinstance(node, ast.Call) and _callee(node) == "text" and node.args:
            node = node.args[0]
        if isinstance(node, ast.JoinedStr):
            return "".join(
                part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else "?"
                for part in node.values
            )
        chain = node
        while isinstance(chain, ast.Call):  # users.update().where(...).values(...): the innermost call
            kind = _callee(chain)
            if kind in _EXPRESSION_STATEMENTS:
                return f"{_EXPRESSION_STATEMENTS[kind]} ?"
            chain = chain.func.value if isinstance(chain.func, ast.Attribute) else None
        return _as_str(self.resolve(node))

    # -- collecting operations ---------------------------------------------------------------
    def collect(self, function: ast.FunctionDef) -> list[_Op]:
        out = _Ops()
        self._walk(function.body, {}, out, (function.name,))
        return out.items

    def _helper_ops(
        self,
        helper: ast.FunctionDef,
        batch: dict[str, tuple[object, object]],
        stack: tuple[str, ...],
        dynamic: bool,
    ) -> list[_Op]:
        """The operations a call of ``helper`` performs, each helper body walked once per file.

        Memoised on (helper, batch aliases, dynamic): helpers that call each other several times
        would otherwise be walked once per path through the call graph, which doubles with every
        helper that calls the next one twice.  An operation reached along several paths counts once.
        """
        key = (helper.name, tuple(sorted(batch.items(), key=lambda item: item[0])), dynamic)
        found = self.helper_memo.get(key)
        if found is None:
            ops = _Ops()
            self._walk(helper.body, batch, ops, (*stack, helper.name), dynamic)
            found = self.helper_memo[key] = ops.items
        return found

    def _walk(
        self,
        body: Iterable[ast.stmt],
        batch: dict[str, tuple[object, object]],
        out: _Ops,
        stack: tuple[str, ...],
        dynamic: bool = False,
    ) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(stmt, (ast.With, ast.AsyncWith)):
                inner = dict(batch)
                for item in stmt.items:
                    call = item.context_expr
                    if isinstance(call, ast.Call) and self._op_name(call, batch) == "batch_alter_table":
                        args = _bind(call, ("table_name",), batch=False)
                        target = item.optional_vars
                        if isinstance(target, ast.Name):
                            inner[target.id] = (self.resolve(args.get("table_name")), self.resolve(args.get("schema")))
                    else:
                        self._calls(call, batch, out, stack, dynamic)
                self._walk(stmt.body, inner, out, stack, dynamic)
                continue
            if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
                self._calls(
                    stmt.iter if isinstance(stmt, (ast.For, ast.AsyncFor)) else stmt.test, batch, out, stack, dynamic
                )
                self._walk(stmt.body, batch, out, stack, True)
                self._walk(stmt.orelse, batch, out, stack, dynamic)
                continue
            if isinstance(stmt, ast.If):
                self._calls(stmt.test, batch, out, stack, dynamic)
                self._walk(stmt.body, batch, out, stack, dynamic)
                self._walk(stmt.orelse, batch, out, stack, dynamic)
                continue
            if isinstance(stmt, ast.Match):
                self._calls(stmt.subject, batch, out, stack, dynamic)
                for case in stmt.cases:
                    self._walk(case.body, batch, out, stack, dynamic)
                continue
            if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                for part in ("body", "orelse", "finalbody"):
                    self._walk(getattr(stmt, part), batch, out, stack, dynamic)
                for handler in getattr(stmt, "handlers", ()):
                    self._walk(handler.body, batch, out, stack, dynamic)
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                unknown = self._unknown_helper(stmt.value, batch)
                if unknown is not None:
                    change = Change(
                        f"{unknown}",
                        "undecidable",
                        reason=f"calls {unknown}(), which is not defined in this file",
                        line=stmt.lineno,
                        col=stmt.col_offset + 1,
                    )
                    out.add(_Op(unknown, change, stmt.value, {}, None, None))
                    continue
            self._calls(stmt, batch, out, stack, dynamic)

    def _calls(
        self,
        node: ast.AST,
        batch: dict[str, tuple[object, object]],
        out: _Ops,
        stack: tuple[str, ...],
        dynamic: bool,
    ) -> None:
        """Every operation call inside ``node``, outermost first, in source order."""
        for call in _calls_in_order(node):
            if _callee(call) in _SESSION_FACTORIES and not self._op_name(call, batch):
                # Data changed through an ORM session on op.get_bind(): no op.* call shows it, yet
                # the downgrade must roll it back (or the revision be marked irreversible).
                factory = _callee(call) or "Session"
                change = Change(
                    factory,
                    "undecidable",
                    reason="changes data through an ORM session",
                    line=call.lineno,
                    col=call.col_offset + 1,
                )
                out.add(_Op(factory, change, call, {}, None, None))
                continue
            if isinstance(call.func, ast.Name) and call.func.id in self.functions and call.func.id not in stack:
                if len(stack) > MAX_HELPER_DEPTH:
                    # Deeper than any real revision nests helpers: say so instead of following
                    # (the walk is recursive; an unbounded chain would exhaust the stack).
                    reason = f"helper calls nested deeper than {MAX_HELPER_DEPTH} levels are not followed"
                    change = Change(
                        call.func.id, "undecidable", reason=reason, line=call.lineno, col=call.col_offset + 1
                    )
                    out.add(_Op(call.func.id, change, call, {}, None, None))
                    continue
                for op in self._helper_ops(self.functions[call.func.id], batch, stack, dynamic):
                    out.add(op)
                continue
            name = self._op_name(call, batch)
            if name is None or name in NEUTRAL_OPS:
                continue
            op = self._op(name, call, batch, dynamic)
            if name == "execute" and _reads_only(self._sql_text(op)):
                # `db.execute(text("SELECT ..."))` in a helper that looks something up (JupyterHub):
                # a query changes nothing, so there is nothing for the downgrade to undo.
                continue
            out.add(op)

    def _op_name(self, call: ast.Call, batch: dict[str, tuple[object, object]]) -> str | None:
        """``create_table`` for ``op.create_table(...)`` (any alias), ``batch_op.add_column``...;
        ``execute`` for any ``<something>.execute(...)`` (connections, ``context``); else None."""
        func = call.func
        if isinstance(func, ast.Name):
            return self.op_functions.get(func.id)
        if not isinstance(func, ast.Attribute):
            return None
        base = func.value
        if isinstance(base, ast.Name) and (base.id in self.op_modules or base.id in batch):
            return _OP_ALIASES.get(func.attr, func.attr)
        if (
            isinstance(base, ast.Attribute)
            and base.attr == "op"
            and isinstance(base.value, ast.Name)
            and base.value.id in self.alembic_modules
        ):
            return _OP_ALIASES.get(func.attr, func.attr)
        if func.attr in ("execute", "exec_driver_sql"):
            return "execute"
        return None

    def _unknown_helper(self, call: ast.Call, batch: dict[str, tuple[object, object]]) -> str | None:
        """The name of a bare function call that is neither an operation, a local helper nor a builtin."""
        func = call.func
        if not isinstance(func, ast.Name):
            return None
        name = func.id
        if name in self.functions or name in self.op_functions or hasattr(builtins, name):
            return None
        return name

    def _op(self, name: str, call: ast.Call, batch: dict[str, tuple[object, object]], dynamic: bool) -> _Op:
        is_batch = (
            isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and (call.func.value.id in batch)
        )
        args = _bind(call, _SIGNATURES.get(name, ()), batch=is_batch)
        if is_batch:
            assert isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
            table, schema = batch[call.func.value.id]
        else:
            table = self.resolve(args.get("table_name") or args.get("source_table") or args.get("old_table_name"))
            schema = self.resolve(args.get("schema") or args.get("source_schema"))
        obj: object = None
        new_name: object = None
        if name == "add_column":
            column = args.get("column")
            obj = self.resolve(column.args[0]) if isinstance(column, ast.Call) and column.args else _DYNAMIC
        elif name in ("drop_column", "alter_column"):
            column_name = args.get("column_name")
            if isinstance(column_name, ast.Call) and column_name.args:
                # `op.drop_column("groups", sa.Column("properties"))` (JupyterHub): Alembic takes the
                # Column's name.
                column_name = column_name.args[0]
            obj = self.resolve(column_name)
            new_name = self.resolve(args.get("new_column_name"))
        elif name in ("create_index", "drop_index"):
            obj = self.resolve(args.get("index_name"))
        elif name in OPS and OPS[name][1] == "constraint":
            obj = self.resolve(args.get("constraint_name"))
        elif name == "rename_table":
            new_name = self.resolve(args.get("new_table_name"))
        elif name == "bulk_insert":
            table, schema = self._table_object(args.get("table"))
        line, col = call.lineno, call.col_offset + 1
        values = (table, obj, new_name, schema)
        if name in OPS and (dynamic or any(v is _DYNAMIC for v in values)):
            change = Change(name, "undecidable", line=line, col=col, reason="its names are computed at run time")
        else:
            columns = _all_str(self._columns(args.get("local_cols" if name == "create_foreign_key" else "columns")))
            change = change_from_op_call(
                name,
                table=_as_str(table),
                name=_as_str(obj),
                schema=_as_str(schema),
                new_name=_as_str(new_name),
                line=line,
                col=col,
                columns=columns or None,
                if_exists=_is_true(call, "if_exists"),
            )
        return _Op(name, change, call, args, _as_str(table), _as_str(schema))

    # -- AS501 / AS504 -----------------------------------------------------------------------
    def _check_names(self, op: _Op) -> None:
        table = op.table
        if op.name in (
            "create_index",
            "create_unique_constraint",
            "create_foreign_key",
            "create_check_constraint",
            "create_primary_key",
            "create_exclude_constraint",
        ):
            key = "index_name" if op.name == "create_index" else "constraint_name"
            node = op.args.get(key)
            if self.resolve(node) is None:
                what = "index" if op.name == "create_index" else "constraint"
                kind = _CONVENTION_KIND.get(op.name, "")
                columns = self._columns(op.args.get("local_cols" if kind == "fk" else "columns"))
                referred = _as_str(self.resolve(op.args.get("referent_table")))
                suggestion = self._suggest(kind, table, columns, referred)
                self.report(
                    "AS501",
                    f"op.{op.name}() creates an unnamed {what}{_on(table)}{suggestion}",
                    node or op.call,
                    table=table,
                )
            else:
                self._check_length(node, table)
        if (
            op.name == "drop_constraint"
            and "constraint_name" in op.args
            and self.resolve(op.args["constraint_name"]) is None
        ):
            self.report("AS501", f"op.drop_constraint() without a name{_on(table)} cannot work", op.call, table=table)
        if op.name in ("create_table", "add_column"):
            elements = (
                op.call.args[1:] if op.name == "create_table" else [op.args["column"]] if "column" in op.args else []
            )
            self._check_table_elements(op.name, elements, table)
            if op.name == "create_table":
                self._check_length(op.args.get("table_name"), table, kind="table name")

    def _check_table_elements(self, op_name: str, elements: Sequence[ast.expr], table: str | None) -> None:
        has_named_pk = False
        pk_columns: list[ast.Call] = []
        for element in elements:
            if not isinstance(element, ast.Call):
                continue
            callee = _callee(element)
            if callee in _CONSTRAINTS:
                name = _kw(element, "name")
                if self.resolve(name) is None:
                    suggestion = self._suggest_for_constraint(callee, element, table)
                    self.report(
                        "AS501",
                        f"unnamed {_CONSTRAINTS[callee]} in op.{op_name}(){_on(table)}{suggestion}",
                        element,
                        table=table,
                    )
                else:
                    self._check_length(name, table)
                    has_named_pk = has_named_pk or callee == "PrimaryKeyConstraint"
            elif callee == "Index" and element.args:
                self._check_length(element.args[0], table)
            elif callee == "Column":
                column = self._literal_str(element.args[0]) if element.args else None
                for inner in element.args[1:]:
                    if (
                        isinstance(inner, ast.Call)
                        and _callee(inner) == "ForeignKey"
                        and self.resolve(_kw(inner, "name")) is None
                    ):
                        target = (self._literal_str(inner.args[0]) or "") if inner.args else ""
                        suggestion = self._suggest("fk", table, [column], target.rpartition(".")[0] or None)
                        self.report(
                            "AS501",
                            f"unnamed foreign key on column {column!r}{_on(table)}{suggestion}",
                            inner,
                            table=table,
                            column=column,
                        )
                for flag, what, kind in (("unique", "unique constraint", "uq"), ("index", "index", "ix")):
                    if _is_true(element, flag):
                        suggestion = self._suggest(kind, table, [column])
                        self.report(
                            "AS501",
                            f"{flag}=True on column {column!r} creates an unnamed {what}{_on(table)}{suggestion}",
                            element,
                            table=table,
                            column=column,
                        )
                if _is_true(element, "primary_key"):
                    pk_columns.append(element)
        if pk_columns and not has_named_pk and op_name == "create_table":
            self.report(
                "AS501",
                f"the primary key{_on(table)} has no name: declare sa.PrimaryKeyConstraint(..., name=...)"
                f"{self._suggest('pk', table)}",
                pk_columns[0],
                table=table,
            )

    def _suggest(
        self, kind: str, table: str | None, columns: Sequence[str | None] = (), referred: str | None = None
    ) -> str:
        """`` (convention name: 'uq_tags_name')`` when the name can be derived, else ``""``."""
        known = [c for c in columns if c]
        if not kind or table is None or len(known) != len(columns) or (kind != "pk" and not known):
            return ""
        try:
            name = self.config.naming.name(kind, table, known, referred_table=referred)
        except (KeyError, ValueError, TypeError):
            return ""
        return f" (convention name: {name!r})"

    def _suggest_for_constraint(self, callee: str | None, element: ast.Call, table: str | None) -> str:
        if callee == "UniqueConstraint":
            return self._suggest("uq", table, [self._literal_str(a) for a in element.args])
        if callee == "PrimaryKeyConstraint":
            return self._suggest("pk", table, [self._literal_str(a) for a in element.args])
        if callee == "ForeignKeyConstraint" and element.args:
            referred = ""
            if len(element.args) > 1 and isinstance(element.args[1], (ast.List, ast.Tuple)) and element.args[1].elts:
                referred = self._literal_str(element.args[1].elts[0]) or ""
            return self._suggest("fk", table, self._columns(element.args[0]), referred.rpartition(".")[0] or None)
        return ""

    def _check_length(self, node: ast.expr | None, table: str | None, kind: str = "name") -> None:
        if node is None or self._is_conv(node):
            return  # op.f()/conv() names are truncated by SQLAlchemy exactly as the database does
        value = self.resolve(node)
        if isinstance(value, str) and len(value.encode("utf-8")) > MAX_IDENTIFIER_LENGTH:
            self.report(
                "AS504",
                f"{kind} {value!r} is {len(value.encode('utf-8'))} bytes; PostgreSQL keeps {MAX_IDENTIFIER_LENGTH}",
                node,
                table=table,
            )

    # -- keys and foreign keys for AS201 -------------------------------------------------------
    def _collect_keys(
        self, op: _Op, keys: dict[tuple[str | None, str], list[KeyColumns]], fks: list[_ForeignKey]
    ) -> None:
        table, schema = op.table, op.schema
        if table is None:
            return
        bucket = keys.setdefault((schema, table), [])
        if op.name == "create_index":
            columns = self._columns(op.args.get("columns"))
            if columns:
                bucket.append(KeyColumns(columns, "index", _as_str(self.resolve(op.args.get("index_name")))))
        elif op.name in ("create_unique_constraint", "create_primary_key"):
            columns = self._columns(op.args.get("columns"))
            kind = "unique" if op.name == "create_unique_constraint" else "primary_key"
            if columns:
                bucket.append(KeyColumns(columns, kind))  # type: ignore[arg-type]
        elif op.name == "create_foreign_key":
            columns = _all_str(self._columns(op.args.get("local_cols")))
            if columns:
                referred = _as_str(self.resolve(op.args.get("referent_table")))
                fks.append(_ForeignKey(schema, table, columns, referred, op.call.lineno, op.call.col_offset + 1))
        elif op.name in ("create_table", "add_column"):
            elements = (
                op.call.args[1:] if op.name == "create_table" else [op.args["column"]] if "column" in op.args else []
            )
            self._table_keys(elements, schema, table, bucket, fks)

    def _table_keys(
        self,
        elements: Sequence[ast.expr],
        schema: str | None,
        table: str,
        bucket: list[KeyColumns],
        fks: list[_ForeignKey],
    ) -> None:
        pk: list[str] = []
        for element in elements:
            if not isinstance(element, ast.Call):
                continue
            callee = _callee(element)
            if callee == "Column" and element.args:
                column = self._literal_str(element.args[0])
                if column is None:
                    continue
                if _is_true(element, "primary_key"):
                    pk.append(column)
                if _is_true(element, "index") or _is_true(element, "unique"):
                    bucket.append(KeyColumns((column,), "unique" if _is_true(element, "unique") else "index"))
                for inner in element.args[1:]:
                    if isinstance(inner, ast.Call) and _callee(inner) == "ForeignKey" and inner.args:
                        target = self._literal_str(inner.args[0]) or ""
                        fks.append(
                            _ForeignKey(
                                schema,
                                table,
                                (column,),
                                target.rpartition(".")[0] or None,
                                inner.lineno,
                                inner.col_offset + 1,
                            )
                        )
            elif callee in ("PrimaryKeyConstraint", "UniqueConstraint"):
                columns = tuple(self._literal_str(a) for a in element.args)
                if columns and all(columns):
                    kind = "primary_key" if callee == "PrimaryKeyConstraint" else "unique"
                    bucket.append(KeyColumns(columns, kind))  # type: ignore[arg-type]
            elif callee == "Index" and len(element.args) > 1:
                bucket.append(KeyColumns(tuple(self._literal_str(a) for a in element.args[1:]), "index"))
            elif callee == "ForeignKeyConstraint" and element.args:
                columns = _all_str(self._columns(element.args[0]))
                target = ""
                if (
                    len(element.args) > 1
                    and isinstance(element.args[1], (ast.List, ast.Tuple))
                    and element.args[1].elts
                ):
                    target = self._literal_str(element.args[1].elts[0]) or ""
                if columns:
                    fks.append(
                        _ForeignKey(
                            schema,
                            table,
                            columns,
                            target.rpartition(".")[0] or None,
                            element.lineno,
                            element.col_offset + 1,
                        )
                    )
        if pk:
            bucket.append(KeyColumns(tuple(pk), "primary_key"))

    def _columns(self, node: ast.expr | None) -> tuple[str | None, ...]:
        if not isinstance(node, (ast.List, ast.Tuple)):
            single = self._literal_str(node)
            return (single,) if single else ()
        return tuple(self._literal_str(e) for e in node.elts)


_SESSION_FACTORIES: Final = frozenset({"Session", "sessionmaker", "scoped_session"})
"""SQLAlchemy ORM session constructors: a revision that builds one changes data."""
_WORD: Final = re.compile(r"\w+")

_CONVENTION_KIND: Final = {
    "create_index": "ix",
    "create_unique_constraint": "uq",
    "create_foreign_key": "fk",
    "create_primary_key": "pk",
}

_ANNOTATIONS: Final = {
    "revision": "str",
    "down_revision": "str | Sequence[str] | None",
    "branch_labels": "str | Sequence[str] | None",
    "depends_on": "str | Sequence[str] | None",
}

# Parameter order of the operations (``op.<name>``); batch variants drop the table parameter.
_SIGNATURES: Final[dict[str, tuple[str, ...]]] = {
    "create_table": ("table_name",),
    "drop_table": ("table_name",),
    "rename_table": ("old_table_name", "new_table_name"),
    "add_column": ("table_name", "column"),
    "drop_column": ("table_name", "column_name"),
    "alter_column": ("table_name", "column_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_foreign_key": ("constraint_name", "source_table", "referent_table", "local_cols", "remote_cols"),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "create_exclude_constraint": ("constraint_name", "table_name"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "create_table_comment": ("table_name", "comment"),
    "drop_table_comment": ("table_name",),
    "execute": ("sqltext",),
    "bulk_insert": ("table", "rows"),
}
_TABLE_PARAMS: Final = frozenset({"table_name", "source_table"})
# Keyword names of older Alembic releases.
_ALIASES: Final = {
    "name": ("constraint_name", "index_name"),
    "source": ("source_table", "table_name"),
    "referent": ("referent_table",),
    "local_cols": ("columns", "local_cols"),
    "type": ("type_",),
    "tablename": ("table_name",),
    "table": ("table_name",),
}


def _bind(call: ast.Call, signature: tuple[str, ...], *, batch: bool) -> dict[str, ast.expr]:
    params = tuple(p for p in signature if not (batch and p in _TABLE_PARAMS))
    bound: dict[str, ast.expr] = {}
    for param, arg in zip(params, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            break
        bound[param] = arg
    for keyword in call.keywords:
        if keyword.arg is None:
            continue
        if keyword.arg in params or keyword.arg not in _ALIASES:
            bound.setdefault(keyword.arg, keyword.value)
            continue
        for alias in _ALIASES[keyword.arg]:
            if alias in params:
                bound.setdefault(alias, keyword.value)
                break
    return bound


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _is_true(call: ast.Call, name: str) -> bool:
    value = _kw(call, name)
    return isinstance(value, ast.Constant) and value.value is True


def _all_str(values: tuple[str | None, ...]) -> tuple[str, ...]:
    """``values`` when every one is known, else ``()`` (a key with a computed column is skipped)."""
    out = tuple(v for v in values if isinstance(v, str))
    return out if len(out) == len(values) else ()


def _as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _on(table: str | None) -> str:
    return f" on {table!r}" if table else ""


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _is_ellipsis(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis


def _raises_not_implemented(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.Raise) or stmt.exc is None:
        return False
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _node_classes(base: type[ast.AST]) -> set[type[ast.AST]]:
    out = {base}
    for sub in base.__subclasses__():
        out |= _node_classes(sub)
    return out


# Node classes the call walk enters: everything but nested scopes (function definitions, lambdas,
# classes) and leaves that cannot hold a call.  A set lookup on type() also rejects the None and
# str items some AST lists hold, and is much cheaper than isinstance() per node.
_ENTERED: Final = frozenset(
    _node_classes(ast.AST)
    - {ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Name, ast.Constant}
    - _node_classes(ast.expr_context)
    - _node_classes(ast.operator)
    - _node_classes(ast.cmpop)
    - _node_classes(ast.unaryop)
    - _node_classes(ast.boolop)
)


def _calls_in_order(node: ast.AST) -> Iterator[ast.Call]:
    """Calls inside ``node`` in source order, outer calls before the calls in their arguments;
    nested function definitions and lambdas are skipped (``node`` itself is always entered).

    One iterative walk with an explicit stack: this runs for every statement of every upgrade and
    downgrade, and recursive generators (one per AST node) were the checker's largest cost.
    """
    calls: list[ast.Call] = []
    stack: list[ast.AST] = [node]
    pop, push, entered = stack.pop, stack.append, _ENTERED
    while stack:
        current = pop()
        if type(current) is ast.Call:
            calls.append(current)
        for name in current._fields:
            child: Any = getattr(current, name, None)
            if type(child) is list:
                for item in child:
                    if type(item) in entered:
                        push(item)
            elif type(child) in entered:
                push(child)
    calls.sort(key=_source_order)
    return iter(calls)


def _source_order(call: ast.Call) -> tuple[int, int, int, int]:
    return (call.lineno, call.col_offset, -(call.end_lineno or 0), -(call.end_col_offset or 0))


def _imports(tree: ast.Module, source: str) -> list[ast.Import | ast.ImportFrom]:
    """The import statements that may bind ``alembic`` / ``op`` names.

    Revision files import at module level (possibly under a top-level ``if``/``try``), so those
    statements are found without walking every node of the file.  Only when the text mentions
    ``alembic`` more often than those imports do (an import inside a function, say) is the whole
    tree walked, as it always was: the answer is the same either way, only its cost differs.
    """
    # Breadth first, children in field order: the order ast.walk() gives, so that a name bound
    # twice resolves exactly as before.
    found: list[ast.Import | ast.ImportFrom] = []
    todo: deque[ast.AST] = deque(tree.body)
    while todo:
        node = todo.popleft()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, (ast.If, ast.ExceptHandler)):
            todo.extend(node.body)
            todo.extend(getattr(node, "orelse", ()))
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            for part in ("body", "handlers", "orelse", "finalbody"):
                todo.extend(getattr(node, part))
    mentioned = 0
    for stmt in found:
        if isinstance(stmt, ast.ImportFrom):
            mentioned += (stmt.module or "").count("alembic")
        for alias in stmt.names:
            mentioned += alias.name.count("alembic") + (alias.asname or "").count("alembic")
    if source.count("alembic") == mentioned:
        return found
    return [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


# ---------------------------------------------------------------------------------------------
# AS201 over the history
# ---------------------------------------------------------------------------------------------


def _check_fk_coverage(revisions: Sequence[_Revision], config: Config) -> None:
    """A foreign key needs an index created in its own revision, in one of its ancestors, or in a
    later revision descending from it (a history that fixed the gap is not asked to edit the past).

    Ancestry is computed once for the whole history (a bitset of ancestors per revision, built in
    topological order) and the keys are indexed by table, so each foreign key looks only at the
    revisions that created a key on its table: linear in the history instead of quadratic.
    """
    if not config.is_enabled("AS201"):
        return
    by_id = {r.info.revision: r for r in revisions if r.info.revision}
    graph = _Ancestry(by_id)
    keys_by_table: dict[tuple[str | None, str], list[tuple[int, list[KeyColumns]]]] = {}
    raw_sql_bits = 0
    bit_of: dict[int, int] = {}
    masks: list[int | None] = []
    for bit, node in enumerate(by_id.values()):
        bit_of[id(node)] = bit
        masks.append(graph.of(node))
        for table, keys in node.keys.items():
            keys_by_table.setdefault(table, []).append((bit, keys))
        if node.raw_sql:
            raw_sql_bits |= 1 << bit
    for revision in revisions:
        if not revision.foreign_keys:
            continue
        ancestors = graph.of(revision)
        for fk in revision.foreign_keys:
            table = (fk.schema, fk.table)
            if is_covered(fk.columns, revision.keys.get(table, ())):
                continue
            if ancestors is None:  # a cycle in the graph: walk it as written
                history = [revision, *_ancestors(revision, by_id)]
                keys = [k for r in history for k in r.keys.get(table, ())]
            else:
                keys = [k for bit, found in keys_by_table.get(table, ()) if ancestors >> bit & 1 for k in found]
            if is_covered(fk.columns, keys):
                continue
            own = bit_of.get(id(revision))
            if own is not None:
                # A later revision on the way to a head that adds the index fixed it (FitTrackee's
                # "add missing indexes" revisions): asking to edit the old revision helps nobody.
                later = [
                    k
                    for bit, found in keys_by_table.get(table, ())
                    if (mask := masks[bit]) is not None and mask >> own & 1
                    for k in found
                ]
                if is_covered(fk.columns, later):
                    continue
            location = Location(
                path=revision.path,
                line=fk.line,
                col=fk.col,
                schema=fk.schema,
                table=fk.table,
                column=fk.columns[0] if len(fk.columns) == 1 else None,
                revision=revision.info.revision,
            )
            hidden = None
            if revision.raw_sql or ancestors is None or ancestors & raw_sql_bits:
                # Rare: some revision in the history runs raw SQL.  Which one is named depends on
                # the order of the walk, so walk exactly as the message has always been built.
                hidden = _raw_sql_that_may_index([revision, *_ancestors(revision, by_id)], fk.table)
            if hidden is not None:
                if config.is_enabled("AS704"):
                    revision.findings.append(
                        config.finding(
                            "AS704",
                            f"cannot decide whether foreign key {fk.table}({', '.join(fk.columns)}) is indexed: "
                            f"raw SQL in revision {hidden} may create the index; review it by hand",
                            location,
                        )
                    )
                continue
            columns = ", ".join(fk.columns)
            target = f" -> {fk.referred}" if fk.referred else ""
            name = config.naming.index(fk.table, fk.columns)
            revision.findings.append(
                config.finding(
                    "AS201",
                    f"foreign key {fk.table}({columns}){target} has no index on ({columns}) created in this "
                    f"revision or before it; add op.create_index({name!r}, {fk.table!r}, {list(fk.columns)!r})",
                    location,
                )
            )


class _Ancestry:
    """The ancestors of every revision as a bitset over ``by_id`` (bit i = the i-th revision).

    A revision's ancestors are what ``down_revision`` and ``depends_on`` reach, through ids
    present in ``by_id`` (unknown ids are skipped, as Alembic's own walk would fail on them
    elsewhere).  Built once, iteratively (a linear history is as deep as it is long).  A cycle,
    which only a broken history has, makes :meth:`of` return None: the caller then walks the
    graph revision by revision as before.
    """

    def __init__(self, by_id: dict[str, _Revision]) -> None:
        self.bit = {rev_id: 1 << i for i, rev_id in enumerate(by_id)}
        self.masks: dict[str, int] | None = self._build(by_id)

    def _parents(self, revision: _Revision) -> list[str]:
        return [p for p in (*revision.info.down_revisions, *revision.info.depends_on) if p in self.bit]

    def _build(self, by_id: dict[str, _Revision]) -> dict[str, int] | None:
        parents_of = {rev_id: self._parents(revision) for rev_id, revision in by_id.items()}
        bit = self.bit
        masks: dict[str, int] = {}
        entered: set[str] = set()
        for root in by_id:
            if root in masks:
                continue
            entered.add(root)
            stack: list[tuple[str, list[str]]] = [(root, list(parents_of[root]))]
            while stack:
                rev_id, todo = stack[-1]
                if todo:
                    parent = todo.pop()
                    if parent in masks:
                        continue
                    if parent in entered:
                        return None  # a cycle
                    entered.add(parent)
                    stack.append((parent, list(parents_of[parent])))
                    continue
                stack.pop()
                mask = 0
                for parent in parents_of[rev_id]:
                    mask |= bit[parent] | masks[parent]
                masks[rev_id] = mask
        return masks

    def of(self, revision: _Revision) -> int | None:
        """The bitset of ``revision``'s ancestors (None when the graph has a cycle)."""
        if self.masks is None:
            return None
        mask = 0
        for parent in self._parents(revision):
            mask |= self.bit[parent] | self.masks[parent]
        return mask


# Operations that extensions register on `op` with the signature and effect of Alembic's own:
# GeoAlchemy2's alembic_helpers (FitTrackee) create and drop spatial tables, columns and indexes.
_OP_ALIASES: Final = {
    "create_geospatial_table": "create_table",
    "drop_geospatial_table": "drop_table",
    "add_geospatial_column": "add_column",
    "drop_geospatial_column": "drop_column",
    "create_geospatial_index": "create_index",
    "drop_geospatial_index": "drop_index",
}
# SQLAlchemy statement constructors (`table.select()`, `sa.update(table)`...) and what they run.
_EXPRESSION_STATEMENTS: Final = {"select": "SELECT", "update": "UPDATE", "insert": "INSERT", "delete": "DELETE"}
_READ_ONLY = re.compile(r"^\s*SELECT\b", re.IGNORECASE)
_WRITES = re.compile(r"\b(INTO|setval|nextval|pg_advisory\w*|FOR\s+UPDATE|FOR\s+SHARE)\b", re.IGNORECASE)


def _reads_only(sql: str | None) -> bool:
    """True for a literal ``SELECT`` with no side effect (no ``INTO``, ``setval``/``nextval``, locks)."""
    if sql is None or ";" in sql.strip().rstrip(";"):
        return False
    return bool(_READ_ONLY.match(sql)) and not _WRITES.search(sql)


def _raw_sql_that_may_index(history: Sequence[_Revision], table: str) -> str | None:
    """The first revision whose raw SQL might create an index on ``table`` (or is not readable)."""
    for revision in history:
        for sql in revision.raw_sql:
            if sql is None or ("index" in sql.lower() and table.lower() in sql.lower()):
                return revision.info.revision or str(revision.path)
    return None


def _ancestors(revision: _Revision, by_id: dict[str, _Revision]) -> list[_Revision]:
    seen: set[str] = set()
    out: list[_Revision] = []
    todo = [*revision.info.down_revisions, *revision.info.depends_on]
    while todo:
        rev_id = todo.pop()
        if rev_id in seen:
            continue
        seen.add(rev_id)
        parent = by_id.get(rev_id)
        if parent is None:
            continue
        out.append(parent)
        todo.extend([*parent.info.down_revisions, *parent.info.depends_on])
    return out


# ---------------------------------------------------------------------------------------------
# The per-file result cache
# ---------------------------------------------------------------------------------------------

CACHE_DIR_NAME: Final = ".alembic_standards_cache"
CACHE_DIR_ENV: Final = "ALEMBIC_STANDARDS_CACHE_DIR"
_CACHE_FORMAT: Final = 1
MAX_CACHE_BYTES: Final = 256 * 1024 * 1024
"""A cache file larger than this is ignored (about 100 times what 1,000 revisions need)."""
_RACY_NS: Final = 2_000_000_000
"""Files modified less than this long before the run are not cached (see :meth:`_ResultCache.put`)."""
_CODE: Final = (
    "migrations.py",
    "reversal.py",
    "layout.py",
    "naming.py",
    "coverage.py",
    "config.py",
    "findings.py",
    "rules.py",
)
"""The modules whose code decides a file's per-file results."""
_CACHEDIR_TAG: Final = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by alembic-standards.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


class _Uncacheable(Exception):
    """A result that the cache format cannot represent exactly: it is simply not cached."""


class _ResultCache:
    """Per-file results of earlier runs, so that an unchanged revision file is not parsed again.

    Why: parsing is the checker's floor (``ast.parse`` of 1,000 revisions costs about what a warm
    ``alembic history`` costs in total), and CI re-runs and pre-commit see mostly unchanged files,
    the way ``__pycache__`` serves ``alembic history`` and ``.ruff_cache`` serves ruff.

    * One JSON file per *fingerprint*: the package version, the Python implementation, the size
      and mtime of the checker's own modules (an editable install changes code without changing
      its version) and the configuration that per-file results depend on (enabled rules,
      severities, naming convention).  Another configuration uses another file.
    * In it, per file: the absolute path, the size and mtime_ns of the bytes read, and the
      extracted facts -- the file's own findings, its revision identifiers, the keys and foreign
      keys it creates, its raw SQL, its irreversible marker.  The history-wide check (AS201 across
      revisions) is recomputed from these on every run; it is never cached.
    * JSON, never pickle or byte code: reading a cache file can build only strings, numbers and
      lists, and every value is type-checked while it is turned back into findings.  A cache that
      cannot be read, does not parse or holds anything unexpected is ignored (and rewritten);
      one that cannot be written is only a missed speed-up.  Neither is ever an error.
    * A file whose mtime is within two seconds of the run is not stored: an edit in the same
      timestamp tick (coarse file systems) would otherwise keep its size and mtime and go unseen.
    """

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.file = directory / f"migrations-{fingerprint[:16]}.json"
        self.started_ns = time.time_ns()
        self.entries: dict[str, Any] = self._load()
        self.seen: set[str] = set()
        self.dirty = False

    @classmethod
    def open(cls, config: Config, cache: bool | str | os.PathLike[str]) -> _ResultCache | None:
        if cache is False:
            return None
        if cache is True:
            override = os.environ.get(CACHE_DIR_ENV)
            base = config.path.parent if config.path is not None else config.root
            directory = Path(override) if override else Path(base) / CACHE_DIR_NAME
        else:
            directory = Path(cache)
        return cls(Path(os.path.abspath(directory)), _fingerprint(config))

    def _load(self) -> dict[str, Any]:
        # Only a regular file, not through a link, and not past a size bound: a cache path made a
        # link to /dev/zero or a FIFO must not read forever or block (it is ignored, then replaced).
        try:
            _, data = read_regular_file(self.file, MAX_CACHE_BYTES, follow=False)
            if len(data) > MAX_CACHE_BYTES:
                return {}
            document = json.loads(data)
        except (OSError, ValueError, RecursionError):
            return {}
        if (
            not isinstance(document, dict)
            or document.get("format") != _CACHE_FORMAT
            or document.get("fingerprint") != self.fingerprint
            or not isinstance(document.get("files"), dict)
        ):
            return {}
        files: dict[str, Any] = document["files"]
        return files

    def get(self, path: Path) -> _FileResult | None:
        """The cached result for ``path`` if the file is unchanged, else None."""
        name = os.fspath(path)
        key = os.path.abspath(name)
        self.seen.add(key)
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            status = os.stat(name)
        except OSError:
            return None
        try:
            if not isinstance(entry, dict) or (entry.get("size"), entry.get("mtime_ns")) != (
                status.st_size,
                status.st_mtime_ns,
            ):
                return None
            return _decode_result(path, entry["result"], (status.st_size, status.st_mtime_ns))
        except (KeyError, IndexError, TypeError, ValueError, RecursionError):
            del self.entries[key]  # corrupt: forget it, the file is read again
            self.dirty = True
            return None

    def put(self, path: Path, result: _FileResult) -> None:
        key = os.path.abspath(path)
        self.seen.add(key)
        try:
            if result.stat is None or self.started_ns - result.stat[1] < _RACY_NS:
                raise _Uncacheable
            entry = {"size": result.stat[0], "mtime_ns": result.stat[1], "result": _encode_result(path, result)}
        except _Uncacheable:
            if self.entries.pop(key, None) is not None:
                self.dirty = True
            return
        self.entries[key] = entry
        self.dirty = True

    def save(self) -> None:
        """Write the cache back if anything changed (atomically: a reader never sees half a file)."""
        if not self.dirty:
            return
        files = {k: v for k, v in self.entries.items() if k in self.seen or os.path.exists(k)}
        document = {"format": _CACHE_FORMAT, "fingerprint": self.fingerprint, "files": files}
        temporary: str | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for name, text in (
                (".gitignore", "# Automatically created by alembic-standards.\n*\n"),
                ("CACHEDIR.TAG", _CACHEDIR_TAG),
            ):
                marker = self.directory / name
                if not marker.exists():
                    marker.write_text(text, encoding="utf-8")
            handle, temporary = tempfile.mkstemp(prefix=".migrations-", suffix=".tmp", dir=self.directory)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out, separators=(",", ":"))
            os.replace(temporary, self.file)
            temporary = None
        except OSError:
            pass  # read-only checkout, full disk...: the next run parses again, nothing else changes
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


def _fingerprint(config: Config) -> str:
    """What, besides a file's bytes, decides its per-file results."""
    from . import __version__

    here = Path(__file__).parent
    code: list[object] = []
    for name in _CODE:
        try:
            status = (here / name).stat()
            code.append([name, status.st_size, status.st_mtime_ns])
        except OSError:
            code.append([name, None, None])
    parts = {
        "format": _CACHE_FORMAT,
        "version": __version__,
        "python": [sys.implementation.cache_tag, list(sys.version_info[:3])],
        "code": code,
        # The configuration that per-file checks read: Config.finding (severities), is_enabled,
        # and the naming convention (suggested names).  Anything else is history-wide or paths.
        "enabled": sorted(config.enabled),
        "severities": sorted((rule, severity.value) for rule, severity in config.severities.items()),
        "naming": [sorted(config.naming.templates.items()), config.naming.limit],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


# -- JSON encoding of a _FileResult -------------------------------------------------------------
# Findings and locations are stored without their path: it is the file's own path, re-attached
# when the entry is read (an entry found under another path is never used).


def _encode_result(path: Path, result: _FileResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "errors": [_encode_finding(path, f) for f in result.input_errors],
        "irreversible": [_encode_entry(path, e) for e in result.irreversible],
        "revision": None,
    }
    revision = result.revision
    if revision is not None:
        info = revision.info
        if revision.path != path or info.path != path:
            raise _Uncacheable
        out["revision"] = {
            "info": [info.revision, info.down_revisions, info.depends_on, info.branch_labels, info.line],
            "findings": [_encode_finding(path, f) for f in revision.findings],
            "keys": [
                [schema, table, [[k.columns, k.kind, k.name, k.predicate] for k in keys]]
                for (schema, table), keys in revision.keys.items()
            ],
            "foreign_keys": [
                [fk.schema, fk.table, fk.columns, fk.referred, fk.line, fk.col] for fk in revision.foreign_keys
            ],
            "raw_sql": revision.raw_sql,
        }
    return out


def _encode_finding(path: Path, finding: Finding) -> list[Any]:
    loc = finding.location
    if loc.path != path:
        raise _Uncacheable
    return [
        finding.rule_id,
        finding.severity.value,
        finding.message,
        loc.line,
        loc.col,
        loc.schema,
        loc.table,
        loc.column,
        loc.constraint,
        loc.revision,
    ]


def _encode_entry(path: Path, entry: ExceptionEntry) -> list[Any]:
    if entry.expires is not None or entry.source != Location(path=path, line=entry.source.line):
        raise _Uncacheable
    return [
        entry.rule,
        entry.reason,
        entry.table,
        entry.column,
        entry.constraint,
        entry.revision,
        entry.schema,
        entry.ticket,
        entry.source.line,
    ]


def _decode_result(path: Path, data: Any, stat: tuple[int, int]) -> _FileResult:
    """The inverse of :func:`_encode_result`; TypeError/ValueError/KeyError on anything unexpected."""
    if not isinstance(data, dict):
        raise TypeError("result")
    result = _FileResult(
        input_errors=[_decode_finding(path, f) for f in _list(data["errors"])],
        irreversible=[_decode_entry(path, e) for e in _list(data["irreversible"])],
        stat=stat,
    )
    revision = data["revision"]
    if revision is None:
        return result
    if not isinstance(revision, dict):
        raise TypeError("revision")
    rev_id, down, depends, labels, line = _list(revision["info"], 5)
    keys: dict[tuple[str | None, str], list[KeyColumns]] = {}
    for item in _list(revision["keys"]):
        schema, table, found = _list(item, 3)
        keys[(_opt_str(schema), _str(table))] = [_decode_key(k) for k in _list(found)]
    foreign_keys = []
    for item in _list(revision["foreign_keys"]):
        schema, table, columns, referred, fk_line, fk_col = _list(item, 6)
        foreign_keys.append(
            _ForeignKey(_opt_str(schema), _str(table), _strs(columns), _opt_str(referred), _int(fk_line), _int(fk_col))
        )
    result.revision = _Revision(
        path=path,
        info=RevisionInfo(
            revision=_opt_str(rev_id),
            down_revisions=_strs(down),
            depends_on=_strs(depends),
            branch_labels=_strs(labels),
            path=path,
            line=_opt_int(line),
        ),
        findings=[_decode_finding(path, f) for f in _list(revision["findings"])],
        keys=keys,
        foreign_keys=foreign_keys,
        raw_sql=[_opt_str(sql) for sql in _list(revision["raw_sql"])],
    )
    return result


def _decode_finding(path: Path, data: Any) -> Finding:
    rule_id, severity, message, line, col, schema, table, column, constraint, revision = _list(data, 10)
    if rule_id not in RULES:
        raise ValueError(f"unknown rule {rule_id!r}")
    location = Location(
        path=path,
        line=_opt_int(line),
        col=_opt_int(col),
        schema=_opt_str(schema),
        table=_opt_str(table),
        column=_opt_str(column),
        constraint=_opt_str(constraint),
        revision=_opt_str(revision),
    )
    return Finding(_str(rule_id), Severity(_str(severity)), _str(message), location)


def _decode_entry(path: Path, data: Any) -> ExceptionEntry:
    rule, reason, table, column, constraint, revision, schema, ticket, line = _list(data, 9)
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    return ExceptionEntry(
        rule=_str(rule),
        reason=_str(reason),
        table=_opt_str(table),
        column=_opt_str(column),
        constraint=_opt_str(constraint),
        revision=_opt_str(revision),
        schema=_opt_str(schema),
        ticket=_opt_str(ticket),
        source=Location(path=path, line=_opt_int(line)),
    )


def _decode_key(data: Any) -> KeyColumns:
    columns, kind, name, predicate = _list(data, 4)
    if kind not in ("index", "primary_key", "unique"):
        raise ValueError(f"unknown key kind {kind!r}")
    return KeyColumns(tuple(_opt_str(c) for c in _list(columns)), kind, _opt_str(name), _opt_str(predicate))


def _list(value: Any, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise TypeError("expected a list")
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("expected a string")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(_str(v) for v in _list(value))


def _int(value: Any) -> int:
    if type(value) is not int:  # not bool
        raise TypeError("expected an integer")
    return value


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)
