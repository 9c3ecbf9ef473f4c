"""docs/rules/ is generated from the catalogue; the committed pages must match it."""

from __future__ import annotations

from pathlib import Path

import pytest

from alembic_standards.cli import main
from alembic_standards.docs import check_docs, render_docs, write_docs
from alembic_standards.rules import RULES


def test_committed_docs_match_the_catalogue(repo_root: Path) -> None:
    stale = check_docs(repo_root / "docs" / "rules")
    assert stale == [], f"regenerate with `python -m alembic_standards.docs`: {[p.name for p in stale]}"


def test_one_page_per_rule_plus_index() -> None:
    pages = render_docs()
    assert set(pages) == {f"{rule_id}.md" for rule_id in RULES} | {"README.md"}
    assert pages["AS201.md"] == RULES["AS201"].markdown().rstrip("\n") + "\n"
    for rule_id, rule in RULES.items():
        assert f"| [{rule_id}]({rule_id}.md) | `{rule.name}` |" in pages["README.md"]


def test_check_detects_edited_missing_and_stale_pages(tmp_path: Path) -> None:
    write_docs(tmp_path)
    assert check_docs(tmp_path) == []
    (tmp_path / "AS101.md").write_text("edited\n", encoding="utf-8")
    (tmp_path / "AS102.md").unlink()
    (tmp_path / "AS999.md").write_text("a rule that no longer exists\n", encoding="utf-8")
    assert check_docs(tmp_path) == [tmp_path / "AS101.md", tmp_path / "AS102.md", tmp_path / "AS999.md"]
    assert sorted(p.name for p in write_docs(tmp_path)) == ["AS101.md", "AS102.md", "AS999.md"]
    assert check_docs(tmp_path) == []
    assert not (tmp_path / "AS999.md").exists()


def test_hidden_docs_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "rules"
    assert main(["docs", str(target), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["docs", str(target)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(RULES) + 1  # one "wrote" line per file
    assert main(["docs", str(target), "--check"]) == 0
    assert main(["--help"]) == 0
    help_text = capsys.readouterr().out
    assert "explain" in help_text
    assert "docs" not in help_text  # a maintainer command, hidden from users
