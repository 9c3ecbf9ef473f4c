"""The spec is the acceptance test: its model examples, verbatim, at default settings.

``tests/fixtures/spec/`` holds the spec's own code blocks as application packages (each with the
minimal ``base.py`` the block imports and the models it refers to):

* ``spec_template`` -- the Standard Model Template (``ExampleModel``, with ``User``/``Category``):
  zero findings.
* ``spec_rule1`` -- Rule 1's "Permitted Exceptions".  The junction table ``JournalEntryTag``
  passes its composite key and its missing timestamps; ``LogEntry`` with only a
  ``# Documented exception`` comment, and ``SecretTag`` with only a comment, are still findings
  (a comment is no documentation the register could list).  Its ``tag_id`` foreign key is not
  covered by an index -- a true finding: Rule 2 demands an index on every foreign key, and the
  spec's own Clean Schema Migration creates ``idx_journal_entry_tags_tag_id``.
* ``spec_documented`` -- the "Exception Documentation" section's ``SecretTag`` and ``LogEntry``,
  whose ``Exception:`` docstrings document them: zero findings, and the register lists both.

Each is checked through the API and through the CLI (exit code and exact stdout), and the
fixtures are checked to contain the spec's blocks byte for byte.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alembic_standards.config import Config
from alembic_standards.exceptions import ExceptionRegister
from alembic_standards.models import lint_metadata, load_metadata
from alembic_standards.rules import Stage

SPEC = Path(__file__).parent / "fixtures" / "spec"

RULE1 = [
    "spec_rule1/models.py:15:5: AS101 primary key log_entries.id is INTEGER, not a native UUID; sequential integer "
    "IDs are a permitted exception once documented with their reason",
    # JournalEntryTag (Exception 2, a junction table declared as its key alone) passes: the plugin
    # indexes tag_id in the migration, as the spec's own migration does.
    "spec_rule1/models.py:24:5: AS101 primary key secret_tags.tag_id is VARCHAR(36), not a native UUID; a "
    "protocol-mandated string key is a permitted exception once documented with its reason",
]

EXPECTED: dict[str, list[str]] = {"spec_template": [], "spec_rule1": RULE1, "spec_documented": []}

DOCUMENTED_REGISTER = "\n".join(
    [
        "# Exceptions register",
        "",
        "Every documented departure from the schema standard, with its justification.",
        "",
        "## Schema objects (2)",
        "",
        "| Rule | Object | Reason | Ticket | Expires | Declared at |",
        "| --- | --- | --- | --- | --- | --- |",
        "| AS101 `pk-not-uuid` | `log_entries` | Uses Integer primary key for guaranteed ordering. |  |  "
        "| `spec_documented/models.py:23` |",
        "| AS101 `pk-not-uuid` | `secret_tags` | Uses String(36) primary key for OPAQUE protocol compatibility. "
        "|  |  | `spec_documented/models.py:12` |",
        "",
        "## Migrations (0)",
        "",
        "None.",
        "",
    ]
)

NO_EXCEPTIONS = "# Exceptions register\n\nNo exceptions to the schema standard are declared.\n"


def _spec_blocks(repo_root: Path) -> list[str]:
    text = (repo_root / "docs" / "schema-standardization-guidelines.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_fixtures_hold_the_spec_blocks_verbatim(repo_root: Path) -> None:
    blocks = {block.splitlines()[0]: block for block in _spec_blocks(repo_root)}
    template = blocks['"""']
    rule1 = blocks["# Exception 1: Sequential IDs for ordering/pagination"]
    secret_tag = next(b for b in _spec_blocks(repo_root) if b.startswith("class SecretTag") and "Exception:" in b)
    log_entry = next(b for b in _spec_blocks(repo_root) if b.startswith("class LogEntry") and "Exception:" in b)
    assert (SPEC / "spec_template" / "example.py").read_text(encoding="utf-8").endswith("\n" + template)
    assert (SPEC / "spec_rule1" / "models.py").read_text(encoding="utf-8").endswith("\n" + rule1)
    documented = (SPEC / "spec_documented" / "models.py").read_text(encoding="utf-8")
    assert "\n" + secret_tag in documented
    assert documented.endswith("\n" + log_entry)


def _lint(package: str) -> tuple[list[str], str]:
    config = Config()  # default settings: no [tool.alembic_standards]
    metadatas = load_metadata(f"{package}.models:Base.metadata", root=SPEC)
    register = ExceptionRegister.collect(config, metadatas)
    findings = register.apply(lint_metadata(metadatas, config), config, stages=[Stage.MODELS])
    return [f.render(SPEC) for f in findings], register.markdown(relative_to=SPEC)


@pytest.mark.parametrize("package", list(EXPECTED))
def test_spec_examples_through_the_api(package: str) -> None:
    lines, _ = _lint(package)
    assert lines == EXPECTED[package]


def test_docstring_exceptions_are_the_register() -> None:
    assert _lint("spec_documented")[1] == DOCUMENTED_REGISTER
    # Comments are not documentation: Rule 1's LogEntry and SecretTag declare nothing.
    assert _lint("spec_rule1")[1] == NO_EXCEPTIONS
    assert _lint("spec_template")[1] == NO_EXCEPTIONS


@pytest.fixture(scope="module")
def spec_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures outside the repository: no pyproject.toml above, so defaults apply."""
    target = tmp_path_factory.mktemp("spec") / "project"
    shutil.copytree(SPEC, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter: the fixture modules are imported from the copy, not from this process.
    return subprocess.run(
        [sys.executable, "-c", "import sys; from alembic_standards.cli import main; sys.exit(main())", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("package", list(EXPECTED))
def test_spec_examples_through_the_cli(spec_copy: Path, package: str) -> None:
    result = _cli(spec_copy, "check", "--metadata", f"{package}.models:Base.metadata")
    expected = EXPECTED[package]
    assert result.stdout == "".join(line + "\n" for line in expected)
    assert result.returncode == (1 if expected else 0), result.stderr
    assert "Traceback" not in result.stderr


def test_register_through_the_cli(spec_copy: Path) -> None:
    result = _cli(spec_copy, "exceptions", "--metadata", "spec_documented.models:Base.metadata")
    assert (result.returncode, result.stdout) == (0, DOCUMENTED_REGISTER)
