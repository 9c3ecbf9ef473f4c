"""Benchmarks: what alembic-standards costs next to the Alembic commands users run anyway.

Run ``python benchmarks/run.py --help`` (see ``benchmarks/README.md`` and ``docs/benchmarks.md``).
This is a package only so that the test suite's smoke run (``tests/test_benchmark_smoke.py``)
can import the harness; it is not shipped in the wheel.
"""
