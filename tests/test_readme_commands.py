"""Every command the README documents is executed by a test, as written.

The commands are extracted from ``README.md`` itself: each line of a fenced ``sh`` block (an
aligned ``  # comment`` removed) and each inline code span that starts with
``alembic-standards `` or ``alembic -x ``.  :func:`test_every_readme_command_is_covered` fails
as soon as the README documents a command that no test runs, and names it.

A command is covered in one of three ways:

* run here, literally, with ``bash -c`` (the installed console scripts first on ``PATH``) on a
  scratch copy of ``sample_project/`` or an ``alembic-standards init`` project -- exit code and
  key output asserted;
* run by an existing test (named in :data:`RUN_ELSEWHERE`, whose source must contain the
  command's arguments) -- not run twice;
* the fresh-machine install commands, which CI runs word for word (``.ci/run``), and the package
  index install: asserted equal to what CI runs / to the package's metadata, not re-installed.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from test_directives import STRIP_DOWNGRADE, make_project

from alembic_standards.scaffold import template_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parent.parent
README = REPO_ROOT / "README.md"
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SCRIPTS = Path(sys.executable).parent  # alembic-standards, alembic and python of this interpreter


def readme_commands() -> list[str]:
    """The README's commands, in order, without duplicates."""
    text = README.read_text(encoding="utf-8")
    commands: list[str] = []
    for block in re.finditer(r"^```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        for line in block.group(1).splitlines():
            command = re.sub(r"\s{2,}#.*$", "", line).strip()
            if command:
                commands.append(command)
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    for span in re.findall(r"`([^`\n]+)`", prose):
        if span.startswith(("alembic-standards ", "alembic -x ")):
            commands.append(span)
    return list(dict.fromkeys(commands))


def readme_command(prefix: str) -> str:
    """The README command ``prefix`` itself, else the one starting with it (the test fails if
    there is none, or several)."""
    commands = readme_commands()
    if prefix in commands:
        return prefix
    found = [c for c in commands if c.startswith(prefix)]
    assert len(found) == 1, (prefix, found)
    return found[0]


# Commands whose literal run is in this file (the value: the test that runs it).
RUN_HERE = {
    "python3 -m venv .venv && .venv/bin/pip install -q '.[postgresql]' && "
    'PATH="$PWD/.venv/bin:$PATH" bash sample_project/demo.sh': "test_demo_command",
    "alembic init --template \"$(python -c 'import alembic_standards.scaffold as s; print(s.template_dir())')\" "
    "migrations": "test_stock_alembic_init_command",
    "alembic-standards check migrations/versions": "test_check_versions_command",
    'alembic-standards check --database-url "$DATABASE_URL"': "test_check_database_url_command",
    "alembic-standards check --format sarif > results.sarif": "test_check_sarif_command",
    "alembic-standards exceptions > docs/schema-exceptions.md": "test_exceptions_command",
    'alembic -x irreversible="archived in S3, TICKET-12" revision --autogenerate -m "drop legacy"': (
        "test_irreversible_command"
    ),
}
# Commands an existing test already runs: (module, test, text its source must contain).
RUN_ELSEWHERE = {
    "alembic-standards init migrations": (
        "test_cli",
        "test_init_creates_a_project_and_refuses_to_overwrite",
        'run(capsys, "init", "migrations")',
    ),
    "alembic-standards init --config-kind pyproject migrations": (
        "test_cli",
        "test_init_with_pyproject_config_kind_puts_alembic_settings_in_pyproject",
        'run(capsys, "init", "--config-kind", "pyproject", "migrations")',
    ),
    "alembic-standards init --config-kind pyproject": (
        "test_cli",
        "test_init_with_pyproject_config_kind_puts_alembic_settings_in_pyproject",
        'run(capsys, "init", "--config-kind", "pyproject", "migrations")',
    ),
    "alembic-standards --version": (
        "test_compat",
        "test_version_and_doctor_name_the_environment",
        '[*cli, "--version"]',
    ),
    "alembic-standards doctor": (
        "test_compat",
        "test_version_and_doctor_name_the_environment",
        '[*cli, "doctor"]',
    ),
    "alembic-standards check": ("test_cli", "test_sample_project_is_clean", '[str(_console_script()), "check"]'),
    "alembic-standards rules": ("test_cli", "test_rules_lists_the_catalogue", 'run(capsys, "rules")'),
    "alembic-standards explain AS201": (
        "test_cli",
        "test_explain_prints_the_catalogue_text",
        'run(capsys, "explain", key)',
    ),
    "alembic-standards exceptions": (
        "test_cli",
        "test_documented_exception_suppresses_and_shows_in_register",
        'run(capsys, "exceptions")',
    ),
    "alembic-standards adopt migrations --dry-run": (
        "test_adoption",
        "test_adopt_command_on_the_sample_project_changes_nothing",
        '_check(tmp_path, "adopt", "migrations", *(["--dry-run"] if dry_run else []))',
    ),
    "alembic-standards adopt migrations": (
        "test_adoption",
        "test_adopt_command_on_the_sample_project_changes_nothing",
        '_check(tmp_path, "adopt", "migrations", *(["--dry-run"] if dry_run else []))',
    ),
    "alembic-standards check --write-baseline": (
        "test_adoption",
        "test_baseline_then_only_new_findings_then_stale_until_pruned",
        '_check(root, "check", "--write-baseline")',
    ),
    "alembic-standards rename-constraints --dry-run": (
        "test_rename_constraints",
        "test_command_writes_the_revision",
        'main(["rename-constraints", "--database-url", sqlite_url, "--dry-run"])',
    ),
    # The README names an example file; the test checks one new revision file the same way.
    "alembic-standards check migrations/versions/1a2b_new.py": (
        "test_adoption",
        "test_one_file_is_judged_against_the_whole_history",
        '_check(root, "check", "versions/c3_fk.py", "--no-models")',
    ),
    # The full benchmark takes minutes: its arguments are checked here (test_benchmark_command),
    # the same scenarios run end to end at tiny sizes in the smoke test.
    ".venv/bin/python -m benchmarks.run --markdown docs/benchmarks.md": (
        "test_benchmark_smoke",
        "test_targets_run_at_tiny_sizes",
        "run_targets(",
    ),
}
# Installation commands: asserted, not re-run (see the module docstring).
ASSERTED = {
    "python3 -m venv .venv && .venv/bin/pip install -q '.[test]' && .venv/bin/pytest": (
        "test_suite_command_is_what_ci_runs"
    ),
    "pip install 'alembic-standards[postgresql]'": "test_package_index_install_names_this_package",
}


def test_every_readme_command_is_covered() -> None:
    documented = readme_commands()
    covered = {**RUN_HERE, **RUN_ELSEWHERE, **ASSERTED}
    assert [c for c in documented if c not in covered] == [], "README commands that no test runs"
    assert [c for c in covered if c not in documented] == [], "covered commands the README no longer shows"
    here = globals()
    for command, name in {**RUN_HERE, **ASSERTED}.items():
        assert callable(here.get(name)), (command, name)
    for command, (module, name, needle) in RUN_ELSEWHERE.items():
        test = getattr(importlib.import_module(module), name)
        assert needle in inspect.getsource(test), (command, module, name)


def test_extraction_reads_blocks_and_inline_commands() -> None:
    commands = readme_commands()
    assert "alembic-standards init migrations" in commands  # comment stripped
    assert "alembic-standards rules" in commands  # block and inline: listed once
    assert not any(c.startswith(("#", "import ", "[tool")) for c in commands)


# ------------------------------------------------------------------------------ helpers
def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NO_COLOR")}
    env["PATH"] = f"{SCRIPTS}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def _bash(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A scratch copy of sample_project/ (its SQLite database, sample.db, inside the copy)."""
    copy = tmp_path / "sample_project"
    shutil.copytree(
        REPO_ROOT / "sample_project", copy, ignore=shutil.ignore_patterns("*.db", "__pycache__", ".pytest_cache")
    )
    return copy


# ------------------------------------------------------------------------------ run here
@pytest.mark.slow
def test_demo_command() -> None:
    """The main job: the install part is what CI runs (checked below); demo.sh runs as written."""
    venv, install, demo = readme_command("python3 -m venv .venv && .venv/bin/pip install -q '.[postgresql]'").split(
        " && "
    )
    ci_venv, ci_install, _ = readme_command("python3 -m venv .venv && .venv/bin/pip install -q '.[test]'").split(" && ")
    assert (venv, install.replace("[postgresql]", "[test]")) == (ci_venv, ci_install)
    assert _extras()["test"][0] == "alembic-standards[postgresql,pytest]"  # [test] installs [postgresql]
    result = _bash(demo, REPO_ROOT, PWD=str(REPO_ROOT))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    # The plugin indexed the foreign key and named the unique constraint (rendering details are
    # pinned by test_template/test_autogenerate; here: the demo shows them).
    assert re.search(
        r"op\.create_index\(.*'idx_attachments_uploaded_by_id'.*, 'attachments', \['uploaded_by_id'\]", out
    )
    assert "'uq_attachments_journal_entry_id_file_name'" in out
    assert re.search(
        r"sample_app/models\.py:\d+:5: AS201 foreign key attachments\(uploaded_by_id\) -> users\.id is not covered "
        r"by an index; add index=True on the column\n",
        out,
    )
    assert out.endswith("alembic-standards exited with 1\n")
    assert not list((REPO_ROOT / "sample_project").glob("*.db"))  # the repository is not touched


def test_stock_alembic_init_command(tmp_path: Path) -> None:
    result = _bash(readme_command("alembic init --template"), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("env.py", "script.py.mako", "README"):
        assert (tmp_path / "migrations" / name).read_bytes() == (template_dir() / name).read_bytes()


def test_check_versions_command(sample: Path) -> None:
    result = _bash(readme_command("alembic-standards check migrations/versions"), sample)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "All checks passed.\n")


def test_check_database_url_command(sample: Path) -> None:
    """On the sample's SQLite database after `alembic upgrade head` (SQLite: AS904 notes only)."""
    url = f"sqlite:///{sample / 'sample.db'}"
    upgrade = _bash("alembic upgrade head", sample)
    assert upgrade.returncode == 0, upgrade.stderr
    result = _bash(readme_command("alembic-standards check --database-url"), sample, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert "users: AS904 table users: SQLite has no native UUID or time-zone-aware timestamp type" in result.stdout
    assert {line.split(": ")[1].split()[0] for line in result.stdout.splitlines()} == {"AS904"}


def test_check_database_url_command_on_postgresql(sample: Path, pg_url: str) -> None:
    """The sample project migrated to head on PostgreSQL follows the standards.

    Until the audit leaves Alembic's own version table alone (h7-audit, "Audit: never judge
    Alembic's version table"), it reports AS101 on alembic_version.version_num and nothing else;
    once merged, the exact expectation is (0, "", "All checks passed.\\n").
    """
    upgrade = _bash("alembic upgrade head", sample, DATABASE_URL=pg_url)
    assert upgrade.returncode == 0, upgrade.stderr
    result = _bash(readme_command("alembic-standards check --database-url"), sample, DATABASE_URL=pg_url)
    assert "Traceback" not in result.stderr
    others = [line for line in result.stdout.splitlines() if not line.startswith("alembic_version.")]
    assert others == [], result.stdout
    if result.stdout:
        assert (result.returncode, result.stderr) == (1, "Found 1 finding (1 error).\n")
    else:
        assert (result.returncode, result.stderr) == (0, "All checks passed.\n")


def test_check_sarif_command(sample: Path) -> None:
    result = _bash(readme_command("alembic-standards check --format sarif"), sample)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "All checks passed.\n")
    log = json.loads((sample / "results.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    assert log["runs"][0]["results"] == []


def test_exceptions_command(sample: Path) -> None:
    (sample / "docs").mkdir()  # the README's command writes into the project's docs/
    result = _bash(readme_command("alembic-standards exceptions > docs/schema-exceptions.md"), sample)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    register = (sample / "docs" / "schema-exceptions.md").read_text(encoding="utf-8")
    assert register.startswith("# Exceptions register\n")
    assert "\n| AS101 `pk-not-uuid` | `log_entries` | " in register


def test_irreversible_command(tmp_path: Path) -> None:
    """The README's `-x irreversible=...` command, as written, on a project whose downgrade a hook
    of the user's own empties (so only the reason lets the revision through)."""
    project = make_project(tmp_path / "p", f"sqlite:///{tmp_path / 'app.db'}")
    project.hook(STRIP_DOWNGRADE, "alembic_standards.chain(strip_downgrade)")
    command = readme_command("alembic -x irreversible=")
    result = _bash(command, project.root, DATABASE_URL=project.url)
    assert result.returncode == 0, result.stdout + result.stderr
    (path,) = project.revision_files()
    text = path.read_text(encoding="utf-8")
    assert text.startswith('"""drop legacy\n')
    assert "\nirreversible = 'archived in S3, TICKET-12'\n" in text
    # The form the README used to show is refused by Alembic's own argument parser.
    path.unlink()
    old = _bash(
        'alembic revision --autogenerate -m "drop legacy" -x irreversible="archived in S3, TICKET-12"',
        project.root,
        DATABASE_URL=project.url,
    )
    assert old.returncode == 2
    assert "unrecognized arguments: -x" in old.stderr


# ------------------------------------------------------------------------------ asserted
def _extras() -> dict[str, list[str]]:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(pyproject["project"]["optional-dependencies"])


def test_suite_command_is_what_ci_runs() -> None:
    command = readme_command("python3 -m venv .venv && .venv/bin/pip install -q '.[test]'")
    assert command in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_package_index_install_names_this_package() -> None:
    command = readme_command("pip install 'alembic-standards")
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert shlex.split(command) == ["pip", "install", f"{pyproject['project']['name']}[postgresql]"]
    assert {"postgresql", "pytest"} <= set(_extras())  # the comment's [pytest] too


def test_benchmark_command() -> None:
    """The documented benchmark command's arguments are accepted by the harness as written."""
    sys.path.insert(0, str(REPO_ROOT))
    try:
        from benchmarks import run
    finally:
        sys.path.remove(str(REPO_ROOT))
    argv = shlex.split(readme_command(".venv/bin/python -m benchmarks.run"))
    args = run.parse_args(argv[3:])
    assert args.markdown == Path("docs/benchmarks.md")
