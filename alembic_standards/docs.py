"""Generate ``docs/rules/`` from the rule catalogue.

The catalogue in :mod:`alembic_standards.rules` is the only place a rule is documented; the pages
under ``docs/rules/`` (one per rule, plus a README index) are its rendering, committed so they
can be read on the forge and linked from SARIF ``helpUri``.  A test regenerates them in memory and
fails when the committed files differ, so they cannot drift.

Maintainers regenerate with either of::

    python -m alembic_standards.docs [DIRECTORY]          # default: docs/rules
    alembic-standards docs [DIRECTORY] [--check]          # hidden sub-command
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .rules import RULES, Rule, RuleId

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["check_docs", "render_docs", "render_index", "write_docs"]

_FAMILIES = (
    ("AS1", "Primary keys"),
    ("AS2", "Foreign keys"),
    ("AS3", "Relationships"),
    ("AS4", "Timestamps"),
    ("AS5", "Constraints and names"),
    ("AS6", "Composite indexes"),
    ("AS7", "Downgrades (reversibility)"),
    ("AS8", "Migration-file layout"),
    ("AS9", "Exceptions register and objects not judged"),
    ("AS10", "Safe migrations (locks on existing tables, running code)"),
)
"""Families by ID without its last two digits (``AS1`` holds AS101-AS199, ``AS10`` AS1001-AS1099)."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_index(rules: Sequence[Rule]) -> str:
    """``docs/rules/README.md``: every rule, grouped by family, linking to its page."""
    lines = [
        "# Rules",
        "",
        "<!-- Generated from alembic_standards/rules.py by `python -m alembic_standards.docs`; do not edit. -->",
        "",
        "Every stage (autogenerate, the migration checker, the model linter, the live-database audit and",
        "the pytest checks) reports against these IDs. `alembic-standards rules` prints this table and",
        "`alembic-standards explain ID` prints a page. Select, ignore or re-grade rules in",
        "`[tool.alembic_standards]` (`select`, `ignore`, `severity`) or with `--select/--ignore/--fail-on`.",
    ]
    for prefix, title in _FAMILIES:
        family = [r for r in rules if r.id[:-2] == prefix]
        if not family:
            continue
        lines += [
            "",
            f"## {title}",
            "",
            "| ID | Name | Severity | Checked in | Title |",
            "| --- | --- | --- | --- | --- |",
        ]
        for rule in family:
            stages = ", ".join(sorted(s.value for s in rule.stages))
            link = f"[{rule.id}]({rule.id}.md)"
            lines.append(f"| {link} | `{rule.name}` | {rule.severity.value} | {stages} | {_cell(rule.title)} |")
    return "\n".join(lines) + "\n"


def render_docs(rules: Mapping[RuleId, Rule] = RULES) -> dict[str, str]:
    """File name -> content for every page and the index."""
    pages = {f"{rule.id}.md": rule.markdown().rstrip("\n") + "\n" for rule in rules.values()}
    pages["README.md"] = render_index(list(rules.values()))
    return pages


def write_docs(directory: Path) -> list[Path]:
    """Write the pages into ``directory`` (created if needed); remove pages of rules that no longer
    exist.  Returns the files written or removed."""
    directory.mkdir(parents=True, exist_ok=True)
    pages = render_docs()
    changed: list[Path] = []
    for name, text in pages.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
            changed.append(path)
    for path in sorted(directory.glob("AS*.md")):
        if path.name not in pages:
            path.unlink()
            changed.append(path)
    return changed


def check_docs(directory: Path) -> list[Path]:
    """Files under ``directory`` that are missing, different, or stale (a rule that no longer exists)."""
    pages = render_docs()
    stale = [
        directory / name
        for name, text in pages.items()
        if not (directory / name).is_file() or (directory / name).read_text(encoding="utf-8") != text
    ]
    stale += [path for path in sorted(directory.glob("AS*.md")) if path.name not in pages]
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    directory = Path(args[0]) if args else Path("docs/rules")
    for path in write_docs(directory):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
