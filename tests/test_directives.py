"""The revision hook: refusal through the real ``alembic`` CLI (SQLite and PostgreSQL), the
irreversible escape hatch, ``alembic check`` with the hook installed, and the section layout."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError

from alembic_standards.config import Config
from alembic_standards.directives import chain, process_revision_directives
from alembic_standards.migrations import check_migrations
from alembic_standards.scaffold import init_project

MODELS = """\
import sqlalchemy as sa

from alembic_standards import NAMING_CONVENTION

metadata = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(255), nullable=False),
)
tags = sa.Table(
    "tags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Index("idx_tags_user_id", "user_id"),
)
"""

STRIP_DOWNGRADE = '''
def strip_downgrade(context, revision, directives):
    """Another team's hook that (wrongly) empties the downgrade."""
    for script in directives:
        for downgrade in script.downgrade_ops_list:
            downgrade.ops[:] = []

'''

FORGET_DROP_TABLE = '''
def forget_drop_table(context, revision, directives):
    """A hook that loses one step of the downgrade."""
    from alembic.operations import ops

    for script in directives:
        for downgrade in script.downgrade_ops_list:
            downgrade.ops[:] = [
                o for o in downgrade.ops if not (isinstance(o, ops.DropTableOp) and o.table_name == "tags")
            ]

'''


@dataclass
class Project:
    """A temporary Alembic project made with ``alembic-standards init``, driven by the real CLI."""

    root: Path
    url: str

    @property
    def versions(self) -> Path:
        return self.root / "migrations" / "versions"

    def alembic(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATABASE_URL": self.url}
        return subprocess.run(
            [sys.executable, "-m", "alembic", *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def revision_files(self) -> list[Path]:
        return sorted(self.versions.glob("*.py"))

    def hook(self, source: str, expression: str) -> None:
        """Install a hook of the user's own in env.py, chained before ours."""
        env_py = self.root / "migrations" / "env.py"
        text = env_py.read_text(encoding="utf-8")
        text = text.replace("CONFIGURE_OPTIONS = {", source + "\nCONFIGURE_OPTIONS = {")
        text = text.replace(
            '"process_revision_directives": alembic_standards.process_revision_directives,',
            f'"process_revision_directives": {expression},',
        )
        env_py.write_text(text, encoding="utf-8")


def make_project(root: Path, url: str, *, plugin: bool = True, models: str = MODELS) -> Project:
    """``alembic-standards init migrations`` + models; our comparators only when ``plugin``."""
    root.mkdir(parents=True, exist_ok=True)
    init_project(root / "migrations", config_file=root / "alembic.ini", quiet=True)
    (root / "app_models.py").write_text(models, encoding="utf-8")
    env_py = root / "migrations" / "env.py"
    text = env_py.read_text(encoding="utf-8")
    assert "target_metadata = None" in text
    text = text.replace("target_metadata = None", "from app_models import metadata as target_metadata")
    if not plugin:
        # Stock Alembic comparison only, so the expected text does not depend on our comparators.
        text = text.replace('["alembic.autogenerate.*", "alembic_standards.*"]', '["alembic.autogenerate.*"]')
    env_py.write_text(text, encoding="utf-8")
    return Project(root, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("pg_url"))


# ------------------------------------------------------------------ the real CLI


def test_autogenerate_is_accepted_and_laid_out(tmp_path: Path, any_url: str) -> None:
    project = make_project(tmp_path / "p", any_url)
    result = project.alembic("revision", "--autogenerate", "--rev-id", "0001", "-m", "create tags")
    assert result.returncode == 0, result.stdout + result.stderr
    (path,) = project.revision_files()
    text = path.read_text(encoding="utf-8")
    assert text.index("# 1. Tables") < text.index("# 2. Indexes") < text.index("def downgrade")
    assert check_migrations([project.versions], Config()).findings == []


def test_downgrade_stripped_by_another_hook_is_refused(tmp_path: Path, any_url: str) -> None:
    project = make_project(tmp_path / "p", any_url)
    project.hook(STRIP_DOWNGRADE, "alembic_standards.chain(strip_downgrade)")
    result = project.alembic("revision", "--autogenerate", "--rev-id", "0001", "-m", "create tags")
    assert result.returncode == 255
    assert result.stdout.splitlines()[:3] == [
        "FAILED: alembic-standards refused the revision: its downgrade does not undo its upgrade.",
        "  revision 0001 ('create tags'): AS702 downgrade() is empty while upgrade() has 3 operation(s)",
        "Write the missing downgrade steps (or fix the hook that removed them); if the revision truly cannot "
        'be rolled back, re-run with -x irreversible="<reason>".',
    ]
    assert "Traceback" not in result.stderr
    assert project.revision_files() == []


def test_incomplete_downgrade_names_each_missing_step(tmp_path: Path, sqlite_url: str) -> None:
    project = make_project(tmp_path / "p", sqlite_url)
    project.hook(FORGET_DROP_TABLE, "alembic_standards.chain(forget_drop_table)")
    result = project.alembic("revision", "--autogenerate", "--rev-id", "0001", "-m", "create tags")
    assert result.returncode == 255
    assert (
        "  revision 0001 ('create tags'): AS703 downgrade() does not undo op.create_table() of table 'tags'; "
        "expected op.drop_table('tags')"
    ) in result.stdout.splitlines()
    assert project.revision_files() == []


def test_irreversible_escape_hatch(tmp_path: Path, sqlite_url: str) -> None:
    project = make_project(tmp_path / "p", sqlite_url)
    project.hook(STRIP_DOWNGRADE, "alembic_standards.chain(strip_downgrade)")
    empty = project.alembic("-x", "irreversible=", "revision", "--autogenerate", "--rev-id", "0001", "-m", "x")
    assert empty.returncode == 255
    assert empty.stdout.startswith("FAILED: alembic-standards: AS705 -x irreversible needs a reason")
    assert project.revision_files() == []

    reason = "tags are rebuilt from the event log (DB-7)"
    # Programmatic callers pass the reason in config.attributes.
    script = (
        "from alembic import command\nfrom alembic.config import Config\n"
        f"config = Config('alembic.ini')\nconfig.attributes['irreversible'] = {reason!r}\n"
        "command.revision(config, autogenerate=True, rev_id='0001', message='x')\n"
    )
    programmatic = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project.root,
        env={**os.environ, "DATABASE_URL": project.url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert programmatic.returncode == 0, programmatic.stderr
    (path,) = project.revision_files()
    assert f"\nirreversible = {reason!r}\n" in path.read_text(encoding="utf-8")
    path.unlink()

    result = project.alembic(
        "-x", f"irreversible={reason}", "revision", "--autogenerate", "--rev-id", "0001", "-m", "x"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (path,) = project.revision_files()
    text = path.read_text(encoding="utf-8")
    assert f"\nirreversible = {reason!r}\n" in text
    assert "    # Irreversible: see `irreversible` above.\n" in text
    report = check_migrations([project.versions], Config())
    assert [(e.rule, e.revision, e.reason) for e in report.irreversible] == [("AS702", "0001", reason)]
    assert [f.rule_id for f in report.findings] == ["AS702"]  # suppressed by the register in `check`


def test_alembic_check_still_works_with_the_hook(tmp_path: Path, any_url: str) -> None:
    project = make_project(tmp_path / "p", any_url)
    # Even chained after a hook that would make us refuse, `alembic check` reports drift, not a refusal.
    project.hook(STRIP_DOWNGRADE, "alembic_standards.chain(strip_downgrade)")
    drift = project.alembic("check")
    assert drift.returncode == 255
    assert drift.stdout.startswith("FAILED: New upgrade operations detected: [('add_table'")
    assert "refused" not in drift.stdout
    if project.url.startswith("sqlite"):  # programmatic command.check (no cmd_opts) is recognised too
        _check_programmatically(project)

    env_py = project.root / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text(encoding="utf-8").replace(
            "alembic_standards.chain(strip_downgrade)", "alembic_standards.process_revision_directives"
        ),
        encoding="utf-8",
    )
    assert project.alembic("revision", "--autogenerate", "-m", "create tags").returncode == 0
    assert project.alembic("upgrade", "head").returncode == 0
    clean = project.alembic("check")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.strip() == "No new upgrade operations detected."


def _check_programmatically(project: Project) -> None:
    programmatic = subprocess.run(
        [
            sys.executable,
            "-c",
            "from alembic import command\nfrom alembic.config import Config\nfrom alembic.util import "
            "AutogenerateDiffsDetected\ntry:\n    command.check(Config('alembic.ini'))\n"
            "except AutogenerateDiffsDetected:\n    print('drift')\n",
        ],
        cwd=project.root,
        env={**os.environ, "DATABASE_URL": project.url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert programmatic.stdout.strip() == "drift", programmatic.stderr


def test_plain_revision_is_caught_by_the_checker_until_the_downgrade_is_written(
    tmp_path: Path, sqlite_url: str
) -> None:
    project = make_project(tmp_path / "p", sqlite_url)
    result = project.alembic("revision", "--rev-id", "0001", "-m", "add nickname")
    assert result.returncode == 0, result.stderr
    (path,) = project.revision_files()
    assert check_migrations([project.versions], Config()).findings == []  # nothing to undo yet

    text = path.read_text(encoding="utf-8")
    edited = text.replace(
        "    # 1. Tables\n",
        '    # 1. Tables\n    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))\n',
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    findings = check_migrations([project.versions], Config()).findings
    line = edited.splitlines().index("def downgrade() -> None:") + 1
    assert [f.render(relative_to=project.versions) for f in findings] == [
        f"{path.name}:{line}:1: AS702 downgrade() is still the template's TODO placeholder while upgrade() "
        "has 1 operation(s)"
    ]

    done = edited.split("def downgrade() -> None:")[0] + (
        'def downgrade() -> None:\n    """Rollback migration changes"""\n    op.drop_column("users", "nickname")\n'
    )
    path.write_text(done, encoding="utf-8")
    assert check_migrations([project.versions], Config()).findings == []


def test_merge_revision_uses_the_template(tmp_path: Path, sqlite_url: str) -> None:
    project = make_project(tmp_path / "p", sqlite_url)
    for rev in ("a", "b"):  # two heads, written by hand
        (project.versions / f"{rev}.py").write_text(
            f'"""{rev}\n\nRevision ID: {rev}\nRevises:\nCreate Date: 2026-11-25\n"""\n\n'
            f'revision: str = "{rev}"\ndown_revision: str | None = None\n'
            "branch_labels: str | None = None\ndepends_on: str | None = None\n",
            encoding="utf-8",
        )
    merged = project.alembic("merge", "--rev-id", "m", "-m", "merge a and b", "heads")
    assert merged.returncode == 0, merged.stderr
    (path,) = project.versions.glob("*_m_*.py")
    text = path.read_text(encoding="utf-8")
    assert "down_revision: str | Sequence[str] | None = ('a', 'b')" in text
    assert text.count("    # Merge point: no schema changes.\n") == 2
    report = check_migrations([path], Config())
    assert report.findings == []
    assert [r.down_revisions for r in report.revisions] == [("a", "b")]


# ------------------------------------------------------------------ the hook as a function


def _context(tmp_path: Path, *, marker: bool = True) -> MigrationContext:
    """A MigrationContext (offline, SQLite dialect) whose script directory has a template."""
    (tmp_path / "script.py.mako").write_text("## alembic-standards:sections\n" if marker else "", encoding="utf-8")

    class Script:
        dir = str(tmp_path)

    return MigrationContext.configure(dialect_name="sqlite", opts={"script": Script(), "template_args": {}})


def _script(rev_id: str, upgrade: list[ops.MigrateOperation], *, message: str = "m") -> ops.MigrationScript:
    up = ops.UpgradeOps(upgrade)
    return ops.MigrationScript(rev_id, up, up.reverse(), message=message)


def _tags() -> sa.Table:
    return sa.Table("tags", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))


def test_every_script_is_checked_and_only_the_bad_one_is_named(tmp_path: Path) -> None:
    good = _script("good", [ops.CreateTableOp.from_table(_tags())])
    bad = _script("bad", [ops.AddColumnOp("users", sa.Column("nick", sa.String(5)))], message="add nick")
    bad.downgrade_ops = ops.DowngradeOps([])
    empty = _script("empty", [])
    merge = ops.MigrationScript("merge", ops.UpgradeOps([]), ops.DowngradeOps([]), head=("a", "b"))
    with pytest.raises(CommandError) as info:
        process_revision_directives(_context(tmp_path), (), [good, empty, merge, bad])
    lines = str(info.value).splitlines()
    assert lines[1:-1] == ["  revision bad ('add nick'): AS702 downgrade() is empty while upgrade() has 1 operation(s)"]


def test_rule_selection_and_grading_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No refusal for a rule the project ignores, or grades below fail_on."""
    script = _script("r", [ops.AddColumnOp("users", sa.Column("nick", sa.String(5)))])
    script.downgrade_ops = ops.DowngradeOps([])
    monkeypatch.chdir(tmp_path)
    for table in ('ignore = ["AS702"]', 'severity = { AS702 = "warning" }'):
        (tmp_path / "pyproject.toml").write_text(f"[tool.alembic_standards]\n{table}\n", encoding="utf-8")
        process_revision_directives(_context(tmp_path), (), [script])
    (tmp_path / "pyproject.toml").write_text('[tool.alembic_standards]\nfail_on = "warning"\n', encoding="utf-8")
    with pytest.raises(CommandError, match="AS702"):
        process_revision_directives(_context(tmp_path), (), [script])
    (tmp_path / "pyproject.toml").write_text("[tool.alembic_standards]\nignroe = []\n", encoding="utf-8")
    with pytest.raises(CommandError, match="unknown key"):
        process_revision_directives(_context(tmp_path), (), [script])


def test_empty_modify_table_ops_count_as_empty(tmp_path: Path) -> None:
    script = _script("r", [ops.AddColumnOp("users", sa.Column("nick", sa.String(5)))])
    script.downgrade_ops = ops.DowngradeOps([ops.ModifyTableOps("users", [])])  # renders as `pass`
    with pytest.raises(CommandError, match="AS702"):
        process_revision_directives(_context(tmp_path), (), [script])


def test_chain_runs_other_hooks_first() -> None:
    calls: list[str] = []

    def first(context: object, revision: object, directives: list[ops.MigrationScript]) -> None:
        calls.append("first")
        directives[0].downgrade_ops_list[0].ops[:] = []

    script = _script("r", [ops.AddColumnOp("users", sa.Column("nick", sa.String(5)))])
    context = MigrationContext.configure(dialect_name="sqlite")
    with pytest.raises(CommandError, match="AS702"):
        chain(first)(context, (), [script])
    assert calls == ["first"]


def _tokens(script: ops.MigrationScript) -> tuple[list[str], list[str]]:
    return (
        [u.upgrade_token for u in script.upgrade_ops_list],
        [d.downgrade_token for d in script.downgrade_ops_list],
    )


def test_sections_split_without_reordering(tmp_path: Path) -> None:
    operations: list[ops.MigrateOperation] = [
        ops.CreateTableOp.from_table(_tags()),
        ops.CreateIndexOp("uq_tags_name", "tags", ["name"], unique=True),  # stays with the tables
        ops.ModifyTableOps("tags", [ops.CreateIndexOp("idx_tags_id", "tags", ["id"])]),
        ops.CreateIndexOp("idx_tags_name", "tags", ["name"]),
        ops.ExecuteSQLOp("INSERT INTO tags (id) VALUES (1)"),
    ]
    script = ops.MigrationScript("r", ops.UpgradeOps(operations), ops.DowngradeOps([]))
    script.downgrade_ops = ops.DowngradeOps(  # written by hand: reverse() cannot invert raw SQL
        [
            ops.ExecuteSQLOp("DELETE FROM tags"),
            ops.DropIndexOp("idx_tags_name", "tags"),
            ops.ModifyTableOps("tags", [ops.DropIndexOp("idx_tags_id", "tags")]),
            ops.DropIndexOp("uq_tags_name", "tags"),
            ops.DropTableOp("tags"),
        ]
    )
    process_revision_directives(_context(tmp_path), (), [script])
    assert _tokens(script) == (
        ["upgrade_tables", "upgrade_indexes", "upgrade_data"],
        ["downgrade_data", "downgrade_indexes", "downgrade_tables"],
    )
    assert [len(u.ops) for u in script.upgrade_ops_list] == [2, 2, 1]
    # Any index drop is an index step (a drop_index() call does not say whether the index was unique).
    assert [len(d.ops) for d in script.downgrade_ops_list] == [1, 3, 1]


def test_sections_pad_unequal_sides(tmp_path: Path) -> None:
    script = _script("r", [ops.CreateTableOp.from_table(_tags()), ops.CreateIndexOp("idx_tags_id", "tags", ["id"])])
    script.downgrade_ops = ops.DowngradeOps([ops.DropTableOp("tags")])
    process_revision_directives(_context(tmp_path), (), [script])
    assert _tokens(script) == (["upgrade_tables", "upgrade_indexes"], ["downgrade_tables", "downgrade_unused_1"])


def test_no_split_without_template_support_or_with_multidb(tmp_path: Path) -> None:
    script = _script("r", [ops.CreateTableOp.from_table(_tags())])
    process_revision_directives(_context(tmp_path, marker=False), (), [script])
    assert _tokens(script) == (["upgrades"], ["downgrades"])

    multidb = _script("r", [ops.CreateTableOp.from_table(_tags())])
    multidb.upgrade_ops = [
        ops.UpgradeOps(multidb.upgrade_ops.ops, upgrade_token="engine1_upgrades"),
        ops.UpgradeOps([], upgrade_token="engine2_upgrades"),
    ]
    multidb.downgrade_ops = [
        ops.DowngradeOps(multidb.downgrade_ops.ops, downgrade_token="engine1_downgrades"),
        ops.DowngradeOps([], downgrade_token="engine2_downgrades"),
    ]
    process_revision_directives(_context(tmp_path), (), [multidb])
    assert _tokens(multidb) == (["engine1_upgrades", "engine2_upgrades"], ["engine1_downgrades", "engine2_downgrades"])


PYTEST_ALEMBIC_CONFTEST = """\
import os

import pytest
import sqlalchemy as sa
from pytest_alembic.tests import test_model_definitions_match_ddl  # noqa: F401


@pytest.fixture
def alembic_config():
    return {"file": "alembic.ini"}


@pytest.fixture
def alembic_engine():
    return sa.create_engine(os.environ["DATABASE_URL"])
"""


def test_pytest_alembic_model_check_works_with_the_hook(tmp_path: Path, sqlite_url: str) -> None:
    """pytest-alembic's hook runs before env.py's (reference §3.3), so our section split never
    disturbs its ``script.upgrade_ops``; it passes in sync and fails on drift."""
    project = make_project(tmp_path / "p", sqlite_url)
    assert project.alembic("revision", "--autogenerate", "-m", "create tags").returncode == 0
    (project.root / "conftest.py").write_text(PYTEST_ALEMBIC_CONFTEST, encoding="utf-8")

    def run_pytest() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "conftest.py", "--rootdir", "."],
            cwd=project.root,
            env={**os.environ, "DATABASE_URL": project.url},
            capture_output=True,
            text=True,
            check=False,
        )

    in_sync = run_pytest()
    assert in_sync.returncode == 0, in_sync.stdout[-3000:]
    assert "1 passed" in in_sync.stdout
    models = project.root / "app_models.py"
    models.write_text(
        models.read_text(encoding="utf-8")
        + 'sa.Table("extra", metadata, sa.Column("id", sa.Integer, primary_key=True))\n',
        encoding="utf-8",
    )
    drift = run_pytest()
    assert drift.returncode == 1
    assert "The models describing the DDL of your database are out of sync" in drift.stdout


def test_sections_not_split_when_the_stream_is_out_of_order(tmp_path: Path) -> None:
    """A downgrade that drops and re-creates (or any stream not already in section order) stays
    one block: no ``# 1. Tables`` heading over an index drop, nothing reordered."""
    script = _script("r", [ops.CreateTableOp.from_table(_tags()), ops.CreateIndexOp("idx_tags_id", "tags", ["id"])])
    mixed = [
        ops.DropIndexOp("idx_tags_id", "tags"),
        ops.DropTableOp("tags"),
        ops.CreateTableOp.from_table(_tags()),
        ops.CreateIndexOp("idx_tags_name", "tags", ["name"]),
    ]
    script.downgrade_ops = ops.DowngradeOps(list(mixed))
    process_revision_directives(_context(tmp_path), (), [script])
    assert _tokens(script) == (["upgrade_tables", "upgrade_indexes"], ["downgrades", "downgrade_unused_1"])
    assert script.downgrade_ops_list[0].ops == mixed
