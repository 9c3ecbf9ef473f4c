"""Selecting what a run reports: `since_revision`, and subsets of files (explicit or changed in git)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from alembic_standards.findings import Finding, Location, Severity, StandardsError
from alembic_standards.migrations import RevisionInfo
from alembic_standards.selection import changed_files, exempt_old_revisions, revisions_up_to, within_files


def _rev(rid: str, *down: str, depends_on: tuple[str, ...] = ()) -> RevisionInfo:
    return RevisionInfo(rid, tuple(down), depends_on, (), Path(f"{rid}.py"))


HISTORY = [
    _rev("a1"),
    _rev("b2", "a1"),
    _rev("c3", "a1"),
    _rev("d4", "b2", "c3"),  # merge
    _rev("e5", "d4", depends_on=("x9",)),
    _rev("x9"),  # another branch, a dependency of e5
    _rev("f6", "e5"),
]


def test_revisions_up_to_follows_merges_and_dependencies() -> None:
    assert revisions_up_to(HISTORY, "d4") == {"a1", "b2", "c3", "d4"}
    assert revisions_up_to(HISTORY, "e5") == {"a1", "b2", "c3", "d4", "e5", "x9"}
    assert revisions_up_to(HISTORY, "f") == {"a1", "b2", "c3", "d4", "e5", "x9", "f6"}  # unique prefix


def test_unknown_or_ambiguous_since_revision_is_an_error() -> None:
    with pytest.raises(StandardsError, match="'zz' is not a revision of this history"):
        revisions_up_to(HISTORY, "zz")
    history = [*HISTORY, _rev("a1b", "f6")]
    with pytest.raises(StandardsError, match="'a1' is ambiguous"):
        revisions_up_to([_rev("a1x"), _rev("a1y")], "a1")
    assert "a1" in revisions_up_to(history, "a1")  # an exact id wins over prefixes


def test_long_chains_do_not_recurse() -> None:
    chain = [_rev("r0")] + [_rev(f"r{i}", f"r{i - 1}") for i in range(1, 20_000)]
    assert len(revisions_up_to(chain, "r19999")) == 20_000


def _finding(rule: str, revision: str | None, path: str = "v.py") -> Finding:
    return Finding(rule, Severity.ERROR, "m", Location(path=Path(path), line=1, revision=revision))


def test_old_revisions_are_exempt_from_per_file_rules_only() -> None:
    findings = [
        _finding("AS801", "a1"),  # style, old: exempt
        _finding("AS702", "a1"),  # downgrade, old: exempt
        _finding("AS201", "a1"),  # history-wide: kept
        _finding("AS800", "a1"),  # input error: kept
        _finding("AS801", "f6"),  # new revision: kept
    ]
    kept = exempt_old_revisions(findings, {"a1", "b2"})
    assert [(f.rule_id, f.location.revision) for f in kept] == [("AS201", "a1"), ("AS800", "a1"), ("AS801", "f6")]


def test_within_files_compares_resolved_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "v").mkdir()
    findings = [_finding("AS801", "a", "v/a.py"), _finding("AS801", "b", str(tmp_path / "v" / "b.py"))]
    assert within_files(findings, [tmp_path / "v" / "a.py"]) == findings[:1]
    assert within_files(findings, [Path("v/b.py")]) == findings[1:]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_changed_files_are_committed_staged_unstaged_and_untracked_changes(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.invalid")
    _git(tmp_path, "config", "user.name", "t")
    versions = tmp_path / "versions"
    versions.mkdir()
    for name in ("old.py", "edited.py", "staged.py"):
        (versions / name).write_text("x = 1\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "base")
    (versions / "edited.py").write_text("x = 2\n")
    (versions / "staged.py").write_text("x = 3\n")
    _git(tmp_path, "add", "versions/staged.py")
    (versions / "new.py").write_text("x = 4\n")
    assert {p.name for p in changed_files("HEAD", versions)} == {"edited.py", "staged.py", "new.py"}


def test_changed_since_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(StandardsError, match="git rev-parse"):
        changed_files("HEAD", tmp_path)  # not a repository
    _git(tmp_path, "init", "-q")
    with pytest.raises(StandardsError, match="git diff"):
        changed_files("no-such-ref", tmp_path)
    with pytest.raises(StandardsError, match="not a git revision"):
        changed_files("--output=/tmp/x", tmp_path)
