"""`alembic-standards init` (scaffold.init_project) and the stock `alembic init --template /abs/path`."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from alembic_standards.findings import StandardsError
from alembic_standards.scaffold import init_project, template_dir

TEMPLATE_FILES = ["README", "alembic.ini.mako", "env.py", "script.py.mako"]


def test_template_dir_is_the_installed_copy_else_the_checkout(repo_root: Path) -> None:
    import alembic_standards

    installed = Path(alembic_standards.__file__).parent / "templates"
    root = installed if (installed / "alembic_standards" / "script.py.mako").is_file() else repo_root / "templates"
    path = template_dir()
    assert path.is_absolute()
    assert path == root / "alembic_standards"
    assert sorted(p.name for p in path.iterdir() if p.is_file()) == TEMPLATE_FILES
    assert template_dir("pyproject") == root / "alembic_standards_pyproject"
    # Whichever copy is used, it is the checkout's template, byte for byte.
    for name in TEMPLATE_FILES:
        assert filecmp.cmp(path / name, repo_root / "templates" / "alembic_standards" / name, shallow=False)
    # `alembic list_templates` style: the README's first line describes the template.
    assert (path / "README").read_text(encoding="utf-8").splitlines()[0].startswith("Alembic migration environment")


def test_wheel_ships_the_template(repo_root: Path) -> None:
    """pyproject force-includes templates/ as alembic_standards/templates (where template_dir looks first)."""
    pyproject = (repo_root / "pyproject.toml").read_text(encoding="utf-8")
    assert '"templates" = "alembic_standards/templates"' in pyproject


def test_init_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    created = init_project(tmp_path / "migrations", config_file=tmp_path / "alembic.ini", quiet=True)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in created) == [
        "alembic.ini",
        "migrations/README",
        "migrations/env.py",
        "migrations/script.py.mako",
        "pyproject.toml",
    ]
    assert (tmp_path / "migrations" / "versions").is_dir()
    for name in ("env.py", "script.py.mako", "README"):
        assert filecmp.cmp(tmp_path / "migrations" / name, template_dir() / name, shallow=False)
    ini = (tmp_path / "alembic.ini").read_text(encoding="utf-8")
    assert "script_location = %(here)s/migrations\n" in ini  # portable, not this machine's absolute path
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == (
        '[tool.alembic_standards]\nmigrations = ["migrations/versions"]\n'
    )


def test_init_project_keeps_existing_configuration(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = elsewhere\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n', encoding="utf-8")
    created = init_project(tmp_path / "db", config_file=tmp_path / "alembic.ini", quiet=True)
    assert tmp_path / "alembic.ini" not in created
    assert (tmp_path / "alembic.ini").read_text(encoding="utf-8") == "[alembic]\nscript_location = elsewhere\n"
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == (
        '[project]\nname = "app"\n\n[tool.alembic_standards]\nmigrations = ["db/versions"]\n'
    )
    again = init_project(tmp_path / "db2", config_file=tmp_path / "alembic.ini", quiet=True)
    assert tmp_path / "pyproject.toml" not in again  # already has [tool.alembic_standards]


def test_init_project_refuses_a_non_empty_target(tmp_path: Path) -> None:
    target = tmp_path / "migrations"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StandardsError, match="target exists and is not an empty directory") as info:
        init_project(target, config_file=tmp_path / "alembic.ini", quiet=True)
    assert info.value.path == target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["migrations"]  # nothing half-written
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_both_templates_ship_the_same_environment() -> None:
    for name in ("env.py", "script.py.mako"):
        assert filecmp.cmp(template_dir("ini") / name, template_dir("pyproject") / name, shallow=False)


def test_init_project_with_pyproject_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n', encoding="utf-8")
    created = init_project(Path("migrations"), config_kind="pyproject", quiet=True)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in created) == [
        "alembic.ini",
        "migrations/README",
        "migrations/env.py",
        "migrations/script.py.mako",
        "pyproject.toml",
    ]
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith('[project]\nname = "app"\n')
    assert 'script_location = "%(here)s/migrations"\n' in text
    assert text.endswith('[tool.alembic_standards]\nmigrations = ["migrations/versions"]\n')
    assert "script_location" not in (tmp_path / "alembic.ini").read_text(encoding="utf-8")
    # Alembic reads it: the script directory resolves from [tool.alembic].
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "heads"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_init_project_refuses_an_unknown_config_kind(tmp_path: Path) -> None:
    with pytest.raises(StandardsError, match="unsupported config kind 'toml'"):
        init_project(tmp_path / "m", config_kind="toml", config_file=tmp_path / "alembic.ini")
    assert list(tmp_path.iterdir()) == []


def test_init_project_into_an_existing_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    init_project(tmp_path / "migrations", config_file=tmp_path / "alembic.ini", quiet=True)
    assert (tmp_path / "migrations" / "env.py").is_file()


def test_stock_alembic_init_with_the_absolute_template_path(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "init", "--template", str(template_dir()), "migrations"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("env.py", "script.py.mako", "README"):
        assert filecmp.cmp(tmp_path / "migrations" / name, template_dir() / name, shallow=False)
    ini = (tmp_path / "alembic.ini").read_text(encoding="utf-8")
    assert "script_location = %(here)s/migrations\n" in ini
    assert "file_template = %%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s\n" in ini


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_unconfigured_database_is_a_clear_refusal_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    init_project(tmp_path / "migrations", quiet=True)
    alembic = Path(sys.executable).with_name("alembic")
    command = [str(alembic), "revision", "--autogenerate", "-m", "x"]
    if offline:
        command = [str(alembic), "upgrade", "head", "--sql"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 255
    assert "FAILED: no database configured: set DATABASE_URL, or sqlalchemy.url in alembic.ini" in result.stdout
    assert "Traceback" not in result.stderr
    assert not any((tmp_path / "migrations" / "versions").iterdir())
