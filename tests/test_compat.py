"""Alembic 1.13 to 1.20: the same migration everywhere, and never a silent no-op (issue #12).

Run on whatever Alembic is installed; CI's matrix (``.ci/matrix.py``) runs this file on the
oldest (1.13.3) and newest (1.20.1) Alembic, so the exact texts below are what *both* generate.
Everything goes through the real ``alembic`` CLI in a project made from our template.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from alembic_standards.compat import PLUGIN_SYSTEM_VERSION, _version_tuple, has_plugin_system, plugin_selected
from alembic_standards.scaffold import init_project

STANDARD_PLUGINS = '["alembic.autogenerate.*", "alembic_standards.*"]'

MODELS_V1 = """
import sqlalchemy as sa

metadata = sa.MetaData()
users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(255), nullable=False, unique=True),
)
posts = sa.Table(
    "posts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("author_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
)
"""

# Second step: a foreign key added to a table that already exists (Alembic's per-table path),
# and a new table with a foreign key.
MODELS_V2 = (
    MODELS_V1.replace(
        '    sa.Column("title", sa.String(200), nullable=False),\n',
        '    sa.Column("title", sa.String(200), nullable=False),\n'
        '    sa.Column("editor_id", sa.ForeignKey("users.id"), nullable=True),\n',
    )
    + """
drafts = sa.Table(
    "drafts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("post_id", sa.ForeignKey("posts.id"), nullable=False),
    sa.UniqueConstraint("post_id", "id"),
)
"""
)

# Third step: drops -- the table, the FK column with its index, a unique constraint.  Names read
# back from the database render as op.f('...') (Alembic 1.16+ marks them final; 1.13-1.15 are
# made to match).
MODELS_V3 = MODELS_V1.replace("nullable=False, unique=True),", "nullable=False),")

# The files Alembic 1.20.1 writes (Create Date normalised); 1.13.3 must write the same bytes.
GOLDEN = Path(__file__).parent / "data" / "compat"


def _normalised(path: Path) -> str:
    return re.sub(r"(?m)^Create Date: .*$", "Create Date: <date>", path.read_text(encoding="utf-8"))


def _golden(name: str, generated: Path) -> str:
    """The expected file.  After an intended change of the rendered layout, regenerate them on
    Alembic 1.20.1 with ALEMBIC_STANDARDS_REGENERATE_GOLDEN=1 (then review the diff)."""
    path = GOLDEN / name
    if os.environ.get("ALEMBIC_STANDARDS_REGENERATE_GOLDEN") == "1":
        path.write_text(_normalised(generated), encoding="utf-8")
    return path.read_text(encoding="utf-8")


class Project:
    """``alembic-standards init`` + models, driven by the ``alembic`` CLI on SQLite."""

    def __init__(self, root: Path, *, plugins: str = STANDARD_PLUGINS, hook: bool = True) -> None:
        self.root = root
        init_project(root / "migrations", config_file=root / "alembic.ini", quiet=True)
        env_py = root / "migrations" / "env.py"
        text = env_py.read_text(encoding="utf-8")
        text = text.replace("target_metadata = None", "from app_models import metadata as target_metadata")
        text = text.replace(STANDARD_PLUGINS, plugins)
        if not hook:
            text = text.replace('"process_revision_directives": alembic_standards.process_revision_directives,', "")
        env_py.write_text(text, encoding="utf-8")
        self.models(MODELS_V1)

    def models(self, source: str) -> None:
        (self.root / "app_models.py").write_text(source, encoding="utf-8")

    def alembic(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.root / 'app.db'}"}
        return subprocess.run(
            [sys.executable, "-m", "alembic", *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def revision_files(self) -> list[Path]:
        return sorted((self.root / "migrations" / "versions").glob("*.py"))


def test_same_generated_migration_on_every_supported_alembic(tmp_path: Path) -> None:
    """The exact text Alembic 1.20.1 writes; 1.13.3 (global registry) must write the same."""
    project = Project(tmp_path)
    result = project.alembic("revision", "--autogenerate", "-m", "initial", "--rev-id", "0001")
    assert result.returncode == 0, result.stderr
    (first,) = project.revision_files()
    assert _normalised(first) == _golden("0001_initial.py.txt", first)

    assert project.alembic("upgrade", "head").returncode == 0
    project.models(MODELS_V2)
    result = project.alembic("revision", "--autogenerate", "-m", "editor", "--rev-id", "0002")
    assert result.returncode == 0, result.stderr
    second = project.revision_files()[1]
    assert _normalised(second) == _golden("0002_editor.py.txt", second)

    assert project.alembic("upgrade", "head").returncode == 0
    project.models(MODELS_V3)
    result = project.alembic("revision", "--autogenerate", "-m", "drops", "--rev-id", "0003")
    assert result.returncode == 0, result.stderr
    third = project.revision_files()[2]
    assert _normalised(third) == _golden("0003_drops.py.txt", third)
    assert project.alembic("upgrade", "head").returncode == 0
    assert project.alembic("downgrade", "0002").returncode == 0
    assert project.alembic("upgrade", "head").returncode == 0
    check = project.alembic("check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected." in check.stdout + check.stderr


def test_not_selecting_the_plugin_leaves_alembic_untouched(tmp_path: Path) -> None:
    """Registered globally on Alembic < 1.18, yet inert unless autogenerate_plugins selects it:
    without the hook and without "alembic_standards.*", plain Alembic output (no FK index)."""
    project = Project(tmp_path, plugins='["alembic.autogenerate.*"]', hook=False)
    result = project.alembic("revision", "--autogenerate", "-m", "plain", "--rev-id", "0001")
    assert result.returncode == 0, result.stderr
    (path,) = project.revision_files()
    text = path.read_text(encoding="utf-8")
    assert "create_index" not in text
    assert "sa.PrimaryKeyConstraint('id')" in text  # Alembic's own unnamed rendering


REFUSED_NOT_SELECTED = (
    "FAILED: alembic-standards refused the revision: its comparators did not run "
    "(autogenerate_plugins=['alembic.autogenerate.*'] does not select 'alembic_standards.*'), so this "
    "migration would lack the FK indexes and constraint names the standard requires.\n"
    'Fix: in env.py, context.configure(..., autogenerate_plugins=["alembic.autogenerate.*", '
    '"alembic_standards.*"], ...).\n'
)


def test_hook_without_the_comparators_refuses_the_revision(tmp_path: Path) -> None:
    """Old Alembic ignoring autogenerate_plugins, or the pattern left out: loud, exit 255, no file."""
    project = Project(tmp_path, plugins='["alembic.autogenerate.*"]')
    result = project.alembic("revision", "--autogenerate", "-m", "x")
    assert result.returncode == 255
    assert result.stdout.endswith(REFUSED_NOT_SELECTED), result.stdout
    assert project.revision_files() == []


def test_alembic_check_with_the_hook_reports_missing_comparators(tmp_path: Path) -> None:
    project = Project(tmp_path, plugins='["alembic.autogenerate.*"]')
    result = project.alembic("check")
    assert result.returncode == 255
    assert result.stdout.endswith(REFUSED_NOT_SELECTED), result.stdout


def test_leaving_out_alembics_own_comparison_is_refused(tmp_path: Path) -> None:
    project = Project(tmp_path, plugins='["alembic_standards.*"]')
    result = project.alembic("revision", "--autogenerate", "-m", "x")
    assert result.returncode == 255
    assert result.stdout.endswith(
        "FAILED: alembic-standards refused the revision: Alembic's own comparison did not run "
        "(autogenerate_plugins=['alembic_standards.*'] leaves out 'alembic.autogenerate.*'), so no table "
        "was compared and this migration would be empty or incomplete.\n"
        'Fix: in env.py, context.configure(..., autogenerate_plugins=["alembic.autogenerate.*", '
        '"alembic_standards.*"], ...).\n'
    ), result.stdout
    assert project.revision_files() == []


def test_plain_revision_through_the_environment_is_not_refused(tmp_path: Path) -> None:
    """No --autogenerate (env.py runs under revision_environment): no comparators expected."""
    project = Project(tmp_path, plugins='["alembic.autogenerate.*"]')
    ini = project.root / "alembic.ini"
    ini.write_text(ini.read_text(encoding="utf-8").replace("[alembic]\n", "[alembic]\nrevision_environment = true\n"))
    result = project.alembic("revision", "-m", "by hand")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(project.revision_files()) == 1


@pytest.mark.parametrize(
    ("expressions", "name", "selected"),
    [
        (["alembic.autogenerate.*", "alembic_standards.*"], "alembic_standards.autogenerate", True),
        (["alembic.autogenerate.*"], "alembic_standards.autogenerate", False),
        (["*"], "alembic_standards.autogenerate", True),
        (["alembic_standards"], "alembic_standards.autogenerate", False),  # "*" needs a segment
        (["alembic_standards.*", "~alembic_standards.autogenerate"], "alembic_standards.autogenerate", False),
        (["alembic.autogenerate.*"], "alembic.autogenerate.schemas", True),
        (["alembic.*"], "alembic.autogenerate.schemas", True),  # "*" spans segments
    ],
)
def test_plugin_selection_follows_alembics_rules(expressions: list[str], name: str, selected: bool) -> None:
    assert plugin_selected(expressions, name) is selected


def test_invalid_plugin_expression_is_a_clear_error() -> None:
    from alembic.util import CommandError

    with pytest.raises(CommandError, match=r"Invalid plugin expression 'alembic-standards\.\*'"):
        plugin_selected(["alembic-standards.*"], "alembic_standards.autogenerate")


@pytest.mark.skipif(not has_plugin_system(), reason="Alembic < 1.18 has no alembic.plugins entry points")
def test_import_alembic_accepts_our_entry_point_without_warnings() -> None:
    """1.18.0-1.20.0 iterate the entry point's object, 1.20.1 wants a module: ours is both,
    and loads without a DeprecationWarning (run with -W error)."""
    code = textwrap.dedent(
        """
        import alembic
        from alembic.autogenerate import produce_migrations
        import alembic_standards.plugin as plugin
        assert list(plugin) == [plugin]
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


def test_alembic_version_is_the_same_from_the_module_and_from_the_metadata() -> None:
    """``alembic.__version__`` (used once Alembic is imported) and the distribution metadata (the
    fallback while Alembic is still importing) give the same version."""
    import alembic

    from alembic_standards.compat import _version_tuple, alembic_version

    assert alembic_version() == _version_tuple(alembic.__version__) == _version_tuple(metadata.version("alembic"))


def test_has_plugin_system_agrees_with_the_version() -> None:
    """Answered without reading the version while Alembic 1.18+ imports its plugins, and from
    ``alembic.__version__`` otherwise: the same answer as the version says, on every row."""
    code = textwrap.dedent(
        """
        from importlib import metadata
        read = []
        version = metadata.version
        metadata.version = lambda name: read.append(name) or version(name)
        import alembic
        from alembic_standards import compat
        print(compat.has_plugin_system(), compat.alembic_version() >= compat.PLUGIN_SYSTEM_VERSION, "alembic" in read)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    plugin_system = has_plugin_system()
    assert result.returncode == 0, result.stderr
    # Before 1.18 ``import alembic_standards`` (which asks) runs after ``import alembic`` here, so
    # neither version needs the metadata scan.
    assert result.stdout.split() == [str(plugin_system), str(plugin_system), "False"]


def test_without_alembic_imported_the_plugin_system_is_read_from_the_installed_package() -> None:
    """``alembic-standards check`` imports neither Alembic nor importlib.metadata (issue 15): the
    answer comes from the installed package's files and agrees with its version, on every row."""
    code = textwrap.dedent(
        """
        import sys
        from alembic_standards import compat
        print(compat.has_plugin_system(), compat._plugin_module_installed())
        print("alembic" in sys.modules, "importlib.metadata" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    by_version = _version_tuple(metadata.version("alembic")) >= PLUGIN_SYSTEM_VERSION
    assert result.stdout.split()[:2] == [str(by_version), str(by_version)]
    if by_version:  # before 1.18, importing the package registers the legacy comparators (imports Alembic)
        assert result.stdout.split()[2:] == ["False", "False"]


def test_version_and_doctor_name_the_environment(tmp_path: Path) -> None:
    cli = [sys.executable, "-m", "alembic_standards.cli"]
    version = subprocess.run([*cli, "--version"], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    lines = version.stdout.splitlines()
    assert lines[:5] == [
        f"alembic-standards {metadata.version('alembic-standards')}",
        f"Alembic: {metadata.version('alembic')}",
        f"SQLAlchemy: {metadata.version('sqlalchemy')}",
        f"pytest-alembic: {metadata.version('pytest-alembic')}",
        f"pytest: {metadata.version('pytest')}",
    ]
    assert lines[5] == f"database driver: psycopg {metadata.version('psycopg')}"
    doctor = subprocess.run([*cli, "doctor"], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert doctor.stdout.startswith(version.stdout)
    assert doctor.stdout.endswith(
        "plugin: active -- a probe autogenerate added the FK index idx_probe_child_parent_id\n"
    )


def test_called_from_sees_exactly_the_functions_on_the_stack() -> None:
    """The facts the alembic-check/autogenerate detection stands on (see compat.called_from)."""
    import inspect

    from alembic import command
    from alembic.autogenerate.api import RevisionContext

    from alembic_standards.compat import called_from

    def outer() -> bool:
        return inner()

    def inner() -> bool:
        return called_from(outer.__code__)

    assert outer() is True
    assert inner() is False
    assert called_from(command.check.__code__) is False
    # Both commands reach the hook through RevisionContext.run_autogenerate, check included.
    assert "run_autogenerate" in inspect.getsource(command.check)
    assert "run_autogenerate" in inspect.getsource(command.revision)
    assert "_run_environment" in inspect.getsource(RevisionContext.run_autogenerate)
