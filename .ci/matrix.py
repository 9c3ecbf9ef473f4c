#!/usr/bin/env python3
"""CI's version matrix: the supported range in the README's "Supported versions" table, proven.

Why a script: the same matrix runs in CI (``.ci/run`` calls it) and on a laptop
(``python3 .ci/matrix.py``, ``--rows oldest,newest``, ``--list``).  Each row is a fresh virtual
environment with exact pins, from one wheel built once, through pip's cache.

* ``oldest`` and ``newest`` run the whole test suite (``pytest``; the suite starts its own
  PostgreSQL, and ``CI`` makes a failure to start it an error, never a skip).
* every other row runs the sample project's demo (``sample_project/demo.sh``: autogenerate with
  the plugin, both directions, ``alembic check``, the checker) and the sample project's
  pytest-alembic checks (``tests/test_testing_sample.py``: ``pytest`` inside a copy of the sample
  project, with that row's pytest) plus ``tests/test_compat.py`` (exact generated files, the
  refusals through the ``alembic`` CLI, the entry point without warnings).
* The demo's generated migration must be byte-identical on every row (Create Date aside).

A missing Python interpreter fails the row (CI must not shrink the matrix silently).  Exit 0
when every row passed; a summary with each row's wall time is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"

SQLA_20 = "2.0.58"
SQLA_21 = "2.1.9"  # SQLAlchemy 2.1 requires Python 3.11+


@dataclass(frozen=True)
class Row:
    name: str
    python: str
    alembic: str
    sqlalchemy: str
    pytest: str
    full: bool = False

    def describe(self) -> str:
        scope = "whole suite" if self.full else "demo + sample checks"
        return (
            f"{self.name:8} Python {self.python:5} Alembic {self.alembic:7} SQLAlchemy {self.sqlalchemy:7} "
            f"pytest {self.pytest:6} {scope}"
        )


# Every Alembic minor 1.13..1.20 (the newest patch of each, plus 1.18.0 and 1.20.0, the first
# versions to iterate the entry point), SQLAlchemy 2.0 and 2.1, Python 3.10-3.13, pytest 8/9.1/9.2.
ROWS = (
    Row("oldest", "3.10", "1.13.3", SQLA_20, "8.4.2", full=True),
    Row("newest", "3.13", "1.20.1", SQLA_21, "9.2.0", full=True),
    Row("a1.13", "3.12", "1.13.3", SQLA_21, "9.2.0"),
    Row("a1.14", "3.11", "1.14.1", SQLA_20, "9.1.1"),
    Row("a1.15", "3.12", "1.15.2", SQLA_20, "8.4.2"),
    Row("a1.16", "3.11", "1.16.5", SQLA_21, "9.2.0"),
    Row("a1.17", "3.12", "1.17.2", SQLA_21, "9.1.1"),
    Row("a1.18.0", "3.11", "1.18.0", SQLA_20, "9.2.0"),
    Row("a1.18", "3.12", "1.18.5", SQLA_21, "8.4.2"),
    Row("a1.19", "3.10", "1.19.2", SQLA_20, "9.1.1"),
    Row("a1.20.0", "3.13", "1.20.0", SQLA_21, "9.1.1"),
)

# Tests of features the oldest Alembic does not have, deselected on that row only (each with
# the Alembic version that introduced the feature).
NEEDS = {
    (1, 16): [
        # `alembic-standards init --config-kind pyproject` ([tool.alembic] support) and the
        # `script_location = %(here)s/...` that `alembic init` writes from 1.16 on.
        "tests/test_cli.py::test_init_with_pyproject_config_kind_puts_alembic_settings_in_pyproject",
        "tests/test_scaffold.py::test_init_project",
        "tests/test_scaffold.py::test_init_project_with_pyproject_configuration",
        "tests/test_scaffold.py::test_stock_alembic_init_with_the_absolute_template_path",
        "tests/test_autogenerate.py::test_config_is_discovered_next_to_the_alembic_ini",
        "tests/test_autogenerate.py::test_config_error_from_the_cli",
        # safe_migrations: create_foreign_key(..., postgresql_not_valid=True) rendered with its
        # keyword (earlier Alembic drops it; the hook refuses there, which the oldest row tests).
        *(
            f"tests/test_autogenerate_safe.py::{name}"
            for name in (
                "test_safe_revision_runs_on_a_populated_table_while_writes_continue",
                "test_safe_forms_on_existing_tables_exact_text_and_round_trip",
                "test_generated_revision_passes_the_static_checker",
                "test_steps_without_a_safe_form_are_refused_and_nothing_is_written",
                "test_unsafe_reason_lets_the_revision_through",
                "test_rules_switched_off_are_not_refused",
                "test_batch_mode_on_postgresql_keeps_autocommit_blocks_out_of_batch_blocks",
                "test_alembic_check_reports_the_safe_forms_as_drift",
            )
        ),
    ],
    (1, 18): [
        # Alembic's plugin registry (alembic.runtime.plugins) and plugin loading during import.
        "tests/test_autogenerate.py::test_import_alembic_in_a_fresh_interpreter_loads_the_plugin",
        "tests/test_packaging.py::test_import_alembic_loads_only_the_thin_plugin_module",
        # benchmarks/run.py counts the plugin's cost through alembic.runtime.plugins.
        "tests/test_benchmark_smoke.py::test_smoke_run_on_sqlite_and_postgresql",
        "tests/test_benchmark_smoke.py::test_targets_run_at_tiny_sizes",
        # Before 1.18, importing the package registers the legacy comparators, which imports
        # Alembic (and so SQLAlchemy and importlib.metadata) on every command.
        "tests/test_startup_cost.py::test_the_check_path_reads_no_package_metadata",
        "tests/test_startup_cost.py::test_the_check_path_imports_no_sqlalchemy_alembic_or_model_linter",
        "tests/test_startup_cost.py::test_the_check_path_imports_no_cache_or_hash_machinery",
        "tests/test_startup_cost.py::test_parsing_a_check_command_line_does_not_ask_the_terminal_for_its_width",
    ],
    (1, 19): [
        # Rendering of create_check_constraint ops (NotImplementedError before 1.19).
        "tests/test_reversal.py::test_op_objects_and_source_give_the_same_changes",
        "tests/test_autogenerate_safe.py::test_a_check_constraint_is_added_not_valid_then_validated",
    ],
}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2])


def interpreter(version: str) -> Path:
    for candidate in sorted(PYENV.glob(f"{version}.*")):
        python = candidate / "bin" / "python"
        if python.exists():
            return python
    found = shutil.which(f"python{version}")
    if found:
        return Path(found)
    raise SystemExit(f"matrix: Python {version} not found (looked in {PYENV} and PATH): CI must have it")


def run(cmd: list[str | Path], log: Path, **kw: object) -> int:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(map(str, cmd))}\n")
        out.flush()
        return subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False, **kw).returncode  # type: ignore[call-overload]


def build_wheel(work: Path) -> Path:
    dist = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (wheel,) = dist.glob("alembic_standards-*.whl")
    return wheel


def migration_text(demo_output: str) -> str:
    """The generated migration the demo prints (between its two step banners)."""
    match = re.search(r"== the generated migration.*?\n(.*?)\n[^\n]*== alembic upgrade head;", demo_output, re.S)
    if match is None:
        return ""
    return re.sub(r"(?m)^Create Date: .*$", "Create Date: <date>", match.group(1))


def run_row(row: Row, wheel: Path, work: Path) -> tuple[bool, str, str]:
    """(passed, summary, demo migration text)."""
    log = work / f"{row.name}.log"
    venv = work / f"venv-{row.name}"
    python = interpreter(row.python)
    steps: list[tuple[str, int]] = []
    steps.append(("venv", run([python, "-m", "venv", venv], log)))
    pins = [f"alembic=={row.alembic}", f"sqlalchemy=={row.sqlalchemy}", f"pytest=={row.pytest}"]
    extras = "test" if row.full else "postgresql,pytest"
    steps.append(("install", run([venv / "bin" / "pip", "install", "-q", f"{wheel}[{extras}]", *pins], log)))
    env = {**os.environ, "CI": os.environ.get("CI", "1"), "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    env.pop("DATABASE_URL", None)
    demo = ""
    if all(code == 0 for _, code in steps):
        # Prove the pins held (pip must not have resolved something else).
        check = (
            "import alembic, sqlalchemy, pytest; print(alembic.__version__, sqlalchemy.__version__, pytest.__version__)"
        )
        got = subprocess.run([venv / "bin" / "python", "-c", check], capture_output=True, text=True, check=False)
        wanted = f"{row.alembic} {row.sqlalchemy} {row.pytest}"
        steps.append(
            (f"pins ({got.stdout.strip() or got.stderr.strip()[-200:]})", 0 if got.stdout.strip() == wanted else 1)
        )
        if row.full:
            deselect = [
                arg
                for minimum, tests in NEEDS.items()
                if _version(row.alembic) < minimum
                for test in tests
                for arg in ("--deselect", test)
            ]
            steps.append(
                (
                    "suite",
                    run([venv / "bin" / "pytest", "-q", "-p", "no:cacheprovider", *deselect], log, cwd=ROOT, env=env),
                )
            )
        else:
            demo_log = work / f"{row.name}.demo.log"
            code = run(["bash", ROOT / "sample_project" / "demo.sh"], demo_log, cwd=work, env=env)
            demo = migration_text(demo_log.read_text(encoding="utf-8"))
            steps.append(("demo", code if demo else 1))
            tests = ["tests/test_testing_sample.py", "tests/test_compat.py"]
            steps.append(
                (
                    "sample checks",
                    run([venv / "bin" / "pytest", "-q", "-p", "no:cacheprovider", *tests], log, cwd=ROOT, env=env),
                )
            )
    passed = all(code == 0 for _, code in steps)
    summary = ", ".join(f"{name} {'ok' if code == 0 else 'FAILED'}" for name, code in steps)
    return passed, summary, demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", help="comma-separated row names (default: all)")
    parser.add_argument("--list", action="store_true", help="print the rows and exit")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, venvs)")
    parser.add_argument("--jobs", type=int, default=2, help="rows run at the same time (default 2: CI's 2 cores)")
    args = parser.parse_args(argv)
    rows = [r for r in ROWS if not args.rows or r.name in args.rows.split(",")]
    if args.list:
        for row in ROWS:
            print(row.describe())
        return 0
    if args.rows and len(rows) != len(args.rows.split(",")):
        parser.error(f"unknown row in {args.rows!r}; see --list")
    for row in rows:  # fail fast on a missing interpreter, before any work
        interpreter(row.python)
    work = Path(tempfile.mkdtemp(prefix="alembic-standards-matrix."))
    started = time.monotonic()
    results: list[tuple[Row, bool, str, float]] = []
    demos: dict[str, str] = {}
    try:
        wheel = build_wheel(work)

        def one(row: Row) -> tuple[Row, bool, str, float, str]:
            t0 = time.monotonic()
            print(f"matrix: start {row.describe()}", flush=True)
            passed, summary, demo = run_row(row, wheel, work)
            elapsed = time.monotonic() - t0
            print(f"matrix: {row.name}: {'passed' if passed else 'FAILED'} in {elapsed:.0f}s ({summary})", flush=True)
            if not passed:
                print((work / f"{row.name}.log").read_text(encoding="utf-8")[-6000:], file=sys.stderr, flush=True)
            return row, passed, summary, elapsed, demo

        # The two whole-suite rows first (the longest), then the short ones fill the other slot.
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for row, passed, summary, elapsed, demo in pool.map(one, rows):
                if demo:
                    demos[row.name] = demo
                results.append((row, passed, summary, elapsed))
        distinct = set(demos.values())
        same = len(distinct) <= 1
        print("\nmatrix summary")
        for row, passed, _summary, elapsed in results:
            print(f"  {'ok    ' if passed else 'FAILED'} {row.describe()}  {elapsed:5.0f}s")
        print(f"  demo migration identical on {len(demos)} row(s): {'yes' if same else 'NO'}")
        print(f"  total wall time: {time.monotonic() - started:.0f}s")
        if not same:
            for name, text in demos.items():
                print(f"--- {name}\n{text}", file=sys.stderr)
        return 0 if same and all(passed for _, passed, _, _ in results) else 1
    finally:
        if args.keep:
            print(f"matrix: work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
