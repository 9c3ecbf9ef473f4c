"""The static checker's side of the safe-migration rules (AS1001-AS1011): operations read from a
revision's syntax tree become :class:`~alembic_standards.safety.Step` records, and
:func:`alembic_standards.safety.check` decides.

Why an adapter and not rules here: the revision hook judges Alembic's op objects with the same
decider, so what counts as blocking is written once (:mod:`alembic_standards.safety`).  This module
only reads -- from the operations :mod:`.extract` already found -- what the decider needs: names,
columns, ``postgresql_concurrently`` / ``postgresql_not_valid``, nullability, types and server
defaults as SQL-like text, the raw SQL of ``op.execute``, and whether a step runs inside
``op.get_context().autocommit_block()``.

Decisions:

* A table is *existing* when the revision does not create it: Alembic runs a revision after its
  ancestors, so any other table it alters was there before (created by an earlier revision, or by
  whatever the history started from).  Nothing is guessed from names or sizes.
* Operations inside ``with op.batch_alter_table(...)`` are skipped: batch mode is SQLite's way of
  altering a table (projects that use it target SQLite, where these PostgreSQL locks do not exist).
* Operations in a branch that runs only on another database (``if dialect_name == "mysql":``, the
  ``else`` of ``if bind.dialect.name == "postgresql":``) are skipped too: the rules are about
  PostgreSQL's locks, and Airflow's MySQL and SQLite branches drew AS1001 for a ``CREATE INDEX``
  PostgreSQL never runs.  A branch is recognised from its ``if`` test alone (a comparison with the
  literal names of known dialects, combined with ``and``/``or``/``not``); an operation in a helper
  called from such a branch is still judged.
* An autocommit block is recognised by its ``with`` statement in the function being walked; an
  operation in a helper function called from inside the block is taken as in the transaction.
* ``env.py`` (next to the versions directory) is parsed, never imported: a ``lock_timeout`` or
  ``statement_timeout`` it sets covers every revision (AS1009).
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from ..findings import Location
from ..lazy_re import LazyPattern
from ..safety import Step, StepOp, normalise_type, sql_type_name, steps_from_sql
from .extract import _as_str, _callee, _is_true, _kw

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from ..config import Config
    from ..findings import Finding
    from ..safety import Hazard
    from .extract import _Op, _Reader

__all__ = ["EnvTimeouts", "env_sets_timeout", "find_env", "hazard_finding", "steps_of"]


def hazard_finding(path: Path, revision: str | None, hazard: Hazard, config: Config) -> Finding:
    """The finding of one hazard, at its step's line, naming its table (and column)."""
    step = hazard.step
    location = Location(
        path=path,
        line=step.line,
        col=step.col,
        revision=revision,
        schema=step.schema,
        table=step.table,
        column=step.columns[0] if len(step.columns) == 1 else None,
    )
    return config.finding(hazard.rule_id, hazard.message, location)


def other_database_spans(reader: _Reader) -> list[tuple[int, int]]:
    """The line spans of the branches that run only on another database than PostgreSQL (see
    :func:`_not_postgresql`): what happens there neither locks a PostgreSQL table (AS1001-AS1011)
    nor builds its keys (AS201: a foreign key CTFd creates for MySQL alone).  One more walk of the
    tree, only for the files that name a database at all."""
    return _other_database_spans(reader.tree) if _names_a_database(reader.source) else []


def steps_of(reader: _Reader, ops: Sequence[_Op], elsewhere: Sequence[tuple[int, int]]) -> list[Step]:
    """The steps of ``ops`` (an upgrade's operations, in order) that the safety rules judge;
    ``elsewhere``: :func:`other_database_spans`."""
    # One more walk of the tree only for the files that use an autocommit block (or commit) at all.
    blocks = _autocommit_spans(reader.tree) if "autocommit_block" in reader.source else []
    batches = _committing_loops(reader.tree) if ".commit(" in reader.source else []
    steps: list[Step] = []
    for op in ops:
        name = op.name
        if elsewhere and any(start <= op.call.lineno <= end for start, end in elsewhere):
            continue  # runs only on another database: PostgreSQL's locks do not apply
        if name == "execute":
            line = op.call.lineno
            sql = reader._sql_text(op)
            if sql is not None:
                autocommit = any(start < line <= end for start, end in blocks)
                found = steps_from_sql(sql, line=line, col=op.call.col_offset + 1, autocommit=autocommit)
                if batches and any(start < line <= end for start, end in batches):
                    # A backfill in a loop that commits each batch holds an earlier schema change's
                    # lock for one batch at most (Warehouse's IP-address migration): what AS1010
                    # asks for.  Only the backfill: DDL after a commit() still runs in the
                    # transaction SQLAlchemy begins again (CONCURRENTLY still fails there).
                    found = [replace(s, autocommit=True) if s.op == "data" else s for s in found]
                steps.extend(found)
            continue
        # One look-up by operation name before anything is read: an operation no rule judges is
        # skipped at once, the others go straight to their builder (with Step's own __init__,
        # 150.7K -> 75.4K instructions per revision of two operations: issue 15).
        build = _BUILDERS.get(name)
        if build is None or op.table is None:
            continue
        if op.batch:
            continue  # `batch_op.<name>(...)`: the batch's own steps, not judged here
        call = op.call
        line = call.lineno
        autocommit = bool(blocks) and any(start < line <= end for start, end in blocks)
        steps.extend(build(reader, op, line, call.col_offset + 1, autocommit))
    return steps


def _committing_loops(tree: ast.Module) -> list[tuple[int, int]]:
    """The line spans of the ``for``/``while`` loops whose body calls ``<connection>.commit()``."""
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and any(
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Attribute)
            and inner.func.attr == "commit"
            and not inner.args
            for statement in node.body
            for inner in ast.walk(statement)
        ):
            spans.append((node.lineno, node.end_lineno or node.lineno))
    return spans


def _autocommit_spans(tree: ast.Module) -> list[tuple[int, int]]:
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(
            isinstance(item.context_expr, ast.Call) and _callee(item.context_expr) == "autocommit_block"
            for item in node.items
        ):
            spans.append((node.lineno, node.end_lineno or node.lineno))
    return spans


_DIALECTS: Final = frozenset({"postgresql", "postgres", "mysql", "mariadb", "sqlite", "mssql", "oracle"})
"""Database names a revision compares ``dialect.name`` with; a test naming anything else is not read."""
_POSTGRESQL: Final = frozenset({"postgresql", "postgres"})


def _names_a_database(source: str) -> bool:
    """A cheap test before the walk: substring searches (a regular expression over the whole file
    cost about 55 K instructions a revision, most of the safety steps' cost; issue 15)."""
    return (
        "postgres" in source
        or "mysql" in source
        or "sqlite" in source
        or "mssql" in source
        or "mariadb" in source
        or "oracle" in source
    )


def _other_database_spans(tree: ast.Module) -> list[tuple[int, int]]:
    """The line spans of ``if``/``else`` bodies that run only when the database is not PostgreSQL."""
    spans = []
    for node in ast.walk(tree):
        if type(node) is ast.If:
            if_true, if_false = _not_postgresql(node.test)
            for off, body in ((if_true, node.body), (if_false, node.orelse)):
                if off and body:
                    spans.append((body[0].lineno, body[-1].end_lineno or body[-1].lineno))
    return spans


def _not_postgresql(test: ast.expr) -> tuple[bool, bool]:
    """Whether ``test`` being true, and being false, means the database is not PostgreSQL.

    ``name == "mysql"`` / ``name in ("mysql", "sqlite")`` / ``url.startswith("mysql")`` (CTFd tests the
    engine's URL): true means another database; with ``"postgresql"`` among the names, false does.
    ``!=`` and ``not in`` the other way round.  Any other test (a name it does not know, a variable
    holding the answer) tells nothing: (False, False).
    """
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr == "startswith"
        and len(test.args) == 1
        and not test.keywords
    ):
        prefix = test.args[0]
        prefixes = _dialect_names(prefix.elts if isinstance(prefix, ast.Tuple) else [prefix])
        if prefixes is None:
            return False, False
        return not prefixes & _POSTGRESQL, bool(prefixes & _POSTGRESQL)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        operator, left, right = test.ops[0], test.left, test.comparators[0]
        names: frozenset[str] | None = None
        if isinstance(operator, (ast.Eq, ast.NotEq)):
            literal = right if isinstance(right, ast.Constant) else left if isinstance(left, ast.Constant) else None
            other = left if literal is right else right
            if literal is not None and not isinstance(other, ast.Constant):
                names = _dialect_names([literal])
        elif isinstance(operator, (ast.In, ast.NotIn)) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            names = _dialect_names(right.elts)
        if names is None:
            return False, False
        postgresql = bool(names & _POSTGRESQL)
        if isinstance(operator, (ast.Eq, ast.In)):
            return not postgresql, postgresql
        return postgresql, not postgresql
    if isinstance(test, ast.BoolOp):
        parts = [_not_postgresql(value) for value in test.values]
        if isinstance(test.op, ast.And):  # true: every part true; false: some part false
            return any(t for t, _ in parts), all(f for _, f in parts)
        return all(t for t, _ in parts), any(f for _, f in parts)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        if_true, if_false = _not_postgresql(test.operand)
        return if_false, if_true
    return False, False


def _dialect_names(nodes: Sequence[ast.expr]) -> frozenset[str] | None:
    """The database names ``nodes`` spell, when every one is a literal known name; else None."""
    names = [node.value for node in nodes if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    if not names or len(names) != len(nodes) or not _DIALECTS.issuperset(names):
        return None
    return frozenset(names)


# -- one builder per operation the rules judge: the steps of one ``op.<name>(...)`` call on a known
# table (``op.table`` is not None; the builders may return no step).


def _table_step(reader: _Reader, op: _Op, line: int, col: int, autocommit: bool) -> list[Step]:
    name: StepOp = "create_table" if op.name == "create_table" else "drop_table"
    return [Step(name, op.table, op.schema, line=line, col=col, autocommit=autocommit)]


def _rename_table(reader: _Reader, op: _Op, line: int, col: int, autocommit: bool) -> list[Step]:
    new_name = reader._literal_str(op.args.get("new_table_name"))
    return [Step("rename_table", op.table, op.schema, new_name=new_name, line=line, col=col, autocommit=autocommit)]


def _add_column(reader: _Reader, op: _Op, line: int, col: int, autocommit: bool) -> list[Step]:
    column = op.args.get("column")
    if not isinstance(column, ast.Call) or not column.args:
        return []
    assert op.table is not None
    column_name = reader._literal_str(column.args[0])
    return [_added_column(reader, op.table, op.schema, column_name, column, line, col, autocommit)]


def _drop_column(reader: _Reader, op: _Op, line: int, col: int, autocommit: bool) -> list[Step]:
    column_name = reader._literal_str(_column_name_node(op.args.get("column_name")))
    columns = (column_name,) if column_name else ()
    return [Step("drop_column", op.table, op.schema, columns=columns, line=line, col=col, autocommit=autocommit)]


def _create_index(reader: _Reader, op: _Op, line: int, col: int, autocommit: bool) -> list[Step]:
    args = op.args
    return [
        Step(
            "create_index",
            op.table,
            op.schema,
            columns=_strs(reader, args.get("columns")),
            name=reader._literal_str(args.get("index_name")),
            concurrently=_is_true(op.call, "postgresql_concurrently"),
            unique=_is_true(op.call, "unique"),
            line=line,
            col=col,
            autocommit=autocommit,
        )
    ]


def _drop_index(reader: _Reader, op: _Op, line: int, col: int, autocommit: bool) -> list[Step]:
    name = reader._literal_str(op.args.get("index_name"))
    concurrently = _is_true(op.call, "postgresql_concurrently")
    return [
        Step(
            "drop_index",
            op.table,
            op.schema,
            name=name,
            concurrently=concurrently,
            line=line,
            col=col,
            autocommit=autocommit,
        )
    ]


def _add_constraint(reader: _Reader, op: _Op, line: int, col: int, autocommit: bool) -> list[Step]:
    args, name, text = op.args, op.name, reader._literal_str
    condition = text(args.get("condition")) if name == "create_check_constraint" else None
    return [
        Step(
            _CONSTRAINT_STEPS[name],
            op.table,
            op.schema,
            columns=_strs(reader, args.get("local_cols" if name == "create_foreign_key" else "columns")),
            name=text(args.get("constraint_name")),
            not_valid=_is_true(op.call, "postgresql_not_valid"),
            condition=condition,
            line=line,
            col=col,
            autocommit=autocommit,
        )
    ]


def _drop_constraint(reader: _Reader, op: _Op, line: int, col: int, autocommit: bool) -> list[Step]:
    name = reader._literal_str(op.args.get("constraint_name"))
    return [Step("drop_constraint", op.table, op.schema, name=name, line=line, col=col, autocommit=autocommit)]


_CONSTRAINT_STEPS: Final[dict[str, StepOp]] = {
    "create_foreign_key": "add_foreign_key",
    "create_check_constraint": "add_check",
    "create_unique_constraint": "add_unique",
    "create_primary_key": "add_primary_key",
}


def _column_name_node(node: ast.expr | None) -> ast.expr | None:
    # `op.drop_column("groups", sa.Column("properties"))`: Alembic takes the Column's name.
    if isinstance(node, ast.Call) and node.args:
        return node.args[0]
    return node


def _strs(reader: _Reader, node: ast.expr | None) -> tuple[str, ...]:
    if isinstance(node, (ast.List, ast.Tuple)):
        out = []
        for element in node.elts:  # a loop, not nested generators (issue 15)
            value = reader._literal_str(element)
            if value is not None:
                out.append(value)
        return tuple(out)
    single = reader._literal_str(node)
    return (single,) if single else ()


def _added_column(
    reader: _Reader,
    table: str,
    schema: str | None,
    name: str | None,
    column: ast.Call,
    line: int,
    col: int,
    autocommit: bool,
) -> Step:
    nullable_node = _kw(column, "nullable")
    nullable: bool | None = None
    if isinstance(nullable_node, ast.Constant) and isinstance(nullable_node.value, bool):
        nullable = nullable_node.value
    elif nullable_node is None:
        nullable = not _is_true(column, "primary_key")
    default_node = _kw(column, "server_default")
    default = _sql_of(reader, default_node) if default_node is not None else None
    volatile: bool | None = None
    generated: str | None = None
    args = column.args
    for i in range(1, len(args)):
        arg_node = args[i]
        if isinstance(arg_node, ast.Call):
            callee = _callee(arg_node)
            if callee == "Identity" or callee == "Computed":
                generated = callee
                break
    if generated is not None or _is_serial(args[1] if len(args) > 1 else None):
        # An identity or serial column numbers every existing row; a stored generated column
        # computes every row: either way the table is rewritten.
        default = default or (generated.upper() if generated is not None else "serial")
        volatile = True
    if isinstance(default_node, ast.Constant) and default_node.value is None:
        default = None
    return Step(
        "add_column",
        table,
        schema,
        columns=(name,) if name else (),
        nullable=nullable,
        server_default=default,
        volatile=volatile,
        line=line,
        col=col,
        autocommit=autocommit,
    )


_SERIAL: Final = frozenset({"SERIAL", "BIGSERIAL", "SMALLSERIAL"})


def _is_serial(node: ast.expr | None) -> bool:
    """``_type_text(node) in _SERIAL``, reading the type's text only when its name is a serial's
    (every other name's text is never one: issue 15, the type of every added column was read)."""
    return _type_name(node) in _SERIAL and _type_text(node) in _SERIAL


def _altered_column(reader: _Reader, op: _Op, line: int, col: int, autocommit: bool) -> list[Step]:
    args, call = op.args, op.call
    column = reader._literal_str(_column_name_node(args.get("column_name")))
    if op.table is None or column is None:
        return []
    steps = []
    new_name = reader._literal_str(_kw(call, "new_column_name"))
    if new_name is not None:
        steps.append(
            Step(
                "rename_column",
                op.table,
                op.schema,
                columns=(column,),
                new_name=new_name,
                line=line,
                col=col,
                autocommit=autocommit,
            )
        )
    nullable_node = _kw(call, "nullable")
    nullable = nullable_node.value if isinstance(nullable_node, ast.Constant) else None
    new_type = _type_text(_kw(call, "type_"))
    changes = any(k.arg not in _NOT_A_CHANGE for k in call.keywords if k.arg is not None)
    if new_name is None or changes:
        steps.append(
            Step(
                "alter_column",
                op.table,
                op.schema,
                columns=(column,),
                nullable=nullable if isinstance(nullable, bool) else None,
                old_type=_type_text(_kw(call, "existing_type")),
                new_type=new_type,
                using=_kw(call, "postgresql_using") is not None,
                line=line,
                col=col,
                autocommit=autocommit,
            )
        )
    return steps


_BUILDERS: Final[dict[str, Callable[[_Reader, _Op, int, int, bool], list[Step]]]] = {
    "create_table": _table_step,
    "drop_table": _table_step,
    "rename_table": _rename_table,
    "add_column": _add_column,
    "drop_column": _drop_column,
    "alter_column": _altered_column,
    "create_index": _create_index,
    "drop_index": _drop_index,
    "create_foreign_key": _add_constraint,
    "create_check_constraint": _add_constraint,
    "create_unique_constraint": _add_constraint,
    "create_primary_key": _add_constraint,
    "drop_constraint": _drop_constraint,
}
"""The step builder of each operation the safety rules judge (the others have no step)."""


_NOT_A_CHANGE: Final = frozenset(
    {"new_column_name", "existing_type", "existing_nullable", "existing_server_default", "existing_comment", "schema"}
)


def _sql_of(reader: _Reader, node: ast.expr) -> str:
    """A server default as SQL: ``'x'`` for a string, the text of ``sa.text("...")``,
    ``name(...)`` for ``sa.func.name(...)``; ``?`` when it cannot be read."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return f"'{node.value}'"
    if isinstance(node, ast.Call):
        callee = _callee(node)
        if callee in ("text", "literal_column") and node.args:
            return _as_str(reader.resolve(node.args[0])) or "?"
        if isinstance(node.func, ast.Attribute) and _is_func_namespace(node.func.value):
            return f"{node.func.attr}()"
    if isinstance(node, ast.Attribute) and _is_func_namespace(node.value):
        return f"{node.attr}()"  # sa.func.now without the call
    return "?"


def _is_func_namespace(node: ast.expr) -> bool:
    """``sa.func`` / ``func`` (SQLAlchemy's function namespace)."""
    return (isinstance(node, ast.Attribute) and node.attr == "func") or (
        isinstance(node, ast.Name) and node.id == "func"
    )


def _type_name(node: ast.expr | None) -> str | None:
    """The upper-case name of a type expression (``sa.String(50)`` and ``String`` -> ``STRING``);
    None when it is neither a name, an attribute nor a call of one."""
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr.upper()
    if isinstance(target, ast.Name):
        return target.id.upper()
    return None


def _type_text(node: ast.expr | None) -> str | None:
    """A SQLAlchemy type expression as SQL-like text: ``sa.String(length=50)`` -> ``VARCHAR(50)``,
    ``sa.DateTime(timezone=True)`` -> ``TIMESTAMPTZ``; None when no type is given or readable."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    upper = _type_name(node)
    if upper is None:
        return None
    call = node if isinstance(node, ast.Call) else None
    if call is None:
        return normalise_type(upper)
    if upper in ("DATETIME", "TIMESTAMP") and _is_true(call, "timezone"):
        return "TIMESTAMPTZ"
    if upper in ("ENUM",):
        enum_name = _kw(call, "name")
        label = enum_name.value if isinstance(enum_name, ast.Constant) and isinstance(enum_name.value, str) else "?"
        return f"ENUM {label}"
    params: list[int] = []
    for arg in call.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, int) and not isinstance(arg.value, bool):
            params.append(arg.value)
    for keyword in ("length", "precision", "scale"):
        value = _kw(call, keyword)
        if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
            params.append(value.value)
    if upper.isascii() and all(p >= 0 for p in params):
        # An ASCII identifier with non-negative integer parameters: exactly what normalise_type()
        # makes of the text below, without its regular expression (issue 15: the type of every
        # added column is read).
        name = sql_type_name(upper)
        return f"{name}({', '.join(str(p) for p in params)})" if params else name
    text = f"{upper}({', '.join(str(p) for p in params)})" if params else upper
    return normalise_type(text)


_TIMEOUT_TEXT: Final = LazyPattern(
    r"\b(lock_timeout|statement_timeout)\b\s*(=|\bTO\b)|set_config\s*\(\s*'(lock|statement)_timeout'", re.IGNORECASE
)


def env_sets_timeout(env: Path) -> bool:
    """True when ``env.py`` (parsed, never imported) sets a ``lock_timeout`` or ``statement_timeout``:
    ``SET lock_timeout ...`` executed, ``-c lock_timeout=...`` in the connection options.  A file
    that cannot be read or parsed sets nothing (Alembic itself reports a broken env.py)."""
    try:
        tree = ast.parse(env.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and _TIMEOUT_TEXT.search(node.value) is not None
        for node in ast.walk(tree)
    )


def find_env(revision_file: Path) -> Path | None:
    """The ``env.py`` of a revision file: in its directory's parent (``migrations/versions/x.py`` ->
    ``migrations/env.py``), or up to two levels higher for versions kept in subdirectories."""
    for parent in list(revision_file.parents)[1:4]:
        candidate = parent / "env.py"
        if candidate.is_file():
            return candidate
    return None


class EnvTimeouts:
    """Whether a revision's ``env.py`` sets a lock timeout (AS1009), each env.py read once per run.

    Decided per run, not stored with a file's cached results: a timeout added to env.py takes
    effect without any revision file changing."""

    def __init__(self) -> None:
        self.known: dict[Path, bool] = {}
        # By revision directory: which env.py applies depends only on where the file is, and
        # looking it up is up to three `stat` calls (per revision, 14 % of a cold check's
        # history-wide time on 1,000 revisions: issue 15).
        self.by_directory: dict[str, bool] = {}

    def covers(self, revision_file: Path) -> bool:
        # Keyed by the directory's text: building a Path for `.parent` and hashing it cost more than
        # the rest of this look-up, once per revision (issue 15).
        directory = os.path.dirname(revision_file)
        found = self.by_directory.get(directory)
        if found is None:
            env = find_env(revision_file)
            if env is None:
                found = False
            else:
                if env not in self.known:
                    self.known[env] = env_sets_timeout(env)
                found = self.known[env]
            self.by_directory[directory] = found
        return found
