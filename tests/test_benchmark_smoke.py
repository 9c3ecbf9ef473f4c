"""The benchmark harness, end to end at 10 tables, so it cannot rot between full runs.

Correctness only, never timing: every row has numbers, the SQL statement counts with and without
the plugin are equal on SQLite and on PostgreSQL, the checker finds the problems planted in the
generated history, and the report says "not available" / "MISMATCH" where it must.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import harness, report, run  # noqa: E402
from benchmarks.harness import AutogenerateRow, Measurement, Options, Results, run_benchmarks  # noqa: E402
from benchmarks.schema import generate_schema, render_models  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable


def _options(tmp_path: Path, **kw: object) -> Options:
    base: dict[str, object] = {
        "sizes": (10,),
        "repeat": 1,
        "databases": ("sqlite",),
        "revisions": 0,
        "workdir": tmp_path,
        "log": lambda message: None,
    }
    base.update(kw)
    return Options(**base)  # type: ignore[arg-type]


def test_smoke_run_on_sqlite_and_postgresql(postgres_server: str, tmp_path: Path) -> None:
    results = run_benchmarks(
        _options(
            tmp_path,
            databases=("sqlite", "postgresql"),
            postgresql_url=postgres_server,
            revisions=12,
        )
    )
    assert results.problems() == []
    assert [(r.database, r.scenario) for r in results.autogenerate] == [
        ("sqlite", "empty"),
        ("sqlite", "up-to-date"),
        ("postgresql", "empty"),
        ("postgresql", "up-to-date"),
    ]
    for row in results.autogenerate:
        assert row.plain.median and row.plugin.median and row.plain.peak_bytes and row.plugin.peak_bytes
        # warm-up + 1 timed run + the tracemalloc run... the memory run is not counted; 2 per side
        assert len(row.plain.statements) == len(row.plugin.statements) == 2
        assert row.statements_equal is True
        assert row.plain.statement_count and row.plain.statement_count > 0
        # the plugin adds an index per uncovered foreign key on the empty database
        if row.scenario == "empty":
            assert row.plugin.ops is not None and row.plain.ops is not None
            assert row.plugin.ops >= row.plain.ops + results.schemas[10].uncovered_foreign_keys
    up_to_date = {r.database: r for r in results.autogenerate if r.scenario == "up-to-date"}
    # Reflecting 10 tables takes more statements on SQLite (PRAGMAs per table) than on PostgreSQL (bulk).
    assert up_to_date["sqlite"].plain.statement_count > up_to_date["postgresql"].plain.statement_count  # type: ignore[operator]
    assert [r.database for r in results.linter] == ["sqlite", "postgresql"]
    for lrow in results.linter:
        assert lrow.compare_metadata.median and lrow.linter.median
        assert lrow.linter.ops  # the schema has uncovered FKs and unnamed constraints: findings
    (crow,) = results.checker
    assert crow.history.ops == 12  # one history line per revision
    assert crow.checker.ops  # the planted unindexed foreign keys
    for m in (crow.history, crow.checker, crow.history_cold, crow.history_subprocess, crow.checker_subprocess):
        assert m.median, m.status()
    assert crow.history_subprocess.maxrss_bytes and crow.checker_subprocess.maxrss_bytes
    assert crow.checker_subprocess.maxrss_bytes < 150 * 2**20  # the child's own peak, not the parent's
    # "warm" means warm even under PYTHONDONTWRITEBYTECODE=1: alembic history got its byte-code cache
    assert list((tmp_path / "history_12" / "versions" / "__pycache__").glob("*.pyc"))

    text = report.render(results)
    assert "MISMATCH" not in text
    assert "not available" not in text
    assert "| postgresql | 10 | up-to-date |" in text
    assert "postgresql" in results.machine

    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Title\n\nprose before\n\n" + report.START + "\nold\n" + report.END + "\n\nprose after\n")
    report.write_docs(docs, text, "unused")
    written = docs.read_text()
    assert written.startswith("# Title\n\nprose before\n\n" + report.START + "\n## Results")
    assert written.endswith(report.END + "\n\nprose after\n")
    assert "old" not in written


def test_missing_tool_says_not_available(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "plugin_unavailable", lambda: "alembic_standards.autogenerate: ModuleNotFoundError")
    monkeypatch.setattr(harness, "checker_unavailable", lambda: "alembic_standards.migrations: ModuleNotFoundError")
    results = run_benchmarks(_options(tmp_path, sizes=(4,), revisions=5, subprocess=False))
    for row in results.autogenerate:
        assert row.plain.median
        assert row.plugin.status() == "not available (alembic_standards.autogenerate: ModuleNotFoundError)"
        assert row.statements_equal is None
    assert any("create_all plus an index per uncovered FK" in note for note in results.notes)
    (crow,) = results.checker
    assert crow.history.median
    assert crow.checker.status() == "not available (alembic_standards.migrations: ModuleNotFoundError)"
    text = report.render(results)
    assert "not available (alembic_standards.autogenerate: ModuleNotFoundError)" in text
    assert any("not available" in p for p in results.problems())


def test_statement_mismatch_is_marked(tmp_path: Path) -> None:
    row = AutogenerateRow(
        "postgresql",
        10,
        "empty",
        Measurement(times=[0.1], statements=[8, 8]),
        Measurement(times=[0.1], statements=[8, 9]),
    )
    results = Results(_options(tmp_path), autogenerate=[row])
    assert row.statements_equal is False
    assert "**[8] ≠ [8, 9] MISMATCH**" in report.render(results)
    assert any("MISMATCH" in p for p in results.problems())


def test_failing_tool_is_an_error_row_not_a_crash() -> None:
    def boom() -> harness._Run:
        raise RuntimeError("kaput\nsecond line")

    ok: Callable[[], harness._Run] = lambda: harness._Run(0.01, 3, 1)  # noqa: E731
    good, bad = Measurement(), Measurement()
    harness.interleave([(good, ok), (bad, boom)], repeat=2)
    assert good.times == [0.01, 0.01] and good.statements == [3, 3, 3]
    assert bad.status() == "error: RuntimeError: kaput" and bad.median is None


def test_schema_is_deterministic_and_mixed() -> None:
    assert render_models(generate_schema(100, seed=7)) == render_models(generate_schema(100, seed=7))
    assert render_models(generate_schema(100, seed=7)) != render_models(generate_schema(100, seed=8))
    stats = generate_schema(100).stats()
    assert 1.8 <= stats.foreign_keys / stats.tables <= 2.0
    assert stats.composite_foreign_keys > 0
    assert 0 < stats.uncovered_foreign_keys < stats.foreign_keys
    assert stats.named_constraints > 0 and stats.unnamed_constraints > 0


@pytest.mark.parametrize("argv", [["--sizes", "ten"], ["--sizes", "1"], ["--repeat", "0"], ["--database", "mysql"]])
def test_cli_rejects_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run.main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_budget_skips_a_tool_predicted_too_slow_at_the_next_size() -> None:
    budget = harness._Budget(120.0)
    fast, slow = Measurement(times=[0.5], slowest=0.5), Measurement(times=[9.0], slowest=9.0)
    budget.record("fast", 100, fast)
    budget.record("slow", 100, slow)
    at_1000 = {"fast": Measurement(), "slow": Measurement()}
    for key, m in at_1000.items():
        budget.check(key, 1000, m)
    assert at_1000["fast"].skipped is None  # 0.5 s x 100 = 50 s predicted
    assert at_1000["slow"].status() == (
        "skipped (one run took 9.0 s at 100 tables; about 900 s predicted at 1000, over the 120 s budget)"
    )
    budget.record("slow", 1000, at_1000["slow"])
    later = Measurement()
    budget.check("slow", 2000, later)
    assert later.skipped is not None
    never = harness._Budget(0)
    never.record("slow", 100, slow)
    unlimited = Measurement()
    never.check("slow", 1000, unlimited)
    assert unlimited.skipped is None
