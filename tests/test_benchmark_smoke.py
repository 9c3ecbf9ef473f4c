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

from benchmarks import harness, report, run, targets  # noqa: E402
from benchmarks.child import apply_declarations  # noqa: E402
from benchmarks.harness import AutogenerateRow, Measurement, Options, Results, run_benchmarks  # noqa: E402
from benchmarks.schema import generate_schema, render_models  # noqa: E402
from benchmarks.targets import TargetOptions, generate_cold_history, run_targets  # noqa: E402

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


# ---------------------------------------------------------------------------------------------- issue-15 targets


def test_targets_run_at_tiny_sizes(postgres_server: str, tmp_path: Path) -> None:
    """All three scenarios run and report well-formed ratios (never a timing assertion)."""
    results = run_targets(
        TargetOptions(
            tables=6,
            lint_tables=(6, 8),
            revisions=(4, 6),
            repeat=2,
            large_repeat=2,
            postgresql_url=postgres_server,
            workdir=tmp_path,
            profile=False,
            warmup=False,
            log=lambda message: None,
        )
    )
    assert results.all_problems() == []
    assert [(c.scenario, c.case) for c in results.comparisons] == [
        ("1. autogenerate (PostgreSQL)", "steady state (nothing to do), 6 tables"),
        ("1. autogenerate (PostgreSQL)", "first migration of an empty database, 6 tables"),
        ("2. static checker, cold", "4 revisions vs alembic history"),
        ("2. static checker, cold", "4 revisions vs read+parse floor"),
        ("2. static checker, cold", "6 revisions vs alembic history"),
        ("2. static checker, cold", "6 revisions vs read+parse floor"),
        ("3. model lint, cold", "6 tables"),
        ("3. model lint, cold", "8 tables"),
    ]
    for c in results.comparisons:
        assert c.ratio is not None and 0 < c.ratio < float("inf"), c
        assert c.noise is not None and 0 <= c.noise < float("inf"), c
        assert c.met in (True, False)
        assert len(c.ours.samples) == len(c.reference.samples) == 2
        assert c.ours.peak_mib and c.reference.peak_mib
    steady, first = results.comparisons[:2]
    for c in (steady, first):  # same SQL, same migration on both sides, every run
        (count,) = c.ours.values("statements") | c.reference.values("statements")
        assert count > 0
        assert c.ours.values("ops") == c.reference.values("ops")
    assert steady.ours.values("ops") == {0}
    assert first.ours.payload["ops"] > 0
    assert any(f.startswith("rendered upgrade(): ") for f in first.facts)
    assert results.comparisons[2].ours.values("exit") == {0}  # findings are warnings
    assert results.comparisons[3].reference.values("files") == {4}
    assert any(f.startswith("the read+parse floor alone is ") for f in results.comparisons[2].facts)
    assert results.comparisons[6].ours.payload["ops"] > 0  # the linter has findings on this schema

    text = report.render_targets(results)
    assert "| 1. autogenerate (PostgreSQL) | steady state (nothing to do), 6 tables |" in text
    assert "PROBLEM" not in text
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"# T\n\nbefore\n\n{report.TARGETS_START}\nold\n{report.TARGETS_END}\n\nafter\n", encoding="utf-8")
    report.write_targets(docs, text)
    written = docs.read_text(encoding="utf-8")
    assert written == f"# T\n\nbefore\n\n{report.TARGETS_START}\n{text}{report.TARGETS_END}\n\nafter\n"


def test_cold_history_has_exactly_two_style_findings_per_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from alembic_standards.cli import main

    generate_cold_history(tmp_path / "versions", 5)
    assert main(["check", "--no-cache", "--no-models", "--quiet", str(tmp_path / "versions")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10
    assert sorted(line.split(" ", 2)[1] for line in lines) == ["AS802"] * 10
    assert sum("upgrade() has no return annotation" in line for line in lines) == 5


def test_profile_of_a_child_names_the_tool(tmp_path: Path) -> None:
    generate_cold_history(tmp_path / "versions", 3)
    # 100 lines, not the report's 22: on three revisions the module imports can outweigh the check
    # itself (they did on CI's oldest row, Python 3.10), and the order among them is the machine's.
    text = targets.profile_child(["check", str(tmp_path / "versions")], tmp_path, top=100)
    assert text.splitlines()[0].strip().endswith("seconds")
    assert "Ordered by: cumulative time" in text and "cli.py" in text and "(_cmd_check)" in text
    assert "<frozen " not in text


def test_declared_models_give_plain_alembic_the_plugins_names() -> None:
    """apply_declarations: a pinned example of what the plain-Alembic side is given."""
    from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table
    from sqlalchemy.sql.elements import conv

    metadata = MetaData()
    Table("parent", metadata, Column("id", Integer, primary_key=True))
    child = Table(
        "child", metadata, Column("id", Integer, primary_key=True), Column("parent_id", ForeignKey("parent.id"))
    )
    apply_declarations(
        metadata,
        {
            "names": [
                ["child", "fk", ["parent_id"], "fk_child_parent_id", True],
                ["child", "pk", ["id"], "pk_child", False],
            ],
            "indexes": [["child", "idx_child_parent_id", ["parent_id"], False, True]],
        },
    )
    (fk,) = child.foreign_key_constraints
    assert isinstance(fk.name, conv) and fk.name == "fk_child_parent_id"
    assert child.primary_key.name == "pk_child" and not isinstance(child.primary_key.name, conv)
    (index,) = child.indexes
    assert index.name == "idx_child_parent_id" and [c.name for c in index.columns] == ["parent_id"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--tables", "1000,2000"],
        ["--lint-tables", "x"],
        ["--large-repeat", "0"],
        ["--scenarios", "4"],
        ["--scenarios", ""],
    ],
)
def test_targets_cli_rejects_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run.main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_the_checker_target_alone_needs_no_postgresql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_server() -> None:
        raise AssertionError("scenario 2 asked for PostgreSQL")

    monkeypatch.setattr(targets, "postgres_support", no_server)
    results = run_targets(
        TargetOptions(
            revisions=(3, 4),
            repeat=1,
            large_repeat=1,
            scenarios=(2,),
            workdir=tmp_path,
            profile=False,
            warmup=False,
            log=lambda message: None,
        )
    )
    assert results.all_problems() == []
    assert {c.scenario for c in results.comparisons} == {"2. static checker, cold"}
    assert run.parse_args(["--scenarios", "3,1"]).scenarios == (1, 3)


def test_profile_of_a_timed_call_leaves_out_the_model_import(tmp_path: Path) -> None:
    from benchmarks.schema import load_metadata, models_module_name

    load_metadata(4, tmp_path / "models")
    text = targets.profile_child(["lint", str(tmp_path / "models"), models_module_name(4)], tmp_path)
    rows = [line for line in text.splitlines() if line.rstrip().endswith(")") and "ncalls" not in line]
    assert rows[0].endswith("(lint_metadata)")  # the profile starts at the timed call
    assert "child.py" not in text  # nothing of the task around it (model import, set-up)


def test_check_split_accounts_for_the_whole_run(tmp_path: Path) -> None:
    generate_cold_history(tmp_path / "versions", 4)
    sample = targets.run_child(["check-split", str(tmp_path / "versions")], tmp_path)
    payload = sample.payload
    assert payload["exit"] == 0 and payload["files"] == 4
    split = payload["split"]
    assert list(split) == ["start-up", "listing", "read", "ast.parse", "rules", "history-wide", "rest"]
    assert all(seconds >= 0 for seconds in split.values()), split
    assert split["ast.parse"] > 0 and split["rules"] > 0 and split["start-up"] > 0
    assert sum(split.values()) == pytest.approx(payload["total"])


def test_split_facts_give_the_rules_what_a_target_leaves() -> None:
    payload = {
        "files": 1000,
        "total": 1.0,
        "split": {
            "start-up": 0.1,
            "listing": 0.0,
            "read": 0.1,
            "ast.parse": 0.3,
            "rules": 0.4,
            "history-wide": 0.1,
            "rest": 0.0,
        },
    }
    # Scaled to a best run of 0.5 s: the rules cost 0.2 s, everything else 0.3 s.
    facts = targets.split_facts(payload, 0.5, 0.4)
    assert facts == [
        "where the checker's 0.500 s go (one untimed run with each phase's CPU, scaled): start-up 0.05 s, "
        "listing 0.00 s, read 0.05 s, ast.parse 0.15 s (150 µs a file), rules 0.20 s (200 µs a file), "
        "history-wide 0.05 s, rest 0.00 s",
        "the target allows 0.400 s: with everything else as measured, that leaves the per-file rules 0.100 s "
        "(100 µs a file, 0.50x their cost now)",
    ]
    assert targets.split_facts(payload, 0.5, 0.25)[1] == (
        "the target allows 0.250 s: everything but the per-file rules already takes 0.300 s, "
        "which leaves the rules nothing"
    )
    assert len(targets.split_facts(payload, 0.5, None)) == 1
