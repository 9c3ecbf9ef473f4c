"""The measuring machinery: interleaved timings, SQL statement counts, peak memory.

Decisions that make the numbers comparable (each recorded in ``docs/benchmarks.md``):

* **Interleaved runs.**  The two sides of a comparison alternate (plain, plugin, plain, plugin...)
  after one untimed warm-up run of each, so that drift (CPU frequency, caches, a noisy neighbour)
  hits both sides alike; we report the median.
* **Statement counts** come from SQLAlchemy's ``before_cursor_execute`` event on the engine, for
  every run (warm-up included), and must be the same with and without the plugin: the plugin's
  promise is that it reads only what Alembic already reflected.
* **Memory is measured in separate runs** (``tracemalloc`` slows Python code down several times,
  so it never overlaps a timed run): the ``tracemalloc`` peak of one in-process run, and for the
  subprocess variants of the migration checker and ``alembic history`` the child's ``ru_maxrss``.
* **The up-to-date database** is built by running the migration the plugin generates on the empty
  database (so it is the plugin's fixed point: the plugin should then propose nothing); when the
  plugin is not available, by ``create_all`` plus an index on every uncovered foreign key.
* A tool that is missing (another module not written yet) makes its row say "not available";
  a tool that raises makes its row say "error: ..." — neither crashes the run.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .revisions import generate_history, write_alembic_project
from .schema import SchemaStats, load_metadata

if TYPE_CHECKING:
    from alembic.operations.ops import OpContainer
    from sqlalchemy import Engine, MetaData

__all__ = [
    "AutogenerateRow",
    "CheckerRow",
    "LinterRow",
    "Measurement",
    "Options",
    "Results",
    "run_benchmarks",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
PLAIN_PLUGINS = ["alembic.autogenerate.*"]
WITH_PLUGIN = ["alembic.autogenerate.*", "alembic_standards.*"]
# Subprocess peak memory: the child's ru_maxrss is useless on Linux, because fork copies the
# parent's high-water mark and exec keeps it (a child of a 450 MiB benchmark process reports
# 450 MiB).  The new address space's own high-water mark, VmHWM in /proc/self/status, is what the
# tool used; the prelude writes it at exit into the file named by $BENCH_HWM_FILE.
_HWM_PRELUDE = """
import atexit, os, sys
def _bench_hwm():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    with open(os.environ["BENCH_HWM_FILE"], "w") as out:
                        out.write(line.split()[1])
    except (OSError, KeyError):
        pass
atexit.register(_bench_hwm)
"""
_CHECKER_SNIPPET = (
    _HWM_PRELUDE
    + "from pathlib import Path\n"
    + "from alembic_standards.config import Config\n"
    + "from alembic_standards.migrations import check_migrations\n"
    + "check_migrations([Path(sys.argv[1])], Config(root=Path(sys.argv[1])))\n"
)
_HISTORY_SNIPPET = (
    _HWM_PRELUDE
    + "import runpy\n"
    + "sys.argv = ['alembic', *sys.argv[1:]]\n"
    + "runpy.run_module('alembic', run_name='__main__', alter_sys=True)\n"
)


@dataclass
class Options:
    sizes: Sequence[int] = (10, 100, 1000)
    repeat: int = 5
    databases: Sequence[str] = ("sqlite", "postgresql")
    revisions: int = 1000
    seed: int = 2025
    workdir: Path | None = None
    """Scratch directory (models, SQLite files, revision files); a temporary one when None."""
    postgresql_url: str | None = None
    """A server to create the benchmark databases on; else ``ALEMBIC_STANDARDS_TEST_DATABASE_URL``,
    else a throwaway server started for the run."""
    memory: bool = True
    subprocess: bool = True
    budget: float = 120.0
    """Skip a tool at a size where one run is predicted to take longer than this many seconds
    (predicted quadratically from its slowest run at the previous size); 0 never skips."""
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr, flush=True))


@dataclass
class Measurement:
    """Several timed runs of one tool on one input."""

    times: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    """SQL statements per run (warm-up included); empty when the tool runs no SQL."""
    ops: int | None = None
    """Operations proposed (autogenerate) or findings reported (linters), from the last run."""
    peak_bytes: int | None = None
    """tracemalloc peak of one separate in-process run."""
    maxrss_bytes: int | None = None
    """ru_maxrss of one subprocess run (subprocess variants only)."""
    slowest: float = 0.0
    """The slowest run, warm-up included (drives the time budget)."""
    error: str | None = None
    unavailable: str | None = None
    skipped: str | None = None
    """Why the tool was not run at this size (over the time budget)."""

    @property
    def ok(self) -> bool:
        return self.error is None and self.unavailable is None and self.skipped is None and bool(self.times)

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.ok else None

    @property
    def statement_count(self) -> int | None:
        """The statement count when every run agreed, else None."""
        return self.statements[0] if self.statements and len(set(self.statements)) == 1 else None

    def status(self) -> str | None:
        """None when there are numbers; otherwise why not."""
        if self.unavailable:
            return f"not available ({self.unavailable})"
        if self.error:
            return f"error: {self.error}"
        if self.skipped:
            return f"skipped ({self.skipped})"
        return None if self.times else "not run"


def ratio(a: Measurement, b: Measurement) -> float | None:
    """median(a) / median(b), or None when either side has no numbers."""
    ma, mb = a.median, b.median
    return ma / mb if ma is not None and mb else None


@dataclass
class AutogenerateRow:
    database: str
    tables: int
    scenario: str  # "empty" | "up-to-date"
    plain: Measurement
    plugin: Measurement

    @property
    def statements_equal(self) -> bool | None:
        """True/False when both sides ran; None when one side has no numbers."""
        if not (self.plain.ok and self.plugin.ok):
            return None
        return set(self.plain.statements) == set(self.plugin.statements) and len(set(self.plain.statements)) == 1


@dataclass
class LinterRow:
    database: str
    tables: int
    compare_metadata: Measurement
    linter: Measurement


@dataclass
class CheckerRow:
    revisions: int
    history: Measurement
    """``alembic.command.history`` in-process, byte-code cache warm."""
    checker: Measurement
    """``check_migrations`` in-process."""
    history_cold: Measurement
    """``alembic.command.history`` in-process with ``__pycache__`` removed before each run."""
    history_subprocess: Measurement
    """``python -m alembic history`` (interpreter start-up and imports included)."""
    checker_subprocess: Measurement
    """``python -c 'check_migrations(...)'`` (interpreter start-up and imports included)."""


@dataclass
class Results:
    options: Options
    machine: dict[str, str] = field(default_factory=dict)
    schemas: dict[int, SchemaStats] = field(default_factory=dict)
    autogenerate: list[AutogenerateRow] = field(default_factory=list)
    linter: list[LinterRow] = field(default_factory=list)
    checker: list[CheckerRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Facts found during the run that a reader of the table needs (e.g. a fixed-point miss)."""
    database_errors: dict[str, str] = field(default_factory=dict)
    """database -> why it could not be benchmarked."""

    def problems(self) -> list[str]:
        """Everything that makes this run not a clean, complete measurement."""
        out = [f"{db}: {why}" for db, why in self.database_errors.items()]
        for row in self.autogenerate:
            where = f"autogenerate {row.database} {row.tables} tables {row.scenario}"
            for side, m in (("plain", row.plain), ("plugin", row.plugin)):
                if m.status():
                    out.append(f"{where} {side}: {m.status()}")
            if row.statements_equal is False:
                out.append(
                    f"{where}: statement count MISMATCH plain={sorted(set(row.plain.statements))} "
                    f"plugin={sorted(set(row.plugin.statements))}"
                )
        for lrow in self.linter:
            for side, m in (("compare_metadata", lrow.compare_metadata), ("linter", lrow.linter)):
                if m.status():
                    out.append(f"linter {lrow.database} {lrow.tables} tables {side}: {m.status()}")
        for crow in self.checker:
            for side, m in (
                ("alembic history", crow.history),
                ("checker", crow.checker),
                ("alembic history (cold)", crow.history_cold),
                ("alembic history (subprocess)", crow.history_subprocess),
                ("checker (subprocess)", crow.checker_subprocess),
            ):
                status = m.status()
                if status and not (side.endswith("(subprocess)") and not self.options.subprocess):
                    out.append(f"migration checker {crow.revisions} revisions, {side}: {status}")
        return out


# ---------------------------------------------------------------------------------------------- tools


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]


def plugin_unavailable() -> str | None:
    """None when the autogenerate plugin can run, else why not."""
    try:
        module = importlib.import_module("alembic_standards.autogenerate")
    except Exception as exc:
        return f"alembic_standards.autogenerate: {_describe(exc)}"
    missing = [name for name in ("compare_table", "arrange_operations") if not hasattr(module, name)]
    if missing:
        return f"alembic_standards.autogenerate lacks {', '.join(missing)}"
    from alembic.runtime import plugins

    registry: dict[str, Any] = getattr(plugins, "_all_plugins", {})
    if registry and not any(name.startswith("alembic_standards.") for name in registry):
        return "no alembic_standards.* entry point registered (is the package installed?)"
    return None


def linter_unavailable() -> str | None:
    try:
        module = importlib.import_module("alembic_standards.models")
    except Exception as exc:
        return f"alembic_standards.models: {_describe(exc)}"
    return None if hasattr(module, "lint_metadata") else "alembic_standards.models lacks lint_metadata"


def checker_unavailable() -> str | None:
    try:
        module = importlib.import_module("alembic_standards.migrations")
    except Exception as exc:
        return f"alembic_standards.migrations: {_describe(exc)}"
    return None if hasattr(module, "check_migrations") else "alembic_standards.migrations lacks check_migrations"


class StatementCounter:
    """Counts cursor executions on one engine (``before_cursor_execute``)."""

    def __init__(self, engine: Engine) -> None:
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args: Any) -> None:
        self.count += 1


def count_ops(container: OpContainer) -> int:
    from alembic.operations.ops import OpContainer

    return sum(count_ops(op) if isinstance(op, OpContainer) else 1 for op in container.ops)


def _leaf_ops(container: OpContainer) -> Iterator[Any]:
    from alembic.operations.ops import OpContainer

    for op in container.ops:
        if isinstance(op, OpContainer):
            yield from _leaf_ops(op)
        else:
            yield op


@dataclass
class _Run:
    seconds: float
    statements: int | None
    ops: int | None


Runner = Callable[[], _Run]


def _timed(fn: Callable[[], int | None]) -> Runner:
    """A runner for a tool that runs no SQL; ``fn`` returns its op/finding count."""

    def run() -> _Run:
        gc.collect()
        start = time.perf_counter()
        ops = fn()
        return _Run(time.perf_counter() - start, None, ops)

    return run


def autogenerate_runner(engine: Engine, counter: StatementCounter, metadata: MetaData, plugins: list[str]) -> Runner:
    def run() -> _Run:
        from alembic.autogenerate import produce_migrations
        from alembic.runtime.migration import MigrationContext

        gc.collect()
        with engine.connect() as conn:
            counter.count = 0
            start = time.perf_counter()
            context = MigrationContext.configure(
                conn, opts={"target_metadata": metadata, "autogenerate_plugins": plugins}
            )
            script = produce_migrations(context, metadata)
            seconds = time.perf_counter() - start
            statements = counter.count
        assert script.upgrade_ops is not None
        return _Run(seconds, statements, count_ops(script.upgrade_ops))

    return run


def compare_metadata_runner(engine: Engine, counter: StatementCounter, metadata: MetaData) -> Runner:
    def run() -> _Run:
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        gc.collect()
        with engine.connect() as conn:
            counter.count = 0
            start = time.perf_counter()
            context = MigrationContext.configure(conn, opts={"autogenerate_plugins": PLAIN_PLUGINS})
            diff = compare_metadata(context, metadata)
            seconds = time.perf_counter() - start
            statements = counter.count
        return _Run(seconds, statements, len(diff))

    return run


def linter_runner(metadata: MetaData) -> Runner:
    def lint() -> int:
        from alembic_standards.config import Config
        from alembic_standards.models import lint_metadata

        return len(lint_metadata([metadata], Config(root=REPO_ROOT)))

    return _timed(lint)


def checker_runner(versions: Path) -> Runner:
    def check() -> int:
        from alembic_standards.config import Config
        from alembic_standards.migrations import check_migrations

        report = check_migrations([versions], Config(root=versions))
        return len(report.findings) + len(report.input_errors)

    return _timed(check)


def history_runner(ini: Path, *, cold: bool = False) -> Runner:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    pycache = ini.parent / "versions" / "__pycache__"

    def run() -> _Run:
        if cold:
            shutil.rmtree(pycache, ignore_errors=True)
        buffer = io.StringIO()
        config = AlembicConfig(str(ini), stdout=buffer)
        # Byte-code caching as on a default Python, even under PYTHONDONTWRITEBYTECODE=1 (set
        # in some CI images): otherwise "warm" would recompile every file, flattering the checker.
        saved, sys.dont_write_bytecode = sys.dont_write_bytecode, False
        try:
            gc.collect()
            start = time.perf_counter()
            command.history(config)
            seconds = time.perf_counter() - start
        finally:
            sys.dont_write_bytecode = saved
        return _Run(seconds, None, buffer.getvalue().count("\n"))

    return run


def subprocess_runner(argv: list[str], measurement: Measurement) -> Runner:
    """Runs ``argv``; records the child's peak RSS (max over runs) on ``measurement``."""

    def run() -> _Run:
        hwm_file = Path(tempfile.mkstemp(prefix="bench-hwm-")[1])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # byte-code caching as on a default Python, for both tools
        env["BENCH_HWM_FILE"] = str(hwm_file)
        start = time.perf_counter()
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            # The checker exits 0 (clean) or 1 (findings); anything else is a failure.
            if proc.returncode not in (0, 1):
                err.seek(0)
                tail = err.read().decode(errors="replace").strip().splitlines()[-1:] or [""]
                raise RuntimeError(f"{' '.join(argv[:3])}... exited {proc.returncode}: {tail[0]}")
        try:
            rss = int(hwm_file.read_text() or 0) * 1024  # VmHWM, kB
        except (OSError, ValueError):
            rss = 0
        finally:
            hwm_file.unlink(missing_ok=True)
        if not rss:  # no /proc (macOS): ru_maxrss, an upper bound there
            rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        measurement.maxrss_bytes = max(measurement.maxrss_bytes or 0, rss)
        return _Run(seconds, None, None)

    return run


def _record(measurement: Measurement, result: _Run, *, timed: bool) -> None:
    if timed:
        measurement.times.append(result.seconds)
    if result.statements is not None:
        measurement.statements.append(result.statements)
    measurement.ops = result.ops


def interleave(pairs: Sequence[tuple[Measurement, Runner | None]], repeat: int) -> None:
    """One untimed warm-up of each runner, then ``repeat`` rounds in the given order.

    A runner that raises marks its measurement with the error and is not run again; the others go on.
    """
    active = [(m, r) for m, r in pairs if r is not None and m.unavailable is None and m.skipped is None]
    for round_no in range(repeat + 1):
        for measurement, runner in active:
            if measurement.error is not None:
                continue
            try:
                result = runner()
            except Exception as exc:
                measurement.error = _describe(exc)
                measurement.times.clear()
                continue
            _record(measurement, result, timed=round_no > 0)
            measurement.slowest = max(measurement.slowest, result.seconds)


def measure_peak(measurement: Measurement, runner: Runner | None) -> None:
    """tracemalloc peak of one extra run (not timed)."""
    if runner is None or not measurement.ok:
        return
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        runner()
        measurement.peak_bytes = tracemalloc.get_traced_memory()[1]
    except Exception as exc:
        measurement.error = _describe(exc)
    finally:
        tracemalloc.stop()


class _Budget:
    """Predicts a tool's run time at the next size from its slowest run at the previous one.

    Quadratic extrapolation on purpose: it is the pessimistic case that matters (a tool that is
    quadratic would take hours at 1,000 tables), and it costs a linear tool only a wrong skip when
    its runs were already close to the budget.
    """

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.seen: dict[str, tuple[int, float]] = {}
        self.skipped: dict[str, str] = {}

    def check(self, key: str, size: int, measurement: Measurement) -> None:
        if not self.budget or measurement.unavailable:
            return
        if key in self.skipped:  # skipped at a smaller size: stays skipped
            measurement.skipped = self.skipped[key]
            return
        previous = self.seen.get(key)
        if previous is None:
            return
        prev_size, seconds = previous
        predicted = seconds * (size / prev_size) ** 2
        if predicted > self.budget:
            measurement.skipped = (
                f"one run took {seconds:.1f} s at {prev_size} tables; about {predicted:,.0f} s predicted at "
                f"{size}, over the {self.budget:.0f} s budget"
            )

    def record(self, key: str, size: int, measurement: Measurement) -> None:
        if measurement.ok:
            self.seen[key] = (size, measurement.slowest)
        elif measurement.skipped:
            self.skipped[key] = measurement.skipped


# ---------------------------------------------------------------------------------------------- databases


@dataclass
class _Database:
    name: str  # "sqlite" | "postgresql"
    make_url: Callable[[str], str]
    """label -> URL of a new, empty database."""
    drop: Callable[[str], None]


@contextlib.contextmanager
def _databases(options: Options, workdir: Path, results: Results) -> Iterator[list[_Database]]:
    out: list[_Database] = []
    created: list[tuple[_Database, str]] = []
    server: Any = None
    if "sqlite" in options.databases:

        def sqlite_url(label: str) -> str:
            path = workdir / f"{label}.sqlite"
            path.unlink(missing_ok=True)
            return f"sqlite:///{path}"

        out.append(_Database("sqlite", sqlite_url, lambda url: None))
    if "postgresql" in options.databases:
        PostgresServer, create_database, drop_database = postgres_support()
        base = options.postgresql_url or os.environ.get("ALEMBIC_STANDARDS_TEST_DATABASE_URL")
        try:
            if base is None:
                options.log("starting a throwaway PostgreSQL server (tests/support/postgres.py)...")
                server = PostgresServer().start()
                base = str(server.url)
            out.append(
                _Database("postgresql", lambda label: create_database(base, prefix=f"bench_{label}"), drop_database)
            )
        except Exception as exc:
            results.database_errors["postgresql"] = f"PostgreSQL unavailable: {_describe(exc)}"
    wrapped = []
    for db in out:

        def make(label: str, db: _Database = db) -> str:
            url = db.make_url(label)
            created.append((db, url))
            return url

        wrapped.append(_Database(db.name, make, db.drop))
    try:
        yield wrapped
    finally:
        for db, url in created:
            with contextlib.suppress(Exception):
                db.drop(url)
        if server is not None:
            server.stop()


def _server_version(engine: Engine) -> str:
    with engine.connect() as conn:
        info = conn.dialect.server_version_info or ()
    return ".".join(str(p) for p in info)


def _make_up_to_date(engine: Engine, metadata: MetaData, use_plugin: bool) -> str:
    """Bring an empty database to the schema; return how it was done."""
    from alembic.autogenerate import produce_migrations
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    if use_plugin:
        with engine.begin() as conn:
            context = MigrationContext.configure(
                conn, opts={"target_metadata": metadata, "autogenerate_plugins": WITH_PLUGIN}
            )
            script = produce_migrations(context, metadata)
            operations = Operations(context)
            assert script.upgrade_ops is not None
            for op in _leaf_ops(script.upgrade_ops):
                operations.invoke(op)
        return "the plugin's generated upgrade"
    from sqlalchemy import Index

    from alembic_standards.coverage import foreign_key_columns, uncovered_foreign_keys
    from alembic_standards.naming import truncate_name

    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            for fk in uncovered_foreign_keys(table):
                cols = foreign_key_columns(fk)
                index = Index(truncate_name(f"idx_{table.name}_{'_'.join(cols)}"), *(table.c[c] for c in cols))
                index.create(conn)
                table.indexes.discard(index)  # keep the models as they were
    return "create_all plus an index per uncovered FK (plugin not available, or over the time budget)"


# ---------------------------------------------------------------------------------------------- the run


def _machine(options: Options | None = None) -> dict[str, str]:
    import datetime as dt
    import platform
    import sqlite3
    from importlib import metadata as md

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    commit = "?"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()

    def version(dist: str) -> str:
        try:
            return md.version(dist)
        except md.PackageNotFoundError:
            return "not installed"

    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "alembic": version("alembic"),
        "sqlalchemy": version("SQLAlchemy"),
        "alembic-standards": f"{version('alembic-standards')} (commit {commit})",
        "sqlite": sqlite3.sqlite_version,
        "psycopg": version("psycopg"),
    }


def run_benchmarks(options: Options) -> Results:
    """Run every benchmark in ``options``; never raises for a missing or failing tool."""
    from sqlalchemy import create_engine

    results = Results(options, machine=_machine(options))
    log = options.log
    with contextlib.ExitStack() as stack:
        if options.workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="alembic-standards-bench-")))
        else:
            workdir = options.workdir
            workdir.mkdir(parents=True, exist_ok=True)
        plugin_missing = plugin_unavailable()
        linter_missing = linter_unavailable()
        databases = stack.enter_context(_databases(options, workdir, results))
        budget = _Budget(options.budget)
        noted: set[tuple[str, str]] = set()
        for size in options.sizes:
            log(f"[{size} tables] generating the schema...")
            metadata, stats = load_metadata(size, workdir / "models", seed=options.seed)
            results.schemas[size] = stats
            for db in databases:
                engines: dict[str, Engine] = {}
                counters: dict[str, StatementCounter] = {}
                try:
                    for scenario in ("empty", "up-to-date"):
                        engine = create_engine(db.make_url(f"{size}_{scenario.replace('-', '')}"))
                        engines[scenario], counters[scenario] = engine, StatementCounter(engine)
                    if db.name == "postgresql" and "postgresql" not in results.machine:
                        results.machine["postgresql"] = _server_version(engines["empty"])
                    log(f"[{size} tables] {db.name}: building the up-to-date database...")
                    plugin_key = f"{db.name}:empty:plugin"
                    probe = Measurement()
                    budget.check(plugin_key, size, probe)
                    how = _make_up_to_date(
                        engines["up-to-date"], metadata, plugin_missing is None and probe.skipped is None
                    )
                    if (db.name, how) not in noted:
                        noted.add((db.name, how))
                        results.notes.append(f"{db.name}, from {size} tables: up-to-date database built from {how}.")
                    for scenario, engine in engines.items():
                        # Priming (neither timed nor counted): SQLAlchemy fills per-engine dialect
                        # caches on the first reflection (PostgreSQL loads pg_am once), which would
                        # otherwise land on whichever side happens to run first.
                        autogenerate_runner(engine, counters[scenario], metadata, PLAIN_PLUGINS)()
                    for scenario in ("empty", "up-to-date"):
                        log(f"[{size} tables] {db.name}: autogenerate on the {scenario} database...")
                        engine, counter = engines[scenario], counters[scenario]
                        row = AutogenerateRow(
                            db.name, size, scenario, Measurement(), Measurement(unavailable=plugin_missing)
                        )
                        plain = autogenerate_runner(engine, counter, metadata, PLAIN_PLUGINS)
                        plugin = autogenerate_runner(engine, counter, metadata, WITH_PLUGIN)
                        keys = {side: f"{db.name}:{scenario}:{side}" for side in ("plain", "plugin")}
                        budget.check(keys["plain"], size, row.plain)
                        budget.check(keys["plugin"], size, row.plugin)
                        interleave([(row.plain, plain), (row.plugin, plugin)], options.repeat)
                        budget.record(keys["plain"], size, row.plain)
                        budget.record(keys["plugin"], size, row.plugin)
                        if options.memory:
                            measure_peak(row.plain, plain)
                            measure_peak(row.plugin, plugin)
                        if scenario == "up-to-date" and row.plugin.ok and row.plugin.ops:
                            results.notes.append(
                                f"{db.name}, {size} tables: with the plugin, autogenerate on the database built "
                                f"from its own migration still proposes {row.plugin.ops} operations "
                                "(not a fixed point)."
                            )
                        results.autogenerate.append(row)
                    log(f"[{size} tables] {db.name}: model linter vs compare_metadata...")
                    lrow = LinterRow(db.name, size, Measurement(), Measurement(unavailable=linter_missing))
                    compare = compare_metadata_runner(engines["up-to-date"], counters["up-to-date"], metadata)
                    lint = linter_runner(metadata)
                    budget.check(f"{db.name}:compare", size, lrow.compare_metadata)
                    budget.check(f"{db.name}:linter", size, lrow.linter)
                    interleave([(lrow.compare_metadata, compare), (lrow.linter, lint)], options.repeat)
                    budget.record(f"{db.name}:compare", size, lrow.compare_metadata)
                    budget.record(f"{db.name}:linter", size, lrow.linter)
                    if options.memory:
                        measure_peak(lrow.compare_metadata, compare)
                        measure_peak(lrow.linter, lint)
                    results.linter.append(lrow)
                except Exception as exc:
                    results.database_errors[f"{db.name} ({size} tables)"] = _describe(exc)
                finally:
                    for engine in engines.values():
                        engine.dispose()
        if options.revisions:
            results.checker.append(_checker(options, workdir))
    return results


def _checker(options: Options, workdir: Path) -> CheckerRow:
    n = options.revisions
    options.log(f"[{n} revisions] static migration checker vs alembic history...")
    project = workdir / f"history_{n}"
    shutil.rmtree(project, ignore_errors=True)
    generate_history(project / "versions", n, seed=options.seed)
    ini = write_alembic_project(project)
    versions = project / "versions"
    missing = checker_unavailable()
    row = CheckerRow(
        n,
        history=Measurement(),
        checker=Measurement(unavailable=missing),
        history_cold=Measurement(),
        history_subprocess=Measurement(),
        checker_subprocess=Measurement(unavailable=missing),
    )
    history = history_runner(ini)
    checker = checker_runner(versions)
    interleave([(row.history, history), (row.checker, checker)], options.repeat)
    interleave([(row.history_cold, history_runner(ini, cold=True))], options.repeat)
    if options.memory:
        measure_peak(row.history, history)
        measure_peak(row.checker, checker)
    if options.subprocess:
        hist_argv = [sys.executable, "-c", _HISTORY_SNIPPET, "-c", str(ini), "history"]
        check_argv = [sys.executable, "-c", _CHECKER_SNIPPET, str(versions)]
        interleave(
            [
                (row.history_subprocess, subprocess_runner(hist_argv, row.history_subprocess)),
                (row.checker_subprocess, subprocess_runner(check_argv, row.checker_subprocess)),
            ],
            options.repeat,
        )
    else:
        row.history_subprocess.unavailable = row.checker_subprocess.unavailable = "skipped (--no-subprocess)"
    return row


def postgres_support() -> tuple[Any, Any, Any]:
    """The test suite's throwaway-server helpers (``tests/support/postgres.py``):
    ``PostgresServer``, ``create_database``, ``drop_database``."""
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    try:
        from support.postgres import (  # type: ignore[import-not-found,unused-ignore]
            PostgresServer,
            create_database,
            drop_database,
        )
    finally:
        sys.path.remove(str(REPO_ROOT / "tests"))
    return PostgresServer, create_database, drop_database
