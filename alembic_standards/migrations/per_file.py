"""The rules decided by one revision file alone (AS501, AS504, AS701-AS705, AS800-AS804).

Why apart from extraction: these are the *judgements*; :class:`_RevisionChecks` extends the
extractor (:class:`~.extract._Reader`) with them, and :func:`_read_revision` reads, decodes, bounds
and parses a file, runs the checks and keeps only the extracted facts (:class:`~.facts._FileResult`),
which is what the cache stores.
"""

from __future__ import annotations

import ast
import codecs
import inspect
import io
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .. import messages
from ..config import ExceptionEntry
from ..fileio import NotRegularFile, read_regular_file
from ..findings import SUPPRESSION_MARKER, Finding, Location, RuleId
from ..layout import is_destructive, out_of_order, section_of, sql_is_data
from ..lazy_re import LazyPattern
from ..naming import MAX_IDENTIFIER_LENGTH
from ..reversal import OPS, UNDECIDABLE_OPS, Change, change_from_op_call, match
from ..safety import has_nothing_to_undo, operations_from_sql, rows_written
from .extract import (
    _DYNAMIC,
    _SESSION_FACTORIES,
    MAX_FILE_BYTES,
    _as_str,
    _callee,
    _fk_lists,
    _is_docstring,
    _is_ellipsis,
    _is_true,
    _kw,
    _longest_operator_chain,
    _on,
    _Op,
    _raises_not_implemented,
    _Reader,
)
from .facts import RevisionInfo, _ConstraintNames, _FileResult, _ForeignKey, _Revision
from .safety_steps import other_database_spans, steps_of

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from ..config import Config
    from ..coverage import KeyColumns
    from ..layout import Section
    from ..safety import Step


_IDENTIFIERS: Final = ("revision", "down_revision", "branch_labels", "depends_on")
_HEADER_FIELDS: Final = ("Revision ID:", "Revises:", "Create Date:")
_CONSTRAINTS: Final = {
    "UniqueConstraint": "unique constraint",
    "ForeignKeyConstraint": "foreign key",
    "CheckConstraint": "check constraint",
    "PrimaryKeyConstraint": "primary key",
}


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


_LONGEST_CALLEE: Final = 40
"""Longest receiver text an AS704 message quotes (``op.get_bind().execute``); longer is elided."""


def _step(item: _Undecided) -> str:
    """How an AS704 message names an undecidable step: as the revision calls it.

    ``Change.describe()`` names the operation (``op.execute(...)``), but raw SQL reaches the
    reversal rules as one ``execute`` whatever runs it, and a project's own ``create_index()``
    under Alembic's name: the message should read the revision's own call back
    (``connection.execute(...)``, ``create_index(...)``).
    """
    change, call = item.change, item.node
    if change.effect is not None or type(call) is not ast.Call:
        return change.describe()
    func = call.func
    if type(func) is ast.Name and (change.op in OPS or change.op in UNDECIDABLE_OPS):
        return f"{func.id}(...)"  # the project's own function of an operation's name
    if type(func) is not ast.Attribute or change.op != "execute":
        return change.describe()
    receiver = ast.unparse(func.value)
    if len(receiver) > _LONGEST_CALLEE:
        receiver = "..."
    return f"{receiver}.{func.attr}(...)"


def _undecided_message(items: Sequence[_Undecided]) -> str:
    """One AS704 message for all of a revision's undecidable steps."""
    first = items[0]
    if len(items) == 1:
        if first.reason:
            return f"cannot decide whether {first.down_name} undoes {_step(first)} ({first.reason}); review it by hand"
        return (
            f"cannot decide whether {first.down_name} undoes {_step(first)}: {_UNSURE} "
            f"(expected {first.expected}); review it by hand"
        )
    groups: dict[tuple[str, str], list[int]] = {}
    for item in items:
        groups.setdefault((_step(item), item.reason or _UNSURE), []).append(getattr(item.node, "lineno", 0))
    shown = []
    for (what, why), lines in list(groups.items())[:3]:
        at = ", ".join(str(line) for line in lines[:5]) + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
        shown.append(f"{what} at line{'s' if len(lines) > 1 else ''} {at} ({why})")
    more = f"; and {len(groups) - 3} other kinds of step" if len(groups) > 3 else ""
    return (
        f"cannot decide whether {first.down_name} undoes {len(items)} steps of the upgrade: {'; '.join(shown)}{more}; "
        "review them by hand"
    )


def _first_misplaced(ops: list[_Op], downgrade: bool) -> tuple[_Op, Section] | None:
    """The first operation of ``ops`` out of the template's section order, with its section.

    A unique index may stand in either section: with the tables (where the plugin puts it, as a
    foreign key created in the same migration may need it) or with the other indexes (a table,
    its index, then its unique index: Warehouse).  Only an order that neither reading accepts is
    out of order.
    """
    pairs = [(o.name, section_of(o.name, unique=_is_true(o.call, "unique"))) for o in ops]
    bad = out_of_order(pairs, downgrade=downgrade)
    flexible = bool(bad) and any(section is not section_of(name) for name, section in pairs)
    if flexible and not out_of_order([(name, section_of(name)) for name, _ in pairs], downgrade=downgrade):
        return None  # in order with the unique indexes read as indexes
    return (ops[bad[0]], pairs[bad[0]][1]) if bad else None


def _early_exit_spans(body: list[ast.stmt]) -> list[tuple[int, int]]:
    """The line spans of the ``if``/``else`` bodies in ``body`` (at any depth, not in nested functions)
    that end in ``return`` or ``raise``: what follows them does not run after them."""
    spans: list[tuple[int, int]] = []
    todo = list(body)
    while todo:
        stmt = todo.pop()
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(stmt, ast.If):
            for branch in (stmt.body, stmt.orelse):
                if branch and isinstance(branch[-1], (ast.Return, ast.Raise)):
                    spans.append((branch[0].lineno, branch[-1].end_lineno or branch[-1].lineno))
        for field in ("body", "orelse", "finalbody", "handlers"):
            todo.extend(getattr(stmt, field, ()))
    return spans


def _is_none(node: ast.expr) -> bool:
    """The literal ``None`` (``sa.Index(None, ...)``), not a name computed at run time."""
    return isinstance(node, ast.Constant) and node.value is None


def _column_text(column: str | None) -> str:
    """A column as an AS501 message names it: ``column 'x'``, or what is known of a name that is not
    a literal (``sa.Column(name, ...)`` in a helper), rather than ``column None``."""
    return f"column {column!r}" if column is not None else "a column whose name is computed at run time"


def _within(op: _Op, spans: list[tuple[int, int]]) -> bool:
    line = op.call.lineno
    return any(start <= line <= end for start, end in spans)


def _read_revision(path: Path, config: Config) -> _FileResult:
    result = _FileResult()

    def input_error(message: str, line: int | None = None) -> _FileResult:
        result.input_errors.append(config.finding(RuleId.AS800, message, Location(path=path, line=line)))
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
        source = _decode(data)
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
        reader = _RevisionChecks(path, source, tree, config)
        if reader.is_revision():
            result.revision = reader.run(result.irreversible)
    except RecursionError:
        result.revision = None
        result.irreversible = []
        return input_error("nested too deeply to check (file not checked)")
    # The tree and the reader go out of scope here: only the extracted facts are kept.
    return result


def _decode(data: bytes) -> str:
    """The text of a revision file, honouring a PEP 263 coding cookie (``# -*- coding: latin-1 -*-``
    in old revisions) and a BOM, as Python reads it.

    A file with neither (no ``coding`` anywhere in it, no BOM) is UTF-8: decoded directly, without
    ``tokenize.detect_encoding``'s line reading (about 3 % of a cold check, issue 15).  Anything
    else, or a failed decode, takes ``detect_encoding``'s path, whose errors are the ones reported.
    """
    if b"coding" not in data and not data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


MAX_OPERATOR_CHAIN: Final = 1_000
"""Most operators (``+``, ``.``, ``and``...) one bracket level of one statement may chain."""


class _RevisionChecks(_Reader):
    """The extractor plus the per-file rules: :meth:`run` checks one revision and returns its facts."""

    def __init__(self, path: Path, source: str, tree: ast.Module, config: Config) -> None:
        super().__init__(path, source, tree, config)
        self.raw_changes: dict[int, list[Change]] = {}
        """:meth:`_raw_changes` by ``id(op.call)``."""

    # -- the whole file ----------------------------------------------------------------------
    def run(self, irreversible: list[ExceptionEntry]) -> _Revision:
        """Check the revision; its ``irreversible`` marker, if any, is appended to ``irreversible``."""
        info = RevisionInfo(
            revision=self.revision_id,
            down_revisions=self._literal_strs(self._value("down_revision")),
            depends_on=self._literal_strs(self._value("depends_on")),
            branch_labels=self._literal_strs(self._value("branch_labels")),
            path=self.path,
            line=getattr(self.assignments.get("revision"), "lineno", None),
            suppressions=SUPPRESSION_MARKER in self.source,
        )
        self._check_header()
        self._check_identifiers()
        reason = self._irreversible(irreversible)
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
            if name.startswith("upgrade_") and self._is_per_database(function)
        ]
        elsewhere = other_database_spans(self)
        downgrade_findings: list[Finding] = []
        undecided: list[_Undecided] = []
        all_up: list[_Op] = []
        all_down: list[_Op] = []
        safety: list[Step] = []
        for up_fn, down_fn, suffix in pairs:
            up_ops = self.collect(up_fn) if up_fn is not None else []
            down_ops = self.collect(down_fn) if down_fn is not None else []
            # `SET lock_timeout` and `VALIDATE CONSTRAINT` (the safe forms' raw SQL) change nothing a
            # downgrade must undo: they are not steps for the reversal rules.
            downgrade_findings += self._check_downgrade(
                up_fn, down_fn, self._to_undo(up_ops), self._to_undo(down_ops), undecided, suffix
            )
            for function, ops in ((up_fn, up_ops), (down_fn, down_ops)):
                if function is not None:
                    self._check_sections(function, ops)
            all_up += up_ops
            all_down += down_ops
            # AS1001-AS1011: which tables exist is known from the history (history.py judges them).
            safety += steps_of(self, up_ops, elsewhere)
        if undecided and self.config.is_enabled(RuleId.AS704):
            # Once per revision: a revision of 17 raw-SQL statements is one thing to review by hand.
            undecided.sort(key=lambda item: (getattr(item.node, "lineno", 0), getattr(item.node, "col_offset", 0)))
            location = self.loc(undecided[0].node)
            downgrade_findings.append(self.config.finding(RuleId.AS704, _undecided_message(undecided), location))
        if reason is not None:
            if downgrade_findings:
                node = self.assignments["irreversible"]
                summary = "; ".join(f"{f.rule_id} {f.message}" for f in downgrade_findings[:3])
                self.report(
                    RuleId.AS702,
                    f"revision is marked irreversible ({reason!r}); its downgrade does not reverse the upgrade: "
                    f"{summary}",
                    node,
                )
        else:
            self.findings.extend(downgrade_findings)
        keys: dict[tuple[str | None, str], list[KeyColumns]] = {}
        foreign_keys: list[_ForeignKey] = []
        named: set[int] = set()  # a helper called by both functions is one place in the file
        names = _ConstraintNames()
        # What runs only on another database builds no PostgreSQL key and names nothing there.
        on_postgresql = [o for o in all_up if not _within(o, elsewhere)] if elsewhere else all_up
        for op in on_postgresql:
            self._collect_keys(op, keys, foreign_keys)
            self._collect_names(op, names)
        for op in (*all_up, *all_down):
            if id(op.call) not in named:  # the call, not the _Op: see _Ops
                named.add(id(op.call))
                self._check_names(op)
        raw_sql = [self._sql_text(op) for op in on_postgresql if op.name == "execute"]
        return _Revision(self.path, info, self.findings, keys, foreign_keys, raw_sql, names, safety)

    def _is_per_database(self, function: ast.FunctionDef) -> bool:
        """Whether ``upgrade_<name>()`` is one database's upgrade of the multidb template, not a helper.

        The template's ``upgrade_<db>()`` takes no parameter and is reached only through
        ``globals()["upgrade_%s" % engine_name]``.  A function the file calls or passes by name
        (``upgrade_slice(slc)`` in a loop of ``upgrade()``: Superset) is a helper, already followed
        from ``upgrade()``; taking it for a database of its own reported AS701 for a
        ``downgrade_slice()`` nobody needs.
        """
        arguments = function.args
        if arguments.args or arguments.posonlyargs or arguments.kwonlyargs or arguments.vararg or arguments.kwarg:
            return False
        name = function.name
        # Only files with such a function get this walk (the multidb template and a few others).
        return not any(type(node) is ast.Name and node.id == name for node in ast.walk(self.tree))

    # -- AS801 / AS802 / AS803 / AS705 -------------------------------------------------------
    def _check_header(self) -> None:
        # ast.get_docstring(self.tree, clean=True), without its per-call compatibility isinstance
        # checks (a measurable share of the checker's time on thousands of files).
        doc: str | None = None
        head = self.tree.body[0] if self.tree.body else None
        if isinstance(head, ast.Expr) and isinstance(head.value, ast.Constant) and isinstance(head.value.value, str):
            doc = head.value.value
        if doc is None:
            self.report(RuleId.AS801, "revision has no module docstring (message, Revision ID, Revises, Create Date)")
            return
        if doc[:1].isspace() or not doc or "\t" in doc:
            doc = inspect.cleandoc(doc)
        # Otherwise (a docstring starting with its message, no tab: every generated revision)
        # cleandoc would remove only whitespace the stripping below removes anyway, and no leading
        # blank line: the lines are the same without it (issue 15: ~10 % of the header check).
        lines = [line.strip() for line in doc.splitlines()]
        # "Some line starts with the field" as one substring search: the lines hold no line break.
        text = "\n" + "\n".join(lines)
        missing = [f.rstrip(":") for f in _HEADER_FIELDS if "\n" + f not in text]
        first = lines[0] if lines else ""
        if not first or first.startswith(_HEADER_FIELDS) or first == "empty message":
            missing.insert(0, "message")
        if missing:
            node = self.tree.body[0]
            self.report(RuleId.AS801, f"module docstring lacks {', '.join(missing)}", node)

    def _check_identifiers(self) -> None:
        for name in _IDENTIFIERS:
            node = self.assignments.get(name)
            if isinstance(node, ast.Assign):
                self.report(
                    RuleId.AS802, f"`{name}` has no type annotation (e.g. `{name}: {_ANNOTATIONS[name]}`)", node
                )

    def _check_function_layout(self, function: ast.FunctionDef) -> None:
        if function.returns is None:
            self.report(
                RuleId.AS802, f"{function.name}() has no return annotation (`def {function.name}() -> None:`)", function
            )
        if not _is_docstring(function.body[0]):  # what ast.get_docstring(function) is None tests
            wanted = "Apply migration changes" if function.name == "upgrade" else "Rollback migration changes"
            self.report(RuleId.AS803, f'{function.name}() has no docstring ("""{wanted}""")', function)

    def _irreversible(self, irreversible: list[ExceptionEntry]) -> str | None:
        node = self.assignments.get("irreversible")
        if node is None:
            return None
        value = node.value.value if isinstance(node.value, ast.Constant) else _DYNAMIC
        if not isinstance(value, str) or not value.strip():
            self.report(
                RuleId.AS705,
                'irreversible marker has no reason: write `irreversible = "<why this revision cannot be rolled back>"`',
                node,
            )
            return None
        reason = value.strip()
        irreversible.append(
            ExceptionEntry(
                rule=RuleId.AS702,
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

        def add(rule_id: RuleId, message: str, node: ast.AST) -> None:
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
            add(RuleId.AS701, f"revision has no {down_name}{detail}", upgrade)
            return out
        if not up_ops:
            return out
        if not down_ops:
            add(
                RuleId.AS702,
                messages.downgrade_empty(down_name, self._empty_kind(downgrade), up_name, len(up_ops)),
                downgrade,
            )
            return out
        # The downgrade's raw SQL read as operations (DROP INDEX x...): evidence that an upgrade
        # change is undone, never proof that one is not (its own change stays undecidable).
        down_changes = [o.change for o in down_ops]
        down_changes += [c for o in down_ops if o.name == "execute" for c in self._raw_changes(o)]
        verdict = match([o.change for o in up_ops], down_changes)
        by_change = {id(o.change): o for o in up_ops}
        for missing in verdict.missing:
            op = by_change[id(missing.change)]
            add(
                RuleId.AS703,
                messages.downgrade_incomplete(down_name, missing.change.describe(), missing.expected),
                op.call,
            )
        for missing in verdict.unsure:
            op = by_change[id(missing.change)]
            undecided.append(_Undecided(down_name, missing.change, "", missing.expected, op.call))
        for change in verdict.undecidable:
            op = by_change[id(change)]
            if op.name == "execute" and (
                self._fills_what_the_downgrade_drops(op, up_ops, down_changes) or self._raw_undone(op, down_changes)
            ):
                continue
            undecided.append(_Undecided(down_name, change, change.reason, "", op.call))
        return out

    def _raw_changes(self, op: _Op) -> list[Change]:
        """The changes raw SQL makes, when every statement of it is read (:func:`operations_from_sql`);
        read once per call (the downgrade's evidence, the upgrade's undone SQL, the rows written)."""
        key = id(op.call)
        found = self.raw_changes.get(key)
        if found is None:
            found = self.raw_changes[key] = self._read_raw_changes(op)
        return found

    def _read_raw_changes(self, op: _Op) -> list[Change]:
        sql = self._sql_text(op)
        operations = operations_from_sql(sql) if sql is not None else None
        if not operations:
            return []
        line, col = op.call.lineno, op.call.col_offset + 1
        return [
            change_from_op_call(
                o.op,
                table=o.table,
                name=o.name,
                schema=o.schema,
                line=line,
                col=col,
                columns=o.columns or None,
                if_exists=o.if_exists,
            )
            for o in operations
        ]

    def _raw_undone(self, op: _Op, down_changes: list[Change]) -> bool:
        """Whether every operation of the upgrade's raw SQL is undone by the downgrade: a raw
        ``CREATE INDEX x`` by ``op.drop_index("x")`` or a raw ``DROP INDEX x`` (Warehouse)."""
        changes = self._raw_changes(op)
        if not changes:
            return False
        verdict = match(changes, down_changes)
        return not (verdict.missing or verdict.unsure or verdict.undecidable)

    def _fills_what_the_downgrade_drops(self, op: _Op, up_ops: list[_Op], down_changes: list[Change]) -> bool:
        """Whether raw SQL only ``UPDATE``s columns (or tables) the upgrade adds and the downgrade
        drops, or ``INSERT``s rows into such tables: dropping them takes the values with them, so
        there is nothing else to undo (a backfill of a new column: Mealie, CTFd, Redash; the seed
        rows of a new table)."""
        sql = self._sql_text(op)
        lowered = sql.lower() if sql is not None else ""
        updates = rows_written(sql) if sql is not None and ("update" in lowered or "insert" in lowered) else None
        if not updates:
            return False

        def objects(changes: list[Change], action: str) -> set[tuple[str | None, str, str | None]]:
            found: set[tuple[str | None, str, str | None]] = set()
            for change in changes:
                e = change.effect
                if change.action == action and e is not None and e.table is not None:
                    if e.kind == "table":
                        found.add((e.schema, e.table.lower(), None))
                    elif e.kind == "column" and e.name is not None:
                        found.add((e.schema, e.table.lower(), e.name.lower()))
            return found

        # What the upgrade creates, its raw CREATE TABLE included (seed rows for a table made in SQL).
        up_changes = [o.change for o in up_ops]
        up_changes += [c for o in up_ops if o.name == "execute" for c in self._raw_changes(o)]
        added, dropped = objects(up_changes, "create"), objects(down_changes, "drop")
        return all(
            any(
                (schema, table.lower(), name) in added and (schema, table.lower(), name) in dropped
                # An INSERT's rows (no columns) go only with their table.
                for name in ((column.lower(), None) if column is not None else (None,))
            )
            for schema, table, columns in updates
            for column in (columns or (None,))
        )

    def _to_undo(self, ops: list[_Op]) -> list[_Op]:
        return [o for o in ops if o.name != "execute" or not has_nothing_to_undo(self._sql_text(o))]

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
        # nor has data changed through an ORM session (where it happens is the author's call), nor
        # a call of a function the walk cannot see into (what it does is unknown).
        placed = self._after_data_steps(
            [
                o
                for o in ops
                if not o.opaque
                and o.name not in _SESSION_FACTORIES
                and (o.name != "execute" or sql_is_data(self._sql_text(o)))
            ],
            restoring=function.name.startswith("downgrade"),
        )
        downgrade = function.name.startswith("downgrade")
        misplaced = _first_misplaced(placed, downgrade)
        if misplaced is not None:
            spans = _early_exit_spans(function.body)
            if spans:
                # An `if` whose body ends in `return` (Open WebUI's offline-mode branch) is a path of
                # its own: what runs before it and the branch, or what runs without the branch.
                # Each path is judged alone; the first misplaced operation in source order is named.
                paths = [[o for o in placed if not _within(o, spans)]] + [
                    [o for o in placed if _within(o, [span]) or (not _within(o, spans) and o.call.lineno < span[0])]
                    for span in spans
                ]
                found = [m for m in (_first_misplaced(path, downgrade) for path in paths) if m is not None]
                misplaced = min(found, key=lambda m: (m[0].call.lineno, m[0].call.col_offset)) if found else None
        if misplaced is None:
            return
        op, section = misplaced
        # A downgrade drops data, indexes, tables (the upgrade's reverse) and creates again in the
        # upgrade's order: what a downgrade creates follows tables, indexes, data as well.
        order = (
            "data, indexes, tables; drops in that order, creations in reverse"
            if downgrade
            else "tables, indexes, data; creations in that order, drops in reverse"
        )
        unique = "unique=True" if section is not section_of(op.name) else ""  # a unique index, with the tables
        self.report(
            RuleId.AS804,
            f"{function.name}(): op.{op.name}({unique}) ({section.title.lower()}) is out of the template's section "
            f"order ({order})",
            op.call,
        )

    def _after_data_steps(self, ops: list[_Op], *, restoring: bool = False) -> list[_Op]:
        """``ops`` without the schema operations that follow a data step on their table.

        Such an operation depends on the data step: ``alter_column(nullable=False)`` after the
        ``UPDATE`` that backfills the column must stay after it.  Ordering advice never moves an
        operation across a data step it depends on; other operations are still judged.
        """
        if all(op.name != "execute" and op.name != "bulk_insert" for op in ops):
            return ops  # without a data step nothing depends on one: every operation is judged
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

    # -- AS501 / AS504 -----------------------------------------------------------------------
    def _check_names(self, op: _Op) -> None:
        if op.opaque:
            # A project's own create_index(table, name, ...) is not Alembic's: its arguments are not
            # bound by Alembic's signature.  The schema objects handed to it (Superset's create_table()
            # wrapper gets sa.Column/sa.ForeignKey...) are what they are, wherever they go.
            self._check_table_elements(op.name, op.call.args, None, opaque=True)
            return
        table = op.table
        if op.name in _CREATES_NAMED:
            key = "index_name" if op.name == "create_index" else "constraint_name"
            node = op.args.get(key)
            if self.resolve(node) is None and not self._named_at_run_time(_CONVENTION_KIND[op.name]):
                what = "index" if op.name == "create_index" else "constraint"
                kind = _CONVENTION_KIND.get(op.name, "")
                columns = self._columns(op.args.get("local_cols" if kind == "fk" else "columns"))
                referred = _as_str(self.resolve(op.args.get("referent_table")))
                suggestion = self._suggest(kind, table, columns, referred)
                self.report(
                    RuleId.AS501,
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
            self.report(
                RuleId.AS501, f"op.drop_constraint() without a name{_on(table)} cannot work", op.call, table=table
            )
        if op.name in ("create_table", "add_column"):
            elements = (
                op.call.args[1:] if op.name == "create_table" else [op.args["column"]] if "column" in op.args else []
            )
            self._check_table_elements(op.name, elements, table)
            if op.name == "create_table":
                self._check_length(op.args.get("table_name"), table, kind="table name")

    def _check_table_elements(
        self, op_name: str, elements: Sequence[ast.expr], table: str | None, *, opaque: bool = False
    ) -> None:
        # Any sa.PrimaryKeyConstraint is the key's declaration: unnamed, it is reported itself, and
        # its columns' primary_key=True flags are not a second finding (Airflow's _xcom_archive).
        pk_declared = False
        pk_columns: list[ast.Call] = []
        # `unique=True` on the column that is the whole primary key creates nothing: PostgreSQL
        # folds the UNIQUE into the key (Open WebUI's `Column("id", Text, primary_key=True,
        # unique=True)`, 10 tables), and naming it as AS501 asked gave the *key* the uq_ name.
        key: set[str | None] = set()
        for element in elements:
            if isinstance(element, ast.Call):
                callee = _callee(element)
                if callee == "PrimaryKeyConstraint":
                    key.update(self._literal_str(a) for a in element.args)
                elif callee == "Column" and element.args and _is_true(element, "primary_key"):
                    key.add(self._literal_str(element.args[0]))
        for element in elements:
            if not isinstance(element, ast.Call):
                continue
            callee = _callee(element)
            if callee in _CONSTRAINTS:
                pk_declared = pk_declared or callee == "PrimaryKeyConstraint"
                name = _kw(element, "name")
                if self.resolve(name) is None:
                    if not self._named_at_run_time(_KIND_OF_ELEMENT[callee]):
                        suggestion = self._suggest_for_constraint(callee, element, table)
                        self._unnamed_element(_CONSTRAINTS[callee], element, op_name, table, suggestion, opaque)
                else:
                    self._check_length(name, table)
            elif callee == "Index" and element.args:
                if _is_none(element.args[0]):
                    # As index=True on a column: named only by a convention when it runs (Indico).
                    if not self._named_at_run_time("ix"):
                        columns = [self._literal_str(a) for a in element.args[1:]]
                        suggestion = self._suggest("ix", table, columns)
                        self._unnamed_element("index", element, op_name, table, suggestion, opaque)
                else:
                    self._check_length(element.args[0], table)
            elif callee == "Column":
                column = self._literal_str(element.args[0]) if element.args else None
                for inner in element.args[1:]:
                    if (
                        isinstance(inner, ast.Call)
                        and _callee(inner) == "ForeignKey"
                        and self.resolve(_kw(inner, "name")) is None
                        and not self._named_at_run_time("fk")
                    ):
                        target = (self._literal_str(inner.args[0]) or "") if inner.args else ""
                        suggestion = self._suggest("fk", table, [column], target.rpartition(".")[0] or None)
                        self.report(
                            RuleId.AS501,
                            f"unnamed foreign key on {_column_text(column)}{_on(table)}{suggestion}",
                            inner,
                            table=table,
                            column=column,
                        )
                for flag, what, kind in (("unique", "unique constraint", "uq"), ("index", "index", "ix")):
                    if (
                        _is_true(element, flag)
                        and not (flag == "unique" and column is not None and key == {column})
                        and not self._named_at_run_time(kind)
                    ):
                        suggestion = self._suggest(kind, table, [column])
                        self.report(
                            RuleId.AS501,
                            f"{flag}=True on {_column_text(column)} creates an unnamed {what}{_on(table)}{suggestion}",
                            element,
                            table=table,
                            column=column,
                        )
                if _is_true(element, "primary_key"):
                    pk_columns.append(element)
        if pk_columns and not pk_declared and op_name == "create_table" and not self._named_at_run_time("pk"):
            self.report(
                RuleId.AS501,
                f"the primary key{_on(table)} has no name: declare sa.PrimaryKeyConstraint(..., name=...)"
                f"{self._suggest('pk', table)}",
                pk_columns[0],
                table=table,
            )

    def _unnamed_element(
        self, what: str, element: ast.Call, op_name: str, table: str | None, suggestion: str, opaque: bool
    ) -> None:
        """AS501 for a constraint or index handed to ``op.create_table()`` (or a project's wrapper) unnamed."""
        called = f"{op_name}()" if opaque else f"op.{op_name}()"
        self.report(RuleId.AS501, f"unnamed {what} in {called}{_on(table)}{suggestion}", element, table=table)

    def _named_at_run_time(self, kind: str) -> bool:
        """Whether the naming convention of the migrations' target metadata names an unnamed object
        of ``kind`` when the revision runs (Alembic hands it to every ``op.*`` call: Indico's
        env.py).  Known only when ``check`` loaded the models (:attr:`Config.migration_convention`)."""
        return kind in self.config.migration_convention

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
        if callee == "ForeignKeyConstraint":
            local = _fk_lists(element)[0]
            if local is not None:
                return self._suggest("fk", table, self._columns(local), self._referred_table(element))
        return ""

    def _check_length(self, node: ast.expr | None, table: str | None, kind: str = "name") -> None:
        if node is None or self._is_conv(node):
            return  # op.f()/conv() names are truncated by SQLAlchemy exactly as the database does
        value = self.resolve(node)
        if isinstance(value, str) and len(value.encode("utf-8")) > MAX_IDENTIFIER_LENGTH:
            self.report(
                RuleId.AS504,
                f"{kind} {value!r} is {len(value.encode('utf-8'))} bytes; PostgreSQL keeps {MAX_IDENTIFIER_LENGTH}",
                node,
                table=table,
            )

    # -- keys and foreign keys for AS201 -------------------------------------------------------


_WORD: Final = LazyPattern(r"\w+")
_CREATES_NAMED: Final = frozenset(
    {
        "create_index",
        "create_unique_constraint",
        "create_foreign_key",
        "create_check_constraint",
        "create_primary_key",
        "create_exclude_constraint",
    }
)
"""Operations creating one index or constraint, whose name is the first argument."""

_KIND_OF_ELEMENT: Final = {
    "UniqueConstraint": "uq",
    "ForeignKeyConstraint": "fk",
    "CheckConstraint": "ck",
    "PrimaryKeyConstraint": "pk",
}

_CONVENTION_KIND: Final = {
    "create_index": "ix",
    "create_unique_constraint": "uq",
    "create_foreign_key": "fk",
    "create_primary_key": "pk",
    "create_check_constraint": "ck",
}
"""The kind of object each operation of :data:`_CREATES_NAMED` creates, as naming conventions key it."""

_ANNOTATIONS: Final = {
    "revision": "str",
    "down_revision": "str | Sequence[str] | None",
    "branch_labels": "str | Sequence[str] | None",
    "depends_on": "str | Sequence[str] | None",
}
