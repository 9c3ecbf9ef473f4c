"""The real-code regression corpus: every stage on pinned open-source projects, against judgement.

For each project of ``projects.json`` (installed in ``tests/corpus/.venv-NAME`` by
``.ci/corpus.sh``), ``run_stages.py`` runs the model linter, the static checker on the project's
installed versions directory, the live audit after ``create_all`` and autogenerate with the plugin
on an empty database, all on this session's PostgreSQL, and writes ``expected/NAME.observed.json``.
The tests compare that with the judged findings in ``expected/NAME.json`` (see ``judgement.py``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from . import judgement

pytestmark = pytest.mark.corpus

HERE = Path(__file__).resolve().parent
PROJECTS: dict[str, dict[str, Any]] = json.loads((HERE / "projects.json").read_text())


def _python(name: str) -> Path:
    return HERE / f".venv-{name}" / "bin" / "python"


@pytest.fixture(scope="session")
def observe(postgres_server: str) -> Any:
    """``observe(name)`` runs the stages once per session per project and returns the observed data."""
    cache: dict[str, dict[str, Any]] = {}

    def run(name: str) -> dict[str, Any]:
        if name not in cache:
            python = _python(name)
            if not python.exists():
                pytest.fail(f"corpus environment {python.parent.parent} is missing: run .ci/corpus.sh", pytrace=False)
            out = judgement.observed_path(name)
            cmd = [str(python), str(HERE / "run_stages.py"), name, "--pg-url", postgres_server, "--out", str(out)]
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
            if result.returncode != 0:
                pytest.fail(f"run_stages.py {name} failed:\n{result.stderr[-3000:]}", pytrace=False)
            cache[name] = judgement.load(out)
        return cache[name]

    return run


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_environment_has_the_pinned_version(name: str) -> None:
    python = _python(name)
    assert python.exists(), f"corpus environment for {name} is missing: run .ci/corpus.sh"
    dist, version = PROJECTS[name]["requirement"].split("==")
    code = f"from importlib.metadata import version; print(version({dist!r}))"
    installed = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert installed == version


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_no_stage_crashes(name: str, observe: Any) -> None:
    crashes = observe(name)["crashes"]
    comparison = judgement.compare([], [])
    assert not crashes, judgement.render(name, comparison, crashes)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_findings_match_the_judgement(name: str, observe: Any) -> None:
    observed = observe(name)
    judged = judgement.load(judgement.judged_path(name))
    assert observed["version"] == judged["version"], "the judgement is for another version: re-judge"
    comparison = judgement.compare(observed["findings"], judged["findings"])
    report = judgement.render(name, comparison, [])
    print(report)  # the full diff, also for a passing run (vanished and reworded findings)
    assert not comparison.failed, report


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_autogenerate_indexes_every_foreign_key_and_leaves_no_drift(name: str, observe: Any) -> None:
    result = observe(name)["autogenerate"]
    assert result["revision"], "alembic revision --autogenerate failed (see the crash test)"
    assert result["upgrade"], "alembic upgrade head failed on the generated revision (see the crash test)"
    assert result["unindexed_fks"] == []
    assert result["alembic_check"] == "clean"
    assert result["downgrade"], "alembic downgrade base failed on the generated revision"
