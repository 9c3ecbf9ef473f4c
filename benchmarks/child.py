"""One measured tool in a fresh interpreter: ``python -m benchmarks.child TASK ARGS...``.

Why a child process per run: the issue-15 targets are about *cold* runs (a fresh CI checkout, a
pre-commit hook, an ``alembic revision --autogenerate`` process), so every run starts its own
interpreter; the parent reads the child's CPU time from ``os.wait4`` and its peak memory from
``VmHWM``.  Every task goes through this same module, so the start-up it adds (this file, which
imports nothing beyond the standard library at the top) is the same on both sides of a ratio.

Tasks (each prints one JSON object on the last line of stdout; tool output goes to stdout before it
or to /dev/null):

* ``autogenerate MODELS_DIR MODULE URL plain|plugin [DECLARATIONS.json] [RENDERED.txt]`` —
  ``produce_migrations`` on the database; reports statements (``before_cursor_execute``), operations,
  the in-process CPU/wall of the call and writes the rendered upgrade to RENDERED.txt.
* ``compare MODELS_DIR MODULE URL`` — Alembic's ``compare_metadata`` (what ``alembic check`` runs).
* ``lint MODELS_DIR MODULE`` — the model linter's first (cold) run, ``lint_metadata``.
* ``check VERSIONS`` — ``alembic-standards check --no-cache --no-models VERSIONS`` (findings printed).
* ``history INI`` — ``alembic -c INI history`` (imports every revision file).
* ``floor VERSIONS`` — read and ``ast.parse`` every ``*.py`` in VERSIONS: the floor any static
  checker has to pay.
* ``check-split VERSIONS`` — ``check`` once more, with the CPU time of each of its phases recorded
  (start-up, listing, reading, ``ast.parse``, the per-file rules, the history-wide checks, the rest):
  where the time of a missed checker target goes, in the checker's own terms.  Never timed.

With ``BENCH_PROFILE=FILE`` in the environment the measured part runs under ``cProfile`` and the
stats go to FILE (used only for the "where the time goes" part of the report, never for timings):
the whole task for ``check``/``history``/``floor``, the timed call only for the others.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import MetaData


def _hwm_kib() -> int:
    """The process's own peak resident set (``ru_maxrss`` of a child inherits the parent's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)


def _load_models(models_dir: str, module: str) -> MetaData:
    import importlib

    from sqlalchemy.orm import configure_mappers

    sys.path.insert(0, models_dir)
    loaded = importlib.import_module(module)
    configure_mappers()
    metadata: MetaData = loaded.Base.metadata
    return metadata


def apply_declarations(metadata: MetaData, declarations: dict[str, Any]) -> None:
    """Declare in the models what the plugin adds: constraint names and the missing FK indexes.

    ``declarations`` is what :func:`benchmarks.targets.plugin_declarations` read from the plugin's
    own migration: ``{"names": [[table, kind, [columns], name, final]], "indexes": [[table, name, [columns],
    unique, final]]}``.  The result is the model a team would write by hand to get the plugin's output
    from plain Alembic.
    """
    from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, PrimaryKeyConstraint, UniqueConstraint
    from sqlalchemy.sql.elements import conv

    kinds = {
        "pk": PrimaryKeyConstraint,
        "fk": ForeignKeyConstraint,
        "uq": UniqueConstraint,
        "ck": CheckConstraint,
    }
    # ``conv``: the plugin marks the names it made up as final (rendered ``op.f(...)``); a model
    # declaring the same names the same way renders the same text.
    for table_name, kind, columns, name, final in declarations["names"]:
        table = metadata.tables[table_name]
        for constraint in table.constraints:
            if isinstance(constraint, kinds[kind]) and _columns(constraint) == tuple(columns):
                constraint.name = conv(name) if final else name
                break
    for table_name, name, columns, unique, final in declarations["indexes"]:
        table = metadata.tables[table_name]
        existing = [ix for ix in table.indexes if tuple(c.name for c in ix.columns) == tuple(columns)]
        if existing:
            existing[0].name = conv(name) if final else name  # an index=True column: the plugin named it
        else:
            Index(conv(name) if final else name, *(table.c[c] for c in columns), unique=unique)


def _columns(constraint: Any) -> tuple[str, ...]:
    from sqlalchemy import CheckConstraint

    if isinstance(constraint, CheckConstraint):
        return (str(constraint.sqltext),)
    return tuple(c.name for c in constraint.columns)


def _autogenerate(models_dir: str, module: str, url: str, side: str, *rest: str) -> dict[str, Any]:
    from alembic.autogenerate import produce_migrations, render_python_code
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, event

    metadata = _load_models(models_dir, module)
    if rest and rest[0] != "-":
        with open(rest[0], encoding="utf-8") as handle:
            apply_declarations(metadata, json.load(handle))
    plugins = ["alembic.autogenerate.*"] + (["alembic_standards.*"] if side == "plugin" else [])
    engine = create_engine(url)
    statements = 0

    def count(*args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)

    def produce() -> Any:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"target_metadata": metadata, "autogenerate_plugins": plugins}
            )
            return produce_migrations(context, metadata)

    cpu, wall = time.process_time(), time.perf_counter()
    script = _call(produce)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert script.upgrade_ops is not None
    ops = sum(1 for _ in _leaves(script.upgrade_ops))
    if len(rest) > 1:
        with open(rest[1], "w", encoding="utf-8") as out:
            out.write(render_python_code(script.upgrade_ops))
    engine.dispose()
    return {"statements": statements, "ops": ops, "inner_cpu": cpu, "inner_wall": wall}


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    """The timed call; under ``BENCH_PROFILE`` profiled alone (model import left out)."""
    profile_to = os.environ.get("BENCH_PROFILE")
    if not profile_to:
        return fn(*args)
    import cProfile

    profiler = cProfile.Profile()
    try:
        return profiler.runcall(fn, *args)
    finally:
        profiler.dump_stats(profile_to)


def _leaves(container: Any) -> Any:
    from alembic.operations.ops import OpContainer

    for op in container.ops:
        if isinstance(op, OpContainer):
            yield from _leaves(op)
        else:
            yield op


def _compare(models_dir: str, module: str, url: str) -> dict[str, Any]:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    metadata = _load_models(models_dir, module)
    engine = create_engine(url)
    with engine.connect() as conn:
        cpu, wall = time.process_time(), time.perf_counter()
        context = MigrationContext.configure(conn, opts={"autogenerate_plugins": ["alembic.autogenerate.*"]})
        diff = _call(compare_metadata, context, metadata)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    engine.dispose()
    return {"ops": len(diff), "inner_cpu": cpu, "inner_wall": wall}


def _lint(models_dir: str, module: str) -> dict[str, Any]:
    from pathlib import Path

    from alembic_standards.config import Config
    from alembic_standards.models import lint_metadata

    metadata = _load_models(models_dir, module)
    cpu, wall = time.process_time(), time.perf_counter()
    findings = _call(lint_metadata, [metadata], Config(root=Path(models_dir)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"ops": len(findings), "inner_cpu": cpu, "inner_wall": wall}


def _check(versions: str) -> dict[str, Any]:
    from alembic_standards.cli import main

    code = main(["check", "--no-cache", "--no-models", versions])
    if code not in (0, 1):
        raise SystemExit(f"alembic-standards check exited {code}")
    return {"exit": code}


def _history(ini: str) -> dict[str, Any]:
    from alembic.config import main

    main(["-c", ini, "history"])
    return {}


def _check_split(versions: str) -> dict[str, Any]:
    """``check`` with each phase's CPU time summed (``time.process_time``: this process only).

    The phases are the checker's own functions, wrapped where ``check_migrations`` looks them up
    (``_revision_files``, ``_read_revision``, ``check_history``) plus the read and ``ast.parse`` inside
    ``_read_revision``: a rename there makes this task fail (``AttributeError``), not report zeros.
    "rules" is ``_read_revision`` less its read and parse: decoding, the per-file rules and the facts
    kept for the history-wide checks.  Two clock reads per wrapped call: well under 1 % of a file.
    """
    import ast

    import alembic_standards.cli  # noqa: F401  (imported before the clock is read: its cost is start-up)
    from alembic_standards import migrations
    from alembic_standards.migrations import per_file

    clock = time.process_time
    spent: dict[str, float] = {"start-up": clock()}  # CPU since the process began: interpreter + imports
    calls: dict[str, int] = {}

    def timed(owner: Any, name: str, label: str) -> None:
        inner = getattr(owner, name)  # AttributeError when the checker's layout changed

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + clock() - start
                calls[label] = calls.get(label, 0) + 1

        setattr(owner, name, wrapper)

    timed(migrations, "_revision_files", "listing")
    timed(migrations, "_read_revision", "per-file")
    timed(migrations, "check_history", "history-wide")
    timed(per_file, "read_regular_file", "read")
    timed(ast, "parse", "ast.parse")  # in this throwaway child process only
    code = _check(versions)["exit"]  # the measured task itself
    total = clock()
    read, parse = spent.get("read", 0.0), spent.get("ast.parse", 0.0)
    split = {
        "start-up": spent["start-up"],
        "listing": spent.get("listing", 0.0),
        "read": read,
        "ast.parse": parse,
        "rules": spent.get("per-file", 0.0) - read - parse,
        "history-wide": spent.get("history-wide", 0.0),
    }
    split["rest"] = total - sum(split.values())  # configuration, exceptions, sorting, output
    return {"exit": code, "files": calls.get("per-file", 0), "split": split, "total": total}


def _floor(versions: str) -> dict[str, Any]:
    import ast
    from pathlib import Path

    files = sorted(Path(versions).glob("*.py"))
    for path in files:
        ast.parse(path.read_bytes(), filename=str(path))
    return {"files": len(files)}


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "autogenerate": _autogenerate,
    "compare": _compare,
    "lint": _lint,
    "check": _check,
    "history": _history,
    "floor": _floor,
    "check-split": _check_split,
}


def main(argv: list[str]) -> int:
    task, args = TASKS[argv[0]], argv[1:]
    # The tools measured as whole processes are profiled whole; the others profile their timed
    # call only (``_call``), as their ratio times only that call.
    result = task(*args) if argv[0] in ("autogenerate", "compare", "lint") else _call(task, *args)
    sys.stdout.flush()
    result["hwm_kib"] = _hwm_kib()
    print("\n" + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
