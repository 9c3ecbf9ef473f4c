"""Inline suppressions: ``# alembic-standards: ignore[AS804] reason`` in revision and model files.

Why a comment and not only the exceptions register: some departures belong next to the code they
excuse (one odd revision in a long history, one legacy model), where a reviewer sees them.  The spec
still demands a justification, so an inline suppression is just another entry of the exceptions
register: without a reason it suppresses nothing and is reported (AS901); one that suppresses nothing
is reported (AS903); ``alembic-standards exceptions`` lists them.

Scope: the comment's own line (for a statement spanning several lines, the whole statement), or, on
a ``def``/``class`` line (or one of its decorators), the whole function or class body.

Comments are found with :mod:`tokenize` (a ``#`` inside a string is not a comment), and only in files
that contain the marker at all, so a large history costs one substring search per file.  Files are
read, never imported.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .config import ExceptionEntry
from .findings import SUPPRESSION_MARKER as MARKER
from .findings import Location, StandardsError
from .lazy_re import LazyPattern
from .rules import resolve_rule_ids

if TYPE_CHECKING:
    import re
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from sqlalchemy import MetaData

__all__ = ["MARKER", "InlineSuppression", "model_source_files", "register_entries", "scan_file", "scan_source"]

_PATTERN = LazyPattern(r"#\s*alembic-standards:\s*ignore\[(?P<rules>[^\]]*)\]\s*(?P<reason>.*?)\s*$")
# A revision or model file larger than this is not scanned for suppressions (the checker reports
# such files itself); it keeps a hostile file from costing more than reading it.
_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class InlineSuppression:
    """One ``ignore[...]`` comment: the rules it names, its reason and the lines it covers."""

    path: Path
    line: int
    col: int
    rule_ids: tuple[str, ...]
    reason: str
    first_line: int
    last_line: int

    def covers(self, line: int | None) -> bool:
        return line is not None and self.first_line <= line <= self.last_line


def register_entries(files: Iterable[Path], revisions: Mapping[Path, str | None] | None = None) -> list[ExceptionEntry]:
    """The exceptions-register entries of every suppression in ``files`` (one per rule named).

    ``revisions`` maps a revision file to its revision id, so that the register lists a
    suppression in a revision file under that revision.  A suppression naming no rule or an
    unknown one is a StandardsError (file and line), like an unknown key in the configuration:
    it would otherwise suppress nothing without a word.
    """
    entries: list[ExceptionEntry] = []
    for path in sorted(set(files)):
        for found in scan_file(path):
            if not found.rule_ids:
                raise StandardsError("`ignore[]` names no rule", path=path, line=found.line)
            for selector in found.rule_ids:
                try:
                    rule_ids = resolve_rule_ids([selector])
                except KeyError as exc:
                    raise StandardsError(f"suppression: {exc.args[0]}", path=path, line=found.line) from None
                for rule_id in sorted(rule_ids):
                    entries.append(
                        ExceptionEntry(
                            rule=rule_id,
                            reason=found.reason,
                            revision=(revisions or {}).get(path),
                            source=Location(path=path, line=found.line, col=found.col),
                            lines=(found.first_line, found.last_line),
                        )
                    )
    return entries


def model_source_files(metadatas: Iterable[MetaData]) -> set[Path]:
    """The files that define mapped classes of ``metadatas`` (where model suppressions live)."""
    import inspect
    from pathlib import Path

    from .model_loading import all_mappers, mapper_tables

    tables = {id(t) for md in metadatas for t in md.tables.values()}
    files: set[Path] = set()
    for mapper in all_mappers():
        if any(id(t) in tables for t in mapper_tables(mapper)):
            try:
                source = inspect.getsourcefile(mapper.class_)
            except (OSError, TypeError):
                continue
            if source:
                files.add(Path(source).resolve())
    return files


def scan_file(path: Path) -> list[InlineSuppression]:
    """The suppressions in ``path``; an unreadable or undecodable file has none (others report it)."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(_MAX_BYTES + 1)
    except OSError:
        return []
    if len(raw) > _MAX_BYTES or MARKER.encode() not in raw:
        return []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return []
    return scan_source(text, path)


def scan_source(text: str, path: Path) -> list[InlineSuppression]:
    comments: list[tuple[int, int, re.Match[str]]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                match = _PATTERN.match(token.string)
                if match:
                    comments.append((token.start[0], token.start[1] + 1, match))
    except (tokenize.TokenError, SyntaxError, RecursionError):
        return []
    if not comments:
        return []
    scopes = _Scopes.build(text)
    out = []
    for line, col, match in comments:
        rules = tuple(r.strip().upper() for r in match.group("rules").split(",") if r.strip())
        first, last = scopes.scope(line)
        out.append(InlineSuppression(path, line, col, rules, match.group("reason"), first, last))
    return out


@dataclass(frozen=True)
class _Scopes:
    """Line spans of definitions (by header line) and of simple statements (by any of their lines)."""

    definitions: dict[int, tuple[int, int]]
    statements: list[tuple[int, int]]

    @classmethod
    def build(cls, text: str) -> _Scopes:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return cls({}, [])
        definitions: dict[int, tuple[int, int]] = {}
        statements: list[tuple[int, int]] = []
        for node in _walk(tree.body):
            end = node.end_lineno or node.lineno
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                for header in range(first, node.lineno + 1):
                    definitions.setdefault(header, (first, end))
            elif not _is_compound(node):
                statements.append((node.lineno, end))
        return cls(definitions, statements)

    def scope(self, line: int) -> tuple[int, int]:
        if line in self.definitions:
            return self.definitions[line]
        # The innermost simple statement spanning the line (statements do not overlap, but a
        # multi-line call's comment may sit on its last line).
        best: tuple[int, int] | None = None
        for first, last in self.statements:
            if first <= line <= last and (best is None or last - first < best[1] - best[0]):
                best = (first, last)
        return best or (line, line)


def _is_compound(node: ast.stmt) -> bool:
    return isinstance(
        node,
        (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match)
        + ((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
    )


def _walk(body: Iterable[ast.stmt]) -> Iterable[ast.stmt]:
    """Every statement, iteratively (a deeply nested hostile file must not recurse us to death)."""
    stack = list(reversed(list(body)))
    while stack:
        node = stack.pop()
        yield node
        children: list[ast.stmt] = []
        for attr in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(node, attr, ()) or ():
                if isinstance(child, ast.stmt):
                    children.append(child)
                elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
                    children.extend(child.body)
        stack.extend(reversed(children))
