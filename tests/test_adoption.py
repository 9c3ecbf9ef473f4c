"""Adopting the checker on an existing project, through the real command: baseline, inline
suppressions, `since_revision`, single files and `--changed-since`, `adopt`.

Each test builds a small legacy project (old-style revisions, a model with an unindexed foreign
key) and runs `alembic-standards` in a subprocess, asserting exit codes and the exact output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

OLD_STYLE = '''\
"""{message}

Revision ID: {rev}
Revises: {down}
Create Date: 2019-01-01 00:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = {down_repr}


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''

NEW_STYLE = '''\
"""{message}

Revision ID: {rev}
Revises: {down}
Create Date: 2026-11-27 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "{rev}"
down_revision: str | Sequence[str] | None = {down_repr}
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
{upgrade}


def downgrade() -> None:
    """Rollback migration changes"""
{downgrade}
'''

MODELS = """\
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import alembic_standards


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=alembic_standards.NAMING_CONVENTION)

{padding}
class User(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    created_at = mapped_column(sa.DateTime(timezone=True), nullable=False)
    updated_at = mapped_column(sa.DateTime(timezone=True), nullable=False)


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"){author_index})
    created_at = mapped_column(sa.DateTime(timezone=True), nullable=False)
    updated_at = mapped_column(sa.DateTime(timezone=True), nullable=False)
"""


def _revision(template: str, rev: str, down: str | None, upgrade: str, downgrade: str, message: str = "") -> str:
    indent = lambda body: textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")  # noqa: E731
    return template.format(
        message=message or f"revision {rev}",
        rev=rev,
        down=down or "",
        down_repr=repr(down),
        upgrade=indent(upgrade),
        downgrade=indent(downgrade),
    )


def _project(tmp_path: Path, *, author_index: bool = False, padding: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(
        # The safe-migration rules (AS10xx) are tested in test_safety_rules.py; off here, where the
        # exact output is about adoption (baseline, since_revision, changed files).
        '[tool.alembic_standards]\nmetadata = ["app_models:Base.metadata"]\nmigrations = ["versions"]\n'
        'ignore = ["AS10"]\n',
        encoding="utf-8",
    )
    _write_models(tmp_path, author_index=author_index, padding=padding)
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a1_users.py").write_text(
        _revision(
            OLD_STYLE,
            "a1",
            None,
            """
            op.create_table("users", sa.Column("id", sa.Uuid(), nullable=False),
                            sa.PrimaryKeyConstraint("id", name="pk_users"))
            """,
            'op.drop_table("users")',
        ),
        encoding="utf-8",
    )
    (versions / "b2_posts.py").write_text(
        _revision(
            OLD_STYLE,
            "b2",
            "a1",
            """
            op.create_table("posts", sa.Column("id", sa.Uuid(), nullable=False),
                            sa.Column("author_id", sa.Uuid(), nullable=False),
                            sa.ForeignKeyConstraint(["author_id"], ["users.id"], name="fk_posts_author_id"),
                            sa.PrimaryKeyConstraint("id", name="pk_posts"))
            op.create_index("idx_posts_author_id", "posts", ["author_id"])
            """,
            """
            op.drop_index("idx_posts_author_id", table_name="posts")
            op.drop_table("posts")
            """,
        ),
        encoding="utf-8",
    )
    return tmp_path


def _write_models(root: Path, *, author_index: bool = False, padding: str = "") -> None:
    (root / "app_models.py").write_text(
        MODELS.format(author_index=", index=True" if author_index else "", padding=padding), encoding="utf-8"
    )


def _check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "alembic_standards.cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )


def _codes(out: str) -> list[str]:
    """``path:line:col: ID`` per finding line (messages left out)."""
    return [" ".join(line.split(" ")[:2]) for line in out.splitlines() if line.strip()]


def test_baseline_then_only_new_findings_then_stale_until_pruned(tmp_path: Path) -> None:
    root = _project(tmp_path)
    first = _check(root, "check")
    assert first.returncode == 1
    legacy = _codes(first.stdout)
    assert "app_models.py:23:5: AS201" in legacy  # the unindexed FK in the models
    assert "versions/a1_users.py:14:1: AS802" in legacy  # old revision style

    wrote = _check(root, "check", "--write-baseline")
    assert wrote.returncode == 0, wrote.stderr
    assert wrote.stderr.startswith("wrote alembic-standards-baseline.json: ")
    document = json.loads((root / "alembic-standards-baseline.json").read_text(encoding="utf-8"))
    assert sum(e["count"] for e in document["entries"]) == len(legacy)

    clean = _check(root, "check")
    assert (clean.returncode, clean.stdout) == (0, "")
    assert f"[baseline: {len(legacy)} suppressed (" in clean.stderr

    # Unrelated edits (lines added above the model) do not resurrect the baselined finding.
    _write_models(root, padding="\n# a comment\n\n\nTHING = 1\n")
    assert _check(root, "check").returncode == 0

    # A new revision with a `pass` downgrade: exactly that finding is reported.
    (root / "versions" / "c3_title.py").write_text(
        _revision(NEW_STYLE, "c3", "b2", 'op.add_column("posts", sa.Column("title", sa.String(200)))', "pass"),
        encoding="utf-8",
    )
    new = _check(root, "check")
    assert new.returncode == 1
    assert _codes(new.stdout) == ["versions/c3_title.py:25:1: AS702"]
    (root / "versions" / "c3_title.py").unlink()

    # Fixing a baselined problem leaves a stale entry until --write-baseline prunes it.
    _write_models(root, author_index=True)
    stale = _check(root, "check")
    assert stale.returncode == 1
    assert stale.stdout == (
        "alembic-standards-baseline.json: AS905 baseline entry AS201 on posts.author_id (models) matches no "
        "finding any more; run `alembic-standards check --write-baseline` to remove it\n"
    )
    assert _check(root, "check", "--write-baseline").returncode == 0
    assert _check(root, "check").returncode == 0
    assert _check(root, "check", "--no-baseline").returncode == 1  # everything is still there


def test_write_baseline_refuses_a_subset(tmp_path: Path) -> None:
    root = _project(tmp_path)
    run = _check(root, "check", "versions/b2_posts.py", "--write-baseline")
    assert run.returncode == 2
    assert "--write-baseline records every finding of the project" in run.stderr
    assert not (root / "alembic-standards-baseline.json").exists()


def test_bad_baseline_file_is_an_input_error(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "alembic-standards-baseline.json").write_text("{\n  oops\n", encoding="utf-8")
    run = _check(root, "check")
    assert run.returncode == 2
    assert run.stderr.startswith("alembic-standards: error: ")
    assert "alembic-standards-baseline.json:2: baseline is not valid JSON" in run.stderr
    assert "Traceback" not in run.stderr
    # --write-baseline is the way out: it replaces the unreadable file instead of refusing.
    rewrite = _check(root, "check", "--write-baseline")
    assert rewrite.returncode == 0, rewrite.stderr
    assert _check(root, "check").returncode == 0


def test_inline_suppressions_need_a_reason_and_must_be_used(tmp_path: Path) -> None:
    root = _project(tmp_path)
    b2 = root / "versions" / "b2_posts.py"
    text = b2.read_text(encoding="utf-8")
    # On the def line: covers the whole function.  Without a reason: suppresses nothing, reported.
    b2.write_text(
        text.replace("def upgrade():", "def upgrade():  # alembic-standards: ignore[AS802]").replace(
            "def downgrade():", "def downgrade():  # alembic-standards: ignore[AS802, AS803] legacy, TICKET-9"
        ),
        encoding="utf-8",
    )
    for revision_file in (root / "versions").glob("*.py"):  # older than the run: cacheable
        os.utime(revision_file, (time.time() - 60, time.time() - 60))
    run = _check(root, "check", "versions", "--no-baseline", "--select", "AS80,AS90")
    b2_lines = [line for line in run.stdout.splitlines() if line.startswith("versions/b2_posts.py")]
    assert b2_lines == [
        "versions/b2_posts.py:10:1: AS802 `revision` has no type annotation (e.g. `revision: str`)",
        "versions/b2_posts.py:11:1: AS802 `down_revision` has no type annotation "
        "(e.g. `down_revision: str | Sequence[str] | None`)",
        # upgrade(): the reason-less suppression suppresses nothing ...
        "versions/b2_posts.py:14:1: AS802 upgrade() has no return annotation (`def upgrade() -> None:`)",
        'versions/b2_posts.py:14:1: AS803 upgrade() has no docstring ("""Apply migration changes""")',
        "versions/b2_posts.py:14:17: AS901 exception for AS802 on lines 14-19 of b2_posts.py (inline), revision b2 "
        "has no reason; it suppresses nothing",
        # ... downgrade()'s AS802 and AS803 (line 22) are suppressed with a reason.
    ]
    # The second run reads the per-file cache, which records which files mention a suppression
    # (only those are read again): the same suppressions apply, the same findings are reported.
    cache = Path(os.environ["ALEMBIC_STANDARDS_CACHE_DIR"])  # tests/conftest.py
    assert "b2_posts.py" in "".join(p.read_text(encoding="utf-8") for p in cache.rglob("*.json"))
    again = _check(root, "check", "versions", "--no-baseline", "--select", "AS80,AS90")
    assert (again.returncode, again.stdout) == (run.returncode, run.stdout)

    register = _check(root, "exceptions")
    assert register.returncode == 0
    assert register.stdout.splitlines()[-4:] == [
        "| --- | --- | --- | --- | --- | --- |",
        "| `b2` | AS802 `function-untyped` | **missing** (AS901) |  |  | `versions/b2_posts.py:14` |",
        "| `b2` | AS802 `function-untyped` | legacy, TICKET-9 |  |  | `versions/b2_posts.py:22` |",
        "| `b2` | AS803 `function-undocumented` | legacy, TICKET-9 |  |  | `versions/b2_posts.py:22` |",
    ]

    # An unknown rule in a suppression is an input error naming the file and line.
    b2.write_text(text.replace("def upgrade():", "def upgrade():  # alembic-standards: ignore[AS999] x"))
    bad = _check(root, "check", "versions")
    assert bad.returncode == 2
    assert "b2_posts.py:14: suppression: unknown rule 'AS999'" in bad.stderr


def test_unused_inline_suppression_is_reported(tmp_path: Path) -> None:
    root = _project(tmp_path)
    a1 = root / "versions" / "a1_users.py"
    a1.write_text(
        a1.read_text(encoding="utf-8").replace(
            'op.drop_table("users")', 'op.drop_table("users")  # alembic-standards: ignore[AS703] not needed'
        ),
        encoding="utf-8",
    )
    run = _check(root, "check", "versions", "--select", "AS70,AS903")
    assert run.stdout == (
        "versions/a1_users.py:20:29: AS903 exception for AS703 on line 20 of a1_users.py (inline), revision a1 "
        "matches no violation; remove it\n"
    )


def test_since_revision_exempts_old_style_but_keeps_history_facts(tmp_path: Path) -> None:
    root = _project(tmp_path)
    # c3 (new style) adds a second FK to users: no index (AS201) — and an FK whose index b2 made
    # long ago (no AS201: the old revision still provides that fact).
    (root / "versions" / "c3_editor.py").write_text(
        _revision(
            NEW_STYLE,
            "c3",
            "b2",
            """
            # 1. Tables
            op.add_column("posts", sa.Column("editor_id", sa.Uuid(), nullable=True))
            op.create_foreign_key("fk_posts_editor_id", "posts", "users", ["editor_id"], ["id"])
            op.create_foreign_key("fk_posts_author_id2", "posts", "users", ["author_id"], ["id"])
            """,
            """
            # 1. Tables
            op.drop_constraint("fk_posts_author_id2", "posts", type_="foreignkey")
            op.drop_constraint("fk_posts_editor_id", "posts", type_="foreignkey")
            op.drop_column("posts", "editor_id")
            """,
        ),
        encoding="utf-8",
    )
    everything = _codes(_check(root, "check", "versions", "--no-baseline").stdout)
    assert any(code.startswith("versions/a1_users.py") for code in everything)
    run = _check(root, "check", "versions", "--no-models", "--no-baseline", "--since", "b2")
    assert _codes(run.stdout) == ["versions/c3_editor.py:24:5: AS201"]
    assert "posts(editor_id)" in run.stdout
    # The same from the configuration.
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + 'since_revision = "b2"\n', encoding="utf-8")
    assert _codes(_check(root, "check", "versions", "--no-models", "--no-baseline").stdout) == [
        "versions/c3_editor.py:24:5: AS201"
    ]
    unknown = _check(root, "check", "versions", "--since", "zz")
    assert unknown.returncode == 2
    assert "since_revision 'zz' is not a revision of this history" in unknown.stderr


def test_one_file_is_judged_against_the_whole_history(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "versions" / "c3_fk.py").write_text(
        _revision(
            NEW_STYLE,
            "c3",
            "b2",
            """
            # 1. Tables
            op.create_foreign_key("fk_posts_author_id2", "posts", "users", ["author_id"], ["id"])
            """,
            """
            # 1. Tables
            op.drop_constraint("fk_posts_author_id2", "posts", type_="foreignkey")
            """,
        ),
        encoding="utf-8",
    )
    run = _check(root, "check", "versions/c3_fk.py", "--no-models")
    # No AS201: b2 made the index; no finding about a1/b2 either: only c3 was asked about.
    assert (run.returncode, run.stdout) == (0, "")


def test_changed_since_reports_only_changed_revision_files(tmp_path: Path) -> None:
    root = _project(tmp_path)
    git = lambda *a: subprocess.run(["git", *a], cwd=root, check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "root")
    git("add", ".")
    git("-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "-m", "legacy")
    (root / "versions" / "c3_title.py").write_text(
        _revision(NEW_STYLE, "c3", "b2", 'op.add_column("posts", sa.Column("title", sa.String(200)))', "pass"),
        encoding="utf-8",
    )
    run = _check(root, "check", "--no-models", "--changed-since", "HEAD")
    assert _codes(run.stdout) == ["versions/c3_title.py:25:1: AS702"]
    nothing = _check(root, "check", "--no-models", "--changed-since", "HEAD~1")
    assert any(code.startswith("versions/a1_users.py") for code in _codes(nothing.stdout))
    bad = _check(root, "check", "--changed-since", "no-such-ref")
    assert bad.returncode == 2
    assert "git diff" in bad.stderr


@pytest.mark.parametrize("dry_run", [True, False])
def test_adopt_command_on_the_sample_project_changes_nothing(repo_root: Path, tmp_path: Path, dry_run: bool) -> None:
    import shutil

    shutil.copytree(repo_root / "sample_project" / "migrations", tmp_path / "migrations")
    before = (tmp_path / "migrations" / "env.py").read_text(encoding="utf-8")
    run = _check(tmp_path, "adopt", "migrations", *(["--dry-run"] if dry_run else []))
    assert run.returncode == 0, run.stderr
    assert "migrations/env.py: already follows the standards" in run.stderr
    assert (tmp_path / "migrations" / "env.py").read_text(encoding="utf-8") == before


def test_pre_commit_style_file_list_reads_history_and_skips_non_revisions(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "versions" / "c3_title.py").write_text(
        _revision(NEW_STYLE, "c3", "b2", 'op.add_column("posts", sa.Column("title", sa.String(200)))', "pass"),
        encoding="utf-8",
    )
    run = _check(root, "check", "--no-models", "app_models.py", "pyproject.toml", "versions/c3_title.py")
    assert _codes(run.stdout) == ["versions/c3_title.py:25:1: AS702"]
    only_models = _check(root, "check", "--no-models", "app_models.py")
    assert (only_models.returncode, only_models.stdout) == (0, "")
