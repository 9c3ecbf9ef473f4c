"""What a cold ``alembic-standards check`` loads before it reads the first revision (issue 15).

Not timed (speed is measured in ``benchmarks/``): these pin the *causes* of start-up cost the
benchmark profile found, so that they do not come back unnoticed -- ``importlib.metadata`` (about
50 ms: the package version and Alembic's version were read at import), regular expressions
compiled at import (about a fifth of the rest), and the model linter or SQLAlchemy on a
migrations-only run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest

from alembic_standards.lazy_re import LazyPattern

_PROBE = """
import json, re, sys
compiled_before = set(re._cache)
import alembic_standards.cli, alembic_standards.migrations, alembic_standards.exceptions
import alembic_standards.suppressions
print(json.dumps({
    "modules": sorted(sys.modules),
    "compiled": sorted(str(key[1]) for key in set(re._cache) - compiled_before),
}))
"""


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[str]]:
    run = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60)
    result: dict[str, list[str]] = json.loads(run.stdout)
    return result


def test_the_check_path_reads_no_package_metadata(loaded: dict[str, list[str]]) -> None:
    assert "importlib.metadata" not in loaded["modules"]


def test_the_check_path_imports_no_sqlalchemy_alembic_or_model_linter(loaded: dict[str, list[str]]) -> None:
    heavy = [m for m in loaded["modules"] if m.split(".")[0] in ("sqlalchemy", "alembic")]
    assert heavy == []
    assert "alembic_standards.models" not in loaded["modules"]
    assert "alembic_standards.model_rules" not in loaded["modules"]


def test_the_check_path_imports_no_cache_or_hash_machinery(loaded: dict[str, list[str]]) -> None:
    # tempfile (with shutil, bz2, lzma, random) and hashlib serve the cache and the baseline, when
    # written or used: a `--no-cache` run without a baseline needs neither (about 25 M instructions).
    assert "tempfile" not in loaded["modules"]
    assert "hashlib" not in loaded["modules"]


_RUN = """
import json, sys
from alembic_standards.cli import main
code = main(["check", "--no-cache", "--no-models", "-q", "versions"])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A whole ``check`` of an empty history, without a baseline file, in a fresh interpreter."""
    project = tmp_path_factory.mktemp("startup")
    (project / "versions").mkdir()
    run = subprocess.run(
        [sys.executable, "-c", _RUN], capture_output=True, text=True, check=True, timeout=60, cwd=project
    )
    result: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    return result


def test_a_check_without_a_baseline_file_does_not_import_the_baseline_reader(ran: dict[str, Any]) -> None:
    assert ran["code"] == 0
    assert "alembic_standards.baseline" not in ran["modules"]


def test_parsing_a_check_command_line_does_not_ask_the_terminal_for_its_width(ran: dict[str, Any]) -> None:
    # argparse's HelpFormatter imports shutil (with bz2, lzma, fnmatch) for the terminal width; the
    # check command's fast parser never prints, so it gives a width and spares that import.
    assert ran["code"] == 0
    assert "shutil" not in ran["modules"]


def test_the_checker_compiles_its_patterns_on_first_use(loaded: dict[str, list[str]]) -> None:
    # The raw-SQL patterns of the safety rules are the largest: none of them is compiled at import.
    assert not [p for p in loaded["compiled"] if "CONCURRENTLY" in p or "VALIDATE" in p or "lock_timeout" in p]


def test_a_lazy_pattern_is_the_compiled_pattern() -> None:
    lazy = LazyPattern(r"(?P<word>\w+)-(\d+)", re.IGNORECASE)
    eager = re.compile(r"(?P<word>\w+)-(\d+)", re.IGNORECASE)
    text = "Add-12 and drop-7; x-y"
    assert lazy.pattern == eager.pattern
    assert lazy.match(text).group("word") == eager.match(text).group("word")  # type: ignore[union-attr]
    assert lazy.match(text, 4) is None and eager.match(text, 4) is None
    assert lazy.search(text, 4).span() == eager.search(text, 4).span()  # type: ignore[union-attr]
    assert lazy.fullmatch("abc-1") is not None and lazy.fullmatch("abc-1 ") is None
    assert lazy.findall(text) == eager.findall(text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.sub("#", text, 1) == eager.sub("#", text, 1)
    assert lazy.split(text) == eager.split(text)
    assert lazy.compiled is lazy.compiled  # compiled once
