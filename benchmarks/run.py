"""Benchmark alembic-standards against the Alembic commands users already run.

    python benchmarks/run.py [--sizes 10,100,1000] [--repeat 5] [--database sqlite|postgresql|both]
                             [--revisions 1000] [--write docs/benchmarks.md]

Prints the results as Markdown tables (progress goes to stderr).  Exit status: 0 when every row
has numbers and the statement counts agree, 1 otherwise (a missing tool, an error, a statement
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
from benchmarks.report import render, write_docs

_PREAMBLE = """# Benchmarks

```
python benchmarks/run.py --sizes 10,100,1000 --repeat 5 --database both --write docs/benchmarks.md
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Cost of alembic-standards next to plain Alembic (autogenerate, model linter, migration checker).",
    )
    parser.add_argument("--sizes", type=_sizes, default=[10, 100, 1000], help="table counts (default 10,100,1000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per tool, interleaved (default 5)")
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="both", help="where to autogenerate"
    )
    parser.add_argument(
        "--revisions", type=int, default=1000, help="revision files for the checker benchmark (0 skips it)"
    )
    parser.add_argument("--seed", type=int, default=2025, help="seed of the synthetic schema and history")
    parser.add_argument(
        "--postgresql-url",
        help="server to create the benchmark databases on (default: $ALEMBIC_STANDARDS_TEST_DATABASE_URL, "
        "else a throwaway server started for the run)",
    )
    parser.add_argument("--workdir", type=Path, help="keep generated models, databases and revisions here")
    parser.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="skip a tool at a size where one run is predicted (quadratically, from the previous size) to "
        "take more than this many seconds; 0 never skips (default 120)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc peak-memory runs")
    parser.add_argument("--no-subprocess", action="store_true", help="skip the subprocess checker/history runs")
    parser.add_argument("--write", type=Path, metavar="MARKDOWN", help="write the results into this file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.revisions < 0:
        parser.error("--revisions must be 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A killed run must still stop the PostgreSQL server it started and drop its databases:
    # turn SIGTERM into SystemExit so that the harness's ``finally`` blocks run.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    options = Options(
        sizes=args.sizes,
        repeat=args.repeat,
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


if __name__ == "__main__":
    sys.exit(main())
