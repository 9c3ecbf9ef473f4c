"""Turn :class:`~benchmarks.harness.Results` into Markdown tables, and write them into the docs.

``docs/benchmarks.md`` mixes generated numbers with hand-written analysis (methodology, profiles,
what limits a missed target).  ``--write`` therefore replaces only the part between the
``<!-- benchmark-results:start -->`` and ``<!-- benchmark-results:end -->`` markers and keeps the
prose around it; a file without the markers gets them appended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from .harness import Measurement, Results
    from .targets import TargetResults

__all__ = [
    "END",
    "START",
    "TARGETS_END",
    "TARGETS_START",
    "render",
    "render_targets",
    "targets",
    "write_docs",
    "write_targets",
]

START = "<!-- benchmark-results:start -->"
END = "<!-- benchmark-results:end -->"

AUTOGEN_TARGET = 1.05
LINTER_TARGET = 0.10
CHECKER_TARGET = 3.0


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:,.1f} ms"
    return f"{seconds:,.2f} s"


def _mib(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:,.1f} MiB"


def _ratio(value: float | None, digits: int = 3) -> str:
    if value == float("inf"):
        return "skipped: over the time budget"
    return "-" if value is None else f"{value:.{digits}f}x"


def _cell(m: Measurement) -> str:
    """The median, or why there is none."""
    status = m.status()
    return status if status else _time(m.median)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out


def _pair(a: object, b: object) -> str:
    return f"{'-' if a is None else a} / {'-' if b is None else b}"


def targets(results: Results) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met?) for each target of the benchmarks issue; met is None when unmeasured."""
    from .harness import ratio as _plain_ratio

    def ratio(a: Measurement, b: Measurement) -> float | None:
        # A side skipped for being over the time budget has missed any ratio target.
        if a.skipped and b.ok:
            return float("inf")
        return _plain_ratio(a, b)

    out: list[tuple[str, str, bool | None]] = []
    if results.autogenerate:
        largest = max(r.tables for r in results.autogenerate)
        for row in (r for r in results.autogenerate if r.tables == largest):
            value = ratio(row.plugin, row.plain)
            out.append(
                (
                    f"plugin autogenerate ≤ {AUTOGEN_TARGET:.2f}x plain ({row.database}, {largest} tables, "
                    f"{row.scenario} database)",
                    _ratio(value),
                    None if value is None else value <= AUTOGEN_TARGET,
                )
            )
        equal = [r.statements_equal for r in results.autogenerate]
        measured = [e for e in equal if e is not None]
        unmeasured = len(equal) - len(measured)
        out.append(
            (
                "identical SQL statement count with and without the plugin, every size",
                f"{sum(measured)} of {len(measured)} measured comparisons equal"
                + (f" ({unmeasured} not measured)" if unmeasured else ""),
                False if not all(measured) else (None if unmeasured or not measured else True),
            )
        )
    for lrow in results.linter:
        if lrow.tables != max(r.tables for r in results.linter):
            continue
        value = ratio(lrow.linter, lrow.compare_metadata)
        out.append(
            (
                f"model linter ≤ {LINTER_TARGET:.2f}x compare_metadata ({lrow.database}, {lrow.tables} tables)",
                _ratio(value),
                None if value is None else value <= LINTER_TARGET,
            )
        )
    for crow in results.checker:
        value = ratio(crow.history, crow.checker)
        out.append(
            (
                f"static checker ≥ {CHECKER_TARGET:.0f}x faster than `alembic history` ({crow.revisions} revisions, "
                "in-process, byte-code cache warm)",
                _ratio(value, 2),
                None if value is None else value >= CHECKER_TARGET,
            )
        )
    return out


def render(results: Results) -> str:
    """The whole results section as Markdown (also what the command prints)."""
    from .harness import ratio

    o = results.options
    lines = [
        "## Results",
        "",
        f"Command: `python benchmarks/run.py --sizes {','.join(map(str, o.sizes))} --repeat {o.repeat} "
        f"--database {'both' if len(o.databases) == 2 else o.databases[0]} --revisions {o.revisions}`",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in results.machine.items()),
        "",
        "### Targets",
        "",
    ]
    met_text = {True: "met", False: "**missed**", None: "not (fully) measured"}
    lines += _table(["target", "measured", "result"], [[t, m, met_text[ok]] for t, m, ok in targets(results)])
    lines += ["", "### Synthetic schemas", ""]
    lines += _table(
        ["tables", "foreign keys", "composite FKs", "uncovered FKs", "named constraints", "unnamed constraints"],
        [
            [str(n), str(s.foreign_keys), str(s.composite_foreign_keys), str(s.uncovered_foreign_keys),
             str(s.named_constraints), str(s.unnamed_constraints)]
            for n, s in sorted(results.schemas.items())
        ],
    )  # fmt: skip
    lines += [
        "",
        "### 1. Autogenerate: plain Alembic vs with the plugin",
        "",
        f"`produce_migrations()` with `autogenerate_plugins` = `{['alembic.autogenerate.*']}` (plain) or "
        "`['alembic.autogenerate.*', 'alembic_standards.*']` (plugin). Median of "
        f"{o.repeat} interleaved runs after one warm-up each. Statements: `before_cursor_execute` "
        "events per run (every run, warm-up included, must agree). Peak: tracemalloc peak of one extra run.",
        "",
    ]
    rows = []
    for r in results.autogenerate:
        if r.statements_equal is None:
            statements = _pair(r.plain.statement_count, r.plugin.statement_count)
        elif r.statements_equal:
            statements = f"{r.plain.statement_count} = {r.plugin.statement_count}"
        else:
            statements = f"**{sorted(set(r.plain.statements))} ≠ {sorted(set(r.plugin.statements))} MISMATCH**"
        rows.append(
            [
                r.database, str(r.tables), r.scenario, _cell(r.plain), _cell(r.plugin),
                _ratio(ratio(r.plugin, r.plain)), statements, _pair(r.plain.ops, r.plugin.ops),
                _pair(_mib(r.plain.peak_bytes), _mib(r.plugin.peak_bytes)),
            ]
        )  # fmt: skip
    lines += _table(
        ["database", "tables", "database state", "plain", "plugin", "plugin / plain", "SQL statements",
         "ops proposed (plain / plugin)", "peak memory (plain / plugin)"],
        rows,
    )  # fmt: skip
    lines += [
        "",
        "### 2. Model linter vs Alembic's `compare_metadata`",
        "",
        "`lint_metadata([metadata], Config())` against `compare_metadata()` of the same MetaData with the "
        "up-to-date database (what `alembic check` does). Interleaved, median.",
        "",
    ]
    lines += _table(
        ["database", "tables", "compare_metadata", "model linter", "linter / compare_metadata",
         "diffs / findings", "peak memory (compare / linter)"],
        [
            [r.database, str(r.tables), _cell(r.compare_metadata), _cell(r.linter),
             _ratio(ratio(r.linter, r.compare_metadata)), _pair(r.compare_metadata.ops, r.linter.ops),
             _pair(_mib(r.compare_metadata.peak_bytes), _mib(r.linter.peak_bytes))]
            for r in results.linter
        ],
    )  # fmt: skip
    for c in results.checker:
        lines += [
            "",
            f"### 3. Static migration checker vs `alembic history` ({c.revisions} revisions)",
            "",
            "In-process rows: median of interleaved runs in this Python process (imports already done), "
            "memory = tracemalloc peak of one extra run. Subprocess rows: a fresh interpreter each run "
            "(start-up and imports included), memory = the child's peak RSS (`VmHWM`).",
            "",
        ]

        def files_per_s(m: Measurement, n: int = c.revisions) -> str:
            return "-" if m.median is None else f"{n / m.median:,.0f}"

        def vs_checker(m: Measurement, checker: Measurement) -> str:
            value = ratio(m, checker)
            return "-" if value is None else f"{value:.2f}x"

        lines += _table(
            ["tool", "how", "median", "files/s", "time / checker's", "peak memory"],
            [
                ["static checker (`check_migrations`)", "in-process", _cell(c.checker), files_per_s(c.checker),
                 "1.00x" if c.checker.ok else "-", _mib(c.checker.peak_bytes)],
                ["`alembic history`", "in-process, `__pycache__` warm", _cell(c.history), files_per_s(c.history),
                 vs_checker(c.history, c.checker), _mib(c.history.peak_bytes)],
                ["`alembic history`", "in-process, `__pycache__` removed", _cell(c.history_cold),
                 files_per_s(c.history_cold), vs_checker(c.history_cold, c.checker), "-"],
                ["static checker", "subprocess", _cell(c.checker_subprocess), files_per_s(c.checker_subprocess),
                 "1.00x" if c.checker_subprocess.ok else "-", _mib(c.checker_subprocess.maxrss_bytes) + " (RSS)"],
                ["`alembic history`", "subprocess, `__pycache__` warm", _cell(c.history_subprocess),
                 files_per_s(c.history_subprocess), vs_checker(c.history_subprocess, c.checker_subprocess),
                 _mib(c.history_subprocess.maxrss_bytes) + " (RSS)"],
            ],
        )  # fmt: skip
        if c.checker.ops is not None:
            lines += ["", f"The checker reported {c.checker.ops} findings on the generated history (expected: "
                      "the unindexed foreign keys planted in every fifth `create_table` revision)."]  # fmt: skip
    notes = results.notes + [f"Problem: {p}" for p in results.problems()]
    if notes:
        lines += ["", "### Notes from this run", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def write_docs(path: Path, section: str, preamble: str) -> None:
    """Replace the results section of ``path`` (created from ``preamble`` when missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else preamble
    block = f"{START}\n{section}{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------- issue-15 targets

TARGETS_START = "<!-- benchmark-targets:start -->"
TARGETS_END = "<!-- benchmark-targets:end -->"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.3f} s"


def render_targets(results: TargetResults) -> str:
    """The targets section: one table of ratios with their A/A noise, the facts, the profiles."""
    o = results.options
    out = [
        "## Targets (issue 15)",
        "",
        f"One run, {results.seconds / 60:.1f} min in all: {o.tables:,} tables for autogenerate, "
        f"{' and '.join(f'{n:,}' for n in o.revisions)} revisions, "
        f"{' and '.join(f'{n:,}' for n in o.lint_tables)} tables for the model linter; "
        f"minimum of {o.repeat} interleaved rounds ({o.large_repeat} for the larger sizes) after a warm-up round.",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in results.machine.items()),
        "",
    ]
    rows = []
    for c in results.comparisons:
        unit = "CPU" if c.metric == "cpu" else "wall, call only"
        met = {True: "**met**", False: "**missed**", None: "-"}[c.met]
        rows.append(
            [
                c.scenario,
                c.case,
                f"{_seconds(c.ours.best(c.metric))} ({unit})",
                f"{c.reference.label}: {_seconds(c.reference.best(c.metric))}",
                _ratio(c.ratio),
                "-" if c.noise is None else f"±{c.noise * 100:.1f} %",
                c.target_text,
                met,
            ]
        )
    out += _table(
        ["scenario", "case", "alembic-standards", "reference", "ratio", "A/A noise", "target", "target"], rows
    )
    out += [
        "",
        "Ratio = alembic-standards / reference, each the minimum over its rounds.  A/A noise = the "
        "reference against itself in the same run: min(odd rounds) / min(even rounds) - 1.",
        "",
    ]
    out += ["### Facts checked in the same run", ""]
    for c in results.comparisons:
        facts = [*c.facts, *(f"**PROBLEM: {p}**" for p in c.problems)]
        for s in (c.ours, c.reference):
            if s.error:
                facts.append(f"**{s.label}: {s.error}**")
        if facts:
            out.append(f"- {c.scenario}, {c.case}: " + "; ".join(facts) + ".")
    for problem in results.problems:
        out.append(f"- **PROBLEM: {problem}**")
    profiled = [c for c in results.comparisons if c.profile]
    if profiled:
        out += ["", "### Where the time goes (missed targets, one profiled run each)", ""]
        for c in profiled:
            out += [
                f"{c.scenario}, {c.case} — alembic-standards side, cProfile, cumulative:",
                "",
                "```text",
                c.profile or "",
                "```",
                "",
            ]
    return "\n".join(out).rstrip("\n") + "\n"


def write_targets(path: Path, section: str) -> None:
    """Replace the targets section of ``path`` (between its markers; appended when missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{TARGETS_START}\n{section}{TARGETS_END}"
    if TARGETS_START in text and TARGETS_END in text:
        head, rest = text.split(TARGETS_START, 1)
        _, tail = rest.split(TARGETS_END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
