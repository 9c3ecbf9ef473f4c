"""Benchmark alembic-standards against the Alembic commands users already run.

    python -m benchmarks.run [--markdown docs/benchmarks.md]            # the issue-15 targets (default)
    python -m benchmarks.run --suite sweep [--sizes 10,100,1000] [--write docs/benchmarks.md]

``--suite targets`` (the default) measures the three targets of issue 15 in one run, each ratio
beside its A/A noise (``benchmarks/targets.py``); ``--suite sweep`` is the older size sweep
(``benchmarks/harness.py``).  Prints Markdown (progress goes to stderr).  Exit status: 0 when every
row has numbers and the statement counts agree, 1 otherwise (a missing tool, an error, a statement
count mismatch), 2 for bad arguments.  Targets are reported, never enforced by the exit status.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import Options, run_benchmarks
from benchmarks.report import render, render_targets, write_docs, write_targets
from benchmarks.targets import TargetOptions, run_targets

_PREAMBLE = """# Benchmarks

```
python -m benchmarks.run --suite sweep --sizes 10,100,1000 --repeat 5 --database both --write docs/benchmarks.md
```
"""


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes wants comma-separated integers, got {text!r}") from None
    if not sizes or min(sizes) < 2:
        raise argparse.ArgumentTypeError("--sizes wants table counts of at least 2")
    return sizes


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"want comma-separated integers, got {text!r}") from None
    if not counts or min(counts) < 2:
        raise argparse.ArgumentTypeError(f"want counts of at least 2, got {text!r}")
    return counts


def _scenarios(text: str) -> tuple[int, ...]:
    try:
        chosen = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        chosen = ()
    if not chosen or not set(chosen) <= {1, 2, 3}:
        raise argparse.ArgumentTypeError(f"want scenario numbers among 1,2,3, got {text!r}")
    return chosen


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Cost of alembic-standards next to plain Alembic (autogenerate, model linter, migration checker).",
    )
    parser.add_argument(
        "--suite",
        choices=("targets", "sweep"),
        default="targets",
        help="targets: the issue-15 targets with A/A noise (default); sweep: the size sweep",
    )
    parser.add_argument(
        "--repeat", type=int, help="timed rounds per tool, interleaved (default: 7 for targets, 5 for sweep)"
    )
    targets = parser.add_argument_group("--suite targets")
    targets.add_argument("--tables", type=_counts, default=[1000], help="autogenerate schema size (default 1000)")
    targets.add_argument(
        "--lint-tables", type=_counts, default=[1000, 5000], help="model-lint schema sizes (default 1000,5000)"
    )
    targets.add_argument(
        "--cold-revisions", type=_counts, default=[1000, 10000], help="cold-checker histories (default 1000,10000)"
    )
    targets.add_argument("--large-repeat", type=int, default=3, help="rounds for the sizes after the first (default 3)")
    targets.add_argument("--no-profile", action="store_true", help="do not profile (or split) the missed targets")
    targets.add_argument(
        "--scenarios",
        type=_scenarios,
        default=(1, 2, 3),
        help="which targets to run, e.g. 2 or 1,3 (default 1,2,3: all; the docs come from a full run)",
    )
    targets.add_argument(
        "--markdown", type=Path, metavar="FILE", help="write the targets section into FILE (e.g. docs/benchmarks.md)"
    )
    sweep = parser.add_argument_group("--suite sweep")
    sweep.add_argument("--sizes", type=_sizes, default=[10, 100, 1000], help="table counts (default 10,100,1000)")
    sweep.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="both", help="where to autogenerate"
    )
    sweep.add_argument(
        "--revisions", type=int, default=1000, help="revision files for the checker benchmark (0 skips it)"
    )
    parser.add_argument("--seed", type=int, default=2025, help="seed of the synthetic schema and history")
    parser.add_argument(
        "--postgresql-url",
        help="server to create the benchmark databases on (default: $ALEMBIC_STANDARDS_TEST_DATABASE_URL, "
        "else a throwaway server started for the run)",
    )
    parser.add_argument("--workdir", type=Path, help="keep generated models, databases and revisions here")
    sweep.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="skip a tool at a size where one run is predicted (quadratically, from the previous size) to "
        "take more than this many seconds; 0 never skips (default 120)",
    )
    sweep.add_argument("--no-memory", action="store_true", help="skip the tracemalloc peak-memory runs")
    sweep.add_argument("--no-subprocess", action="store_true", help="skip the subprocess checker/history runs")
    sweep.add_argument("--write", type=Path, metavar="MARKDOWN", help="write the results into this file")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.large_repeat < 1:
        parser.error("--large-repeat must be at least 1")
    if len(args.tables) != 1:
        parser.error("--tables takes one size")
    if args.revisions < 0:
        parser.error("--revisions must be 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A killed run must still stop the PostgreSQL server it started and drop its databases:
    # turn SIGTERM into SystemExit so that the harness's ``finally`` blocks run.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.suite == "targets":
        return _targets(args)
    options = Options(
        sizes=args.sizes,
        repeat=args.repeat or 5,
        databases=("sqlite", "postgresql") if args.database == "both" else (args.database,),
        revisions=args.revisions,
        seed=args.seed,
        workdir=args.workdir,
        postgresql_url=args.postgresql_url,
        memory=not args.no_memory,
        subprocess=not args.no_subprocess,
        budget=args.budget,
    )
    results = run_benchmarks(options)
    section = render(results)
    print(section)
    if args.write:
        write_docs(args.write, section, _PREAMBLE)
        print(f"wrote {args.write}", file=sys.stderr)
    problems = results.problems()
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _targets(args: argparse.Namespace) -> int:
    results = run_targets(
        TargetOptions(
            tables=args.tables[0],
            lint_tables=args.lint_tables,
            revisions=args.cold_revisions,
            repeat=args.repeat or 7,
            large_repeat=args.large_repeat,
            seed=args.seed,
            postgresql_url=args.postgresql_url,
            workdir=args.workdir,
            profile=not args.no_profile,
            scenarios=args.scenarios,
        )
    )
    section = render_targets(results)
    print(section)
    if args.markdown:
        write_targets(args.markdown, section)
        print(f"wrote {args.markdown}", file=sys.stderr)
    problems = results.all_problems()
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    print(f"run time {results.seconds:.0f} s", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
