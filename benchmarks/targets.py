"""The issue-15 targets, measured side by side in one run, each next to an A/A noise figure.

Three scenarios, each a ratio of alembic-standards against the plain-Alembic (or floor) run that
produces the same thing, measured in the same run:

1. **Autogenerate with plugin-added indexes** (PostgreSQL).  Models with about half the foreign
   keys left unindexed; the plugin's own first migration, applied, gives the *steady* database.
   The plain-Alembic side autogenerates from the same models *declaring* what the plugin adds
   (its index and constraint names, read from the plugin's migration), so both sides produce the
   same migration: empty on the steady database, the whole schema on the empty one.  CPU time of
   the autogenerate process (``os.wait4``), statement counts from ``before_cursor_execute``.
2. **Static checker, cold** (``check --no-cache``, findings printed) on generated histories of
   two-operation revisions with untyped ``upgrade()``/``downgrade()`` (two AS802 findings per
   file), against ``alembic history`` with ``__pycache__`` removed (a fresh clone) and against
   the floor of reading and ``ast.parse``-ing the same files.  CPU time of each process, peak RSS.
3. **Model lint, cold**: the first ``lint_metadata`` call of a process against Alembic's
   ``compare_metadata`` on an up-to-date PostgreSQL database (what ``alembic check`` does), timed
   inside the child around the call only (model import excluded on both sides).

Decisions: every run is its own process (cold is the point); the sides alternate, after one
untimed warm-up round, and the **minimum** of the rounds is reported (the least disturbed run on
a shared machine).  The **A/A** figure is the reference measured twice in the same run: the
minimum of its odd rounds over the minimum of its even rounds, reported as the distance from 1
(``±x %``).  Each half has fewer rounds than the ratio's minimum, so it overstates the noise of the
ratio rather than hiding it; a dedicated third side would cost a third more run time on a 2-core
machine whose default run already takes about half an hour.  A ratio within the noise of its target
is not a result.
"""

from __future__ import annotations

import contextlib
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .harness import postgres_support
from .revisions import PREAMBLE
from .schema import load_metadata, models_module_name

if TYPE_CHECKING:
    from alembic.operations.ops import MigrateOperation
    from sqlalchemy import MetaData

__all__ = ["Comparison", "Series", "TargetOptions", "TargetResults", "generate_cold_history", "run_targets"]

REPO_ROOT = Path(__file__).resolve().parent.parent
UNCOVERED = 0.53
"""Share of unindexed foreign keys asked of the schema generator: about half of all FKs at 1,000
tables (junction tables' first key is covered by the primary key)."""


@dataclass
class TargetOptions:
    tables: int = 1000
    """Scenario 1 (autogenerate) and the first size of scenario 3."""
    lint_tables: Sequence[int] = (1000, 5000)
    revisions: Sequence[int] = (1000, 10000)
    repeat: int = 7
    large_repeat: int = 3
    """Rounds for the sizes past the first (10,000 revisions, 5,000 tables)."""
    seed: int = 2025
    postgresql_url: str | None = None
    workdir: Path | None = None
    profile: bool = True
    """Profile the alembic-standards side of every missed target (one extra, untimed run)."""
    scenarios: Sequence[int] = (1, 2, 3)
    """Which of the three scenarios to run (all of them for the documented run)."""
    warmup: bool = True
    """One untimed round before the timed ones (off only in the smoke test, which never times)."""
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr, flush=True))


@dataclass
class Sample:
    cpu: float
    """User + system CPU seconds of the whole child process."""
    wall: float
    rss_kib: int
    payload: dict[str, Any]


@dataclass
class Series:
    label: str
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    def best(self, metric: str) -> float | None:
        if self.error or not self.samples:
            return None
        return min(_metric(s, metric) for s in self.samples)

    @property
    def peak_mib(self) -> float | None:
        return max(s.rss_kib for s in self.samples) / 1024 if self.samples and not self.error else None

    @property
    def payload(self) -> dict[str, Any]:
        return self.samples[-1].payload if self.samples else {}

    def values(self, key: str) -> set[Any]:
        return {s.payload.get(key) for s in self.samples}


def _metric(sample: Sample, metric: str) -> float:
    return sample.cpu if metric == "cpu" else float(sample.payload[metric])


@dataclass
class Comparison:
    scenario: str
    case: str
    ours: Series
    reference: Series
    metric: str  # "cpu" (child process) | "inner_wall" (the call only)
    target: float
    """The ratio ours/reference must be at most this."""
    target_text: str
    facts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    profile: str | None = None

    @property
    def ratio(self) -> float | None:
        a, b = self.ours.best(self.metric), self.reference.best(self.metric)
        return a / b if a is not None and b else None

    @property
    def noise(self) -> float | None:
        """A/A: |min(odd rounds) / min(even rounds) - 1| of the reference; None under two rounds."""
        samples = self.reference.samples
        if self.reference.error or len(samples) < 2:
            return None
        odd = min(_metric(s, self.metric) for s in samples[0::2])
        even = min(_metric(s, self.metric) for s in samples[1::2])
        return abs(odd / even - 1) if even else None

    @property
    def met(self) -> bool | None:
        return None if self.ratio is None else self.ratio <= self.target


@dataclass
class TargetResults:
    options: TargetOptions
    machine: dict[str, str] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def all_problems(self) -> list[str]:
        out = list(self.problems)
        for c in self.comparisons:
            out += [f"{c.scenario}, {c.case}: {p}" for p in c.problems]
            for s in (c.ours, c.reference):
                if s.error:
                    out.append(f"{c.scenario}, {c.case}, {s.label}: {s.error}")
        return list(dict.fromkeys(out))


# ---------------------------------------------------------------------------------------------- children


def _child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # byte-code caching as on a default Python
    env.pop("BENCH_PROFILE", None)
    env.update(extra or {})
    return env


def run_child(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """``python -m benchmarks.child ARGS`` in ``cwd``: its CPU time (``wait4``), wall time, peak RSS."""
    argv = [sys.executable, "-m", "benchmarks.child", *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd, env=env or _child_env())
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # a killed run (SIGTERM -> SystemExit) leaves no orphaned child
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise RuntimeError(f"child {args[0]} exited {proc.returncode}: {tail[0][:200]}")
        out.seek(0)
        lines = out.read().decode(errors="replace").rstrip().splitlines()
    payload: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return Sample(usage.ru_utime + usage.ru_stime, wall, int(payload.get("hwm_kib", 0)), payload)


Runner = Callable[[], Sample]


def interleave(pairs: Sequence[tuple[Series, Runner]], repeat: int, warmup: bool = True) -> None:
    """One untimed warm-up round, then ``repeat`` rounds in the given order; a failing side stops."""
    for round_no in range(0 if warmup else 1, repeat + 1):
        for series, runner in pairs:
            if series.error is not None:
                continue
            try:
                sample = runner()
            except Exception as exc:
                series.error = f"{type(exc).__name__}: {exc}"[:240]
                continue
            if round_no:
                series.samples.append(sample)


def profile_child(args: Sequence[str], cwd: Path, before: Callable[[], None] | None = None, top: int = 22) -> str:
    """The child task once under cProfile; the top functions by cumulative time, as text."""
    with tempfile.TemporaryDirectory() as tmp:
        stats_file = Path(tmp) / "stats"
        if before:
            before()
        run_child(args, cwd, _child_env({"BENCH_PROFILE": str(stats_file)}))
        buffer = _StringSink()
        stats = pstats.Stats(str(stats_file), stream=buffer)  # type: ignore[arg-type]
        # The import machinery's own frames (<frozen importlib...>) repeat every module import's
        # time; leaving them out keeps the list on the tool's functions and module bodies.
        stats.strip_dirs().sort_stats("cumulative").print_stats(r"^(?!<frozen )", top)
    lines = buffer.text().splitlines()
    start = next((i for i, line in enumerate(lines) if "function calls" in line), 0)
    return "\n".join(line.rstrip() for line in lines[start:] if line.strip() and "List reduced" not in line)


class _StringSink:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def text(self) -> str:
        return "".join(self.parts)


# ---------------------------------------------------------------------------------------------- inputs


_COLD_REVISION = (
    PREAMBLE
    + '''

def upgrade():
    """Upgrade schema."""
    op.add_column({table!r}, sa.Column({column!r}, sa.String(length=50), nullable=True))
    op.create_index(op.f({index!r}), {table!r}, [{column!r}], unique=False)


def downgrade():
    """Downgrade schema."""
    op.drop_index(op.f({index!r}), table_name={table!r})
    op.drop_column({table!r}, {column!r})
'''
)


def generate_cold_history(versions: Path, n_revisions: int) -> list[Path]:
    """``n_revisions`` linear revisions of two operations each, ``upgrade()``/``downgrade()`` without
    return annotations (the pre-1.13 template): exactly two style findings (AS802) per file."""
    versions.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    down: str | None = None
    for k in range(n_revisions):
        revision = f"{k * 2654435761 % 2**48:012x}"
        table, column = f"widget_{k % 50:02d}", f"note_{k:05d}"
        text = _COLD_REVISION.format(
            message=f"add {table}.{column}",
            revision=revision,
            down=down or "",
            down_repr=repr(down),
            day=1 + k // 1440 % 28,
            hour=k // 60 % 24,
            minute=k % 60,
            table=table,
            column=column,
            index=f"idx_{table}_{column}",
        )
        path = versions / f"{revision}_add_{table}_{column}.py"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        down = revision
    return paths


def _leaves(container: Any) -> Iterator[MigrateOperation]:
    from alembic.operations.ops import OpContainer

    for op in container.ops:
        if isinstance(op, OpContainer):
            yield from _leaves(op)
        else:
            yield op


def plugin_declarations(operations: Sequence[MigrateOperation]) -> dict[str, list[list[Any]]]:
    """What the plugin's migration names and adds, for :func:`benchmarks.child.apply_declarations`."""
    from alembic.operations import ops
    from sqlalchemy import CheckConstraint, ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint
    from sqlalchemy.sql.elements import conv

    kinds = (
        (PrimaryKeyConstraint, "pk"),
        (ForeignKeyConstraint, "fk"),
        (UniqueConstraint, "uq"),
        (CheckConstraint, "ck"),
    )
    names: list[list[Any]] = []
    indexes: list[list[Any]] = []
    for op in operations:
        if isinstance(op, ops.CreateTableOp):
            for constraint in op.to_table().constraints:
                kind = next((k for cls, k in kinds if isinstance(constraint, cls)), None)
                if kind is None or not isinstance(constraint.name, str):
                    continue
                if isinstance(constraint, CheckConstraint):
                    cols = [str(constraint.sqltext)]
                else:
                    cols = [c.name for c in constraint.columns]  # type: ignore[attr-defined]
                names.append([op.table_name, kind, cols, str(constraint.name), isinstance(constraint.name, conv)])
        elif isinstance(op, ops.CreateIndexOp):
            cols = [c if isinstance(c, str) else c.name for c in op.columns]  # type: ignore[union-attr]
            name = op.index_name
            indexes.append([op.table_name, str(name), cols, bool(op.unique), isinstance(name, conv)])
    return {"names": names, "indexes": indexes}


# ---------------------------------------------------------------------------------------------- scenarios


def _plugin_migration(url: str, metadata: MetaData) -> list[MigrateOperation]:
    from alembic.autogenerate import produce_migrations
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "target_metadata": metadata,
                    "autogenerate_plugins": ["alembic.autogenerate.*", "alembic_standards.*"],
                },
            )
            script = produce_migrations(context, metadata)
    finally:
        engine.dispose()
    assert script.upgrade_ops is not None
    return list(_leaves(script.upgrade_ops))


def _server_version(url: str) -> str:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return ".".join(str(p) for p in conn.dialect.server_version_info or ())
    finally:
        engine.dispose()


def _apply(url: str, operations: Sequence[MigrateOperation]) -> None:
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            runner = Operations(MigrationContext.configure(conn))
            for op in operations:
                runner.invoke(op)
    finally:
        engine.dispose()


def _autogenerate(options: TargetOptions, workdir: Path, make_db: Callable[[str], str], results: TargetResults) -> None:
    n = options.tables
    log = options.log
    log(f"[1] autogenerate, {n} tables: models and databases...")
    models_dir = workdir / "models"
    metadata, stats = load_metadata(n, models_dir, options.seed, UNCOVERED)
    module = models_module_name(n, options.seed, UNCOVERED)
    empty_url, steady_url = make_db(f"ag{n}_empty"), make_db(f"ag{n}_steady")
    results.machine["postgresql"] = _server_version(empty_url)
    migration = _plugin_migration(empty_url, metadata)
    _apply(steady_url, migration)
    declarations = workdir / "declarations.json"
    declarations.write_text(json.dumps(plugin_declarations(migration)), encoding="utf-8")
    share = f"{stats.uncovered_foreign_keys:,} of {stats.foreign_keys:,} foreign keys indexed only by the plugin"

    for case, url in (
        ("steady state (nothing to do)", steady_url),
        ("first migration of an empty database", empty_url),
    ):
        log(f"[1] autogenerate, {n} tables, {case}...")
        tag = "steady" if url == steady_url else "empty"
        ours, ref = Series("alembic-standards plugin"), Series("plain Alembic, indexes declared")
        rendered = {s.label: workdir / f"rendered_{tag}_{i}.py" for i, s in enumerate((ours, ref))}

        def side(series: Series, which: str, decl: str, url: str = url, rendered: dict[str, Path] = rendered) -> Runner:
            args = ["autogenerate", str(models_dir), module, url, which, decl, str(rendered[series.label])]
            return partial(run_child, args, workdir)

        interleave(
            [(ref, side(ref, "plain", str(declarations))), (ours, side(ours, "plugin", "-"))],
            options.repeat,
            options.warmup,
        )
        comp = Comparison("1. autogenerate (PostgreSQL)", f"{case}, {n:,} tables", ours, ref, "cpu", 1.05, "≤ 1.05x")
        comp.facts.append(share)
        statements = ours.values("statements") | ref.values("statements")
        ops = {s.label: s.payload.get("ops") for s in (ours, ref)}
        counts = {label: sorted(s.values("statements")) for label, s in (("plugin", ours), ("plain", ref))}
        comp.facts.append(f"SQL statements per run: plugin {counts['plugin']}, plain {counts['plain']}")
        comp.facts.append(f"operations proposed: plugin {ops[ours.label]}, plain {ops[ref.label]}")
        if ours.samples and ref.samples:
            if len(statements) != 1:
                comp.problems.append(f"statement counts differ: {comp.facts[-2]}")
            if ops[ours.label] != ops[ref.label] or (tag == "steady" and ops[ours.label]):
                comp.problems.append(f"different migrations: {comp.facts[-1]}")
            texts = [rendered[label].read_text(encoding="utf-8") for label in (ours.label, ref.label)]
            if texts[0] == texts[1]:
                comp.facts.append("rendered upgrade(): identical text")
            elif sorted(texts[0].splitlines()) == sorted(texts[1].splitlines()):
                comp.facts.append("rendered upgrade(): the same lines, in a different order")
            else:
                comp.problems.append("rendered upgrade() differs between the plugin and the declared models")
        inner = [s.best("inner_cpu") for s in (ours, ref)]
        if inner[0] and inner[1]:
            comp.facts.append(
                f"CPU of produce_migrations() alone: {inner[0]:.2f} s vs {inner[1]:.2f} s = {inner[0] / inner[1]:.3f}x"
            )
        if options.profile and comp.met is False:
            comp.profile = profile_child(["autogenerate", str(models_dir), module, url, "plugin", "-"], workdir)
        results.comparisons.append(comp)


def _checker(options: TargetOptions, workdir: Path, results: TargetResults) -> None:
    for i, n in enumerate(options.revisions):
        options.log(f"[2] cold checker, {n:,} revisions...")
        project = workdir / f"cold_history_{n}"
        shutil.rmtree(project, ignore_errors=True)
        versions = project / "versions"
        generate_cold_history(versions, n)
        ini = project / "alembic.ini"
        ini.write_text(f"[alembic]\nscript_location = {project}\n", encoding="utf-8")
        pycache = versions / "__pycache__"

        def history(pycache: Path = pycache, ini: Path = ini, project: Path = project) -> Sample:
            shutil.rmtree(pycache, ignore_errors=True)  # a fresh clone has no byte code
            return run_child(["history", str(ini)], project)

        check = Series("alembic-standards check --no-cache")
        hist, floor = Series("alembic history (no __pycache__)"), Series("read + ast.parse")
        interleave(
            [
                (hist, history),
                (check, partial(run_child, ["check", str(versions)], project)),
                (floor, partial(run_child, ["floor", str(versions)], project)),
            ],
            options.repeat if i == 0 else options.large_repeat,
            options.warmup,
        )
        scenario = "2. static checker, cold"
        vs_history = Comparison(
            scenario, f"{n:,} revisions vs alembic history", check, hist, "cpu", 1 / 3, "≥ 3x faster (≤ 0.333x)"
        )
        vs_floor = Comparison(scenario, f"{n:,} revisions vs read+parse floor", check, floor, "cpu", 2.0, "≤ 2x")
        for comp in (vs_history, vs_floor):
            comp.facts.append(
                f"peak RSS: checker {_mib(check.peak_mib)}, {comp.reference.label} {_mib(comp.reference.peak_mib)}"
            )
        floor_cpu, history_cpu = floor.best("cpu"), hist.best("cpu")
        if floor_cpu and history_cpu:
            # What the two targets leave a checker that reads and parses every file: the history
            # target allows (1/3 x history) / floor times the floor.
            budget = history_cpu / 3 / floor_cpu
            vs_history.facts.append(
                f"the read+parse floor alone is {floor_cpu / history_cpu:.3f}x alembic history: 3x faster than "
                f"history leaves {budget:.2f}x the floor for everything else (import, analysis, output)"
            )
        if check.samples and check.values("exit") != {0}:
            vs_floor.problems.append(f"checker exit status {sorted(check.values('exit'))} (warnings only: 0 expected)")
        if options.profile and (vs_history.met is False or vs_floor.met is False):
            vs_floor.profile = profile_child(["check", str(versions)], project)
            best = check.best("cpu")
            if best:
                split = run_child(["check-split", str(versions)], project).payload
                limits = ((vs_history, history_cpu and history_cpu / 3), (vs_floor, floor_cpu and 2 * floor_cpu))
                for comp, allowed in limits:
                    comp.facts += split_facts(split, best, allowed)
        results.comparisons += [vs_history, vs_floor]
    by_size = [c for c in results.comparisons if c.case.endswith("vs read+parse floor")]
    if len(by_size) > 1:
        first, last = by_size[0].ours.best("cpu"), by_size[-1].ours.best("cpu")
        sizes = options.revisions[0], options.revisions[-1]
        if first and last:
            by_size[-1].facts.append(
                f"growth {sizes[0]:,} -> {sizes[1]:,} revisions: checker x{last / first:.2f} CPU "
                f"for x{sizes[1] / sizes[0]:.0f} the files (process start-up included)"
            )


def split_facts(payload: dict[str, Any], best: float, allowed: float | None) -> list[str]:
    """Where a checker run's CPU goes (``check-split``), and what a target leaves the per-file rules.

    The split comes from one more, untimed run; its parts are scaled to the best timed run (the
    shares are what is measured, the total is the comparison's).  ``allowed``: the CPU the target
    allows; what is left of it once everything but the rules has run as measured is the rules' budget.
    """
    split: dict[str, float] = payload["split"]
    files = int(payload["files"]) or 1
    scale = best / payload["total"]
    part = {name: seconds * scale for name, seconds in split.items()}
    per_file = {name: part[name] / files * 1e6 for name in ("rules", "ast.parse")}
    shown = ", ".join(
        f"{name} {seconds:.2f} s" + (f" ({per_file[name]:.0f} µs a file)" if name in per_file else "")
        for name, seconds in part.items()
    )
    facts = [f"where the checker's {best:.3f} s go (one untimed run with each phase's CPU, scaled): {shown}"]
    if allowed:
        others = best - part["rules"]  # everything but the per-file rules
        left = allowed - others
        if left <= 0:
            facts.append(
                f"the target allows {allowed:.3f} s: everything but the per-file rules already takes "
                f"{others:.3f} s, which leaves the rules nothing"
            )
        else:
            facts.append(
                f"the target allows {allowed:.3f} s: with everything else as measured, that leaves the per-file "
                f"rules {left:.3f} s ({left / files * 1e6:.0f} µs a file, {left / part['rules']:.2f}x their cost now)"
            )
    return facts


def _linter(options: TargetOptions, workdir: Path, make_db: Callable[[str], str], results: TargetResults) -> None:
    from sqlalchemy import create_engine

    from .harness import _make_up_to_date

    for i, n in enumerate(options.lint_tables):
        options.log(f"[3] cold model lint, {n:,} tables: database...")
        models_dir = workdir / "models"
        metadata, _ = load_metadata(n, models_dir, options.seed, UNCOVERED)
        module = models_module_name(n, options.seed, UNCOVERED)
        url = make_db(f"lint{n}")
        engine = create_engine(url)
        try:
            _make_up_to_date(engine, metadata, use_plugin=False)  # create_all + the FK indexes: fast at 5,000
        finally:
            engine.dispose()
        options.log(f"[3] cold model lint, {n:,} tables: runs...")
        lint, compare = Series("lint_metadata (first call)"), Series("compare_metadata")
        interleave(
            [
                (compare, partial(run_child, ["compare", str(models_dir), module, url], workdir)),
                (lint, partial(run_child, ["lint", str(models_dir), module], workdir)),
            ],
            options.repeat if i == 0 else options.large_repeat,
            options.warmup,
        )
        comp = Comparison("3. model lint, cold", f"{n:,} tables", lint, compare, "inner_wall", 0.10, "≤ 0.10x")
        comp.facts.append(
            f"findings: {lint.payload.get('ops')}; compare_metadata differences: {compare.payload.get('ops')}"
        )
        if options.profile and comp.met is False:
            comp.profile = profile_child(["lint", str(models_dir), module], workdir)
        results.comparisons.append(comp)
    by_size = [c for c in results.comparisons if c.scenario.startswith("3.")]
    if len(by_size) > 1:
        first, last = by_size[0], by_size[-1]
        a, b = first.ours.best("inner_wall"), last.ours.best("inner_wall")
        if a and b:
            last.facts.append(
                f"growth {options.lint_tables[0]:,} -> {options.lint_tables[-1]:,} tables: lint x{b / a:.2f} "
                f"for x{options.lint_tables[-1] / options.lint_tables[0]:.0f} the tables"
            )


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} MiB"


@contextlib.contextmanager
def _postgresql(options: TargetOptions, results: TargetResults) -> Iterator[Callable[[str], str] | None]:
    PostgresServer, create_database, drop_database = postgres_support()
    server: Any = None
    created: list[str] = []
    base = options.postgresql_url or os.environ.get("ALEMBIC_STANDARDS_TEST_DATABASE_URL")
    try:
        if base is None:
            options.log("starting a throwaway PostgreSQL server (tests/support/postgres.py)...")
            server = PostgresServer().start()
            base = str(server.url)
    except Exception as exc:
        results.problems.append(f"PostgreSQL unavailable: {type(exc).__name__}: {exc}")
        yield None
        return

    def make(label: str) -> str:
        url: str = create_database(base, prefix=f"bench_{label}")
        created.append(url)
        return url

    try:
        yield make
    finally:
        for url in created:
            with contextlib.suppress(Exception):
                drop_database(url)
        if server is not None:
            server.stop()


def run_targets(options: TargetOptions) -> TargetResults:
    """Every scenario in ``options``; a failing side becomes a problem, never an exception."""
    from .harness import _machine

    start = time.perf_counter()
    results = TargetResults(options)
    with contextlib.ExitStack() as stack:
        if options.workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="alembic-standards-targets-")))
        else:
            workdir = options.workdir
            workdir.mkdir(parents=True, exist_ok=True)
        # Only scenarios 1 and 3 need PostgreSQL; the checker alone starts no server.
        needs_server = bool({1, 3} & set(options.scenarios))
        make_db = stack.enter_context(_postgresql(options, results)) if needs_server else None
        results.machine = _machine()
        if make_db is not None and 1 in options.scenarios:
            try:
                _autogenerate(options, workdir, make_db, results)
            except Exception as exc:
                results.problems.append(f"scenario 1 failed: {type(exc).__name__}: {exc}"[:300])
        try:
            if 2 in options.scenarios:
                _checker(options, workdir, results)
        except Exception as exc:
            results.problems.append(f"scenario 2 failed: {type(exc).__name__}: {exc}"[:300])
        if make_db is not None and 3 in options.scenarios:
            try:
                _linter(options, workdir, make_db, results)
            except Exception as exc:
                results.problems.append(f"scenario 3 failed: {type(exc).__name__}: {exc}"[:300])
    results.seconds = time.perf_counter() - start
    return results
