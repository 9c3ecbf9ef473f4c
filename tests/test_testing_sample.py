"""The sample project's own migration tests (``sample_project/tests``) pass on PostgreSQL.

They are what a user writes: pytest-alembic's defaults plus ``from alembic_standards.testing
import *``, with a conftest that takes the database from ``DATABASE_URL``.  We run them as a user
would -- ``pytest`` in a copy of the project, in a separate interpreter -- against a fresh
database.  When the project ships no revision yet, one is generated first with
``alembic revision --autogenerate`` (the plugin and the template write it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from alembic_standards.scaffold import template_dir

EXPECTED = {
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
    "test_database_follows_standards",
    "test_downgrades_leave_no_trace",
    "test_every_revision_has_a_real_downgrade",
    "test_migrations_are_safe",
    "test_model_definitions_match_ddl",
    "test_model_foreign_key_indexes",
    "test_model_primary_keys",
    "test_model_relationships",
    "test_model_unique_constraints",
    "test_models_follow_standards",
    "test_no_revision_introduces_violations",
}


def _run(args: list[str], cwd: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_sample_project_migration_tests_pass_on_postgresql(repo_root, tmp_path, pg_url):
    project = tmp_path / "sample_project"
    shutil.copytree(
        repo_root / "sample_project", project, ignore=shutil.ignore_patterns("*.db", "__pycache__", ".pytest_cache")
    )
    versions = project / "migrations" / "versions"
    if not any(versions.glob("*.py")):
        if not (project / "migrations" / "script.py.mako").exists():
            shutil.copy(template_dir() / "script.py.mako", project / "migrations")
        generated = _run(
            [sys.executable, "-m", "alembic", "revision", "--autogenerate", "-m", "initial"], project, pg_url
        )
        assert generated.returncode == 0, generated.stderr

    result = _run([sys.executable, "-m", "pytest", "tests", "-p", "no:cacheprovider", "-v", "-rs"], project, pg_url)

    outcomes = dict(re.findall(r"^tests/test_migrations\.py::(test_\w+) (\w+)", result.stdout, re.MULTILINE))
    assert outcomes == dict.fromkeys(EXPECTED, "PASSED"), result.stdout + result.stderr
    assert result.returncode == 0
    assert "AlembicStandardsWarning" not in result.stdout
