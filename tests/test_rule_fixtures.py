"""Per-rule fixture files: one generic test runs every ``tests/rules/<stage>/<RULE>*.py``.

The pattern of ruff's and pylint's own test suites (see tests/rules/README.md): a fixture file
marks, on the line where a finding is expected, ``# expect: AS804 <the exact message>``; the test
runs the stage on the file and compares both ways -- a marked finding that does not appear fails,
and so does a finding that is not marked.  A file with no marker is a Good case: the stage must
find nothing in it.  Adding a rule's tests is copying one file.

* ``migrations``: the file is checked by the migration checker as a history of its own (copied
  alone into an empty versions directory; parsed, never imported); a directory ``<RULE>/`` of
  revision files is one history, for the rules that judge several revisions together.
* ``models``: the file is imported under a private module name and every ``MetaData`` it defines
  is linted; its ORM registry is disposed afterwards, so no fixture sees another's mappers.

``# config: key = value`` lines (TOML) set ``[tool.alembic_standards]`` for that file;
``# in-use: users.name, posts`` lines say what the running code uses (the models' tables and
columns: what ``check --metadata`` passes the checker for AS1008).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from alembic_standards.config import Config, load_config
from alembic_standards.findings import Finding
from alembic_standards.migrations import check_migrations
from alembic_standards.models import lint_metadata
from alembic_standards.safety import InUse

RULES_DIR = Path(__file__).parent / "rules"
STAGES = ("migrations", "models")

_EXPECT = re.compile(r"#\s*expect:\s*(AS\d{3,4})\s+(.*?)\s*(?=#\s*expect:|$)")
_CONFIG = re.compile(r"^#\s*config:\s*(.+)$")
_IN_USE = re.compile(r"^#\s*in-use:\s*(.+)$")


@dataclass(frozen=True, order=True)
class Expected:
    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule} {self.message}"


def sources(path: Path) -> list[Path]:
    """The files of a fixture: the file itself, or the ``.py`` files of a fixture directory."""
    return sorted(path.glob("*.py")) if path.is_dir() else [path]


def expectations(path: Path) -> list[Expected]:
    """Every ``# expect: RULE message`` marker of the fixture, with its file and line."""
    out: list[Expected] = []
    for source in sources(path):
        for number, text in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
            out.extend(Expected(source.name, number, rule, message) for rule, message in _EXPECT.findall(text))
    return sorted(out)


def fixture_config(path: Path, root: Path) -> Config:
    """The defaults, plus the fixture's ``# config:`` lines as ``[tool.alembic_standards]``."""
    text = "\n".join(source.read_text(encoding="utf-8") for source in sources(path))
    lines = [m.group(1) for line in text.splitlines() if (m := _CONFIG.match(line))]
    pyproject = root / "pyproject.toml"
    pyproject.write_text("[tool.alembic_standards]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return load_config(pyproject)


def fixture_in_use(path: Path) -> InUse | None:
    """The fixture's ``# in-use:`` lines: ``table`` or ``table.column`` names, comma-separated."""
    text = "\n".join(source.read_text(encoding="utf-8") for source in sources(path))
    names = [n.strip() for line in text.splitlines() if (m := _IN_USE.match(line)) for n in m.group(1).split(",")]
    if not names:
        return None
    columns = {tuple(n.split(".", 1)) for n in names if "." in n}
    tables = {n for n in names if "." not in n} | {table for table, _ in columns}
    return InUse(frozenset(tables), frozenset((t, c) for t, c in columns))


def found(findings: list[Finding]) -> list[Expected]:
    """The findings as markers (a finding without a file or line shows as ``?:0``, which no
    marker can match: it is always unexpected)."""
    out = []
    for finding in findings:
        path = finding.location.path
        out.append(
            Expected(Path(path).name if path else "?", finding.location.line or 0, finding.rule_id, finding.message)
        )
    return sorted(out)


def run_migrations(path: Path, tmp_path: Path) -> list[Expected]:
    """A file is a history of one revision; a directory, a history of all its revision files."""
    versions = tmp_path / "versions"
    versions.mkdir()
    for source in sources(path):
        shutil.copyfile(source, versions / source.name)
    report = check_migrations([versions], fixture_config(path, tmp_path), cache=False, in_use=fixture_in_use(path))
    return found([*report.input_errors, *report.findings])


def run_models(path: Path, tmp_path: Path) -> list[Expected]:
    name = f"_rule_fixture_{path.parent.name}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        found_metadata = [v for v in vars(module).values() if isinstance(v, MetaData)]
        found_metadata += [base.metadata for base in _declarative_bases(module)]
        metadatas = list({id(md): md for md in found_metadata}.values())
        assert metadatas, f"{path} defines no MetaData"
        return found(lint_metadata(metadatas, fixture_config(path, tmp_path)))
    finally:
        for base in _declarative_bases(module):
            base.registry.dispose()
        del sys.modules[name]


def _declarative_bases(module: object) -> list[type[DeclarativeBase]]:
    """The declarative bases a fixture defines (direct subclasses of ``DeclarativeBase``)."""
    return [value for value in vars(module).values() if isinstance(value, type) and DeclarativeBase in value.__bases__]


RUNNERS = {"migrations": run_migrations, "models": run_models}


def fixture_files() -> list[Path]:
    """Every fixture: the ``.py`` files of each stage, and (migrations) directories of revisions."""
    out = [path for stage in STAGES for path in (RULES_DIR / stage).glob("*.py")]
    out += [path for path in (RULES_DIR / "migrations").iterdir() if path.is_dir() and path.name != "__pycache__"]
    return sorted(out)


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixture(path: Path, tmp_path: Path) -> None:
    actual = RUNNERS[path.parent.name](path, tmp_path)
    wanted = expectations(path)
    missing = [str(e) for e in wanted if e not in actual]
    unexpected = [str(e) for e in actual if e not in wanted]
    where = path.relative_to(RULES_DIR)
    assert (missing, unexpected) == ([], []), f"{where}: missing {missing}, unexpected {unexpected}"


def test_every_rule_of_the_two_stages_has_a_fixture() -> None:
    """Every rule the migration checker or the model linter emits has a fixture with a Bad case
    (a marker) -- except the rules about the exceptions register and the baseline (AS901-AS905),
    which need a register or a baseline file and are tested in test_exceptions/test_baseline."""
    from alembic_standards.rules import RULES, Stage

    for stage in STAGES:
        claimed = {
            rule_id
            for rule_id, rule in RULES.items()
            if Stage(stage) in rule.stages and not ("AS901" <= rule_id <= "AS905")
        }
        marked = {e.rule for path in fixture_files() if path.parent.name == stage for e in expectations(path)}
        assert sorted(claimed - marked) == [], f"{stage}: rules without a Bad fixture"


def test_markers_are_read_exactly(tmp_path: Path) -> None:
    """The marker syntax itself: several markers on one line, text kept verbatim."""
    sample = tmp_path / "AS000.py"
    sample.write_text("x = 1  # expect: AS501 one 'two'  # expect: AS703 three\ny = 2\n", encoding="utf-8")
    assert expectations(sample) == [
        Expected("AS000.py", 1, "AS501", "one 'two'"),
        Expected("AS000.py", 1, "AS703", "three"),
    ]
