"""The catalogue is a contract: what it says each stage checks is what each stage's code emits.

Three sources must agree: ``Rule.stages`` in the catalogue, the per-stage declarations in
:mod:`alembic_standards.stages`, and the rule IDs the stages' modules actually name (read from
their syntax trees, never imported).  Each test below is one of the ways they can drift apart.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

import alembic_standards
from alembic_standards.findings import RuleId
from alembic_standards.rules import RULES, Stage
from alembic_standards.stages import REFERENCING_MODULES, STAGES

PACKAGE = Path(alembic_standards.__file__).parent


def _files(module: str) -> list[Path]:
    """The source files of a module or of every module of a package."""
    relative = Path(*module.split(".")[1:])
    single = (PACKAGE / relative).with_suffix(".py")
    if single.is_file():
        return [single]
    folder = PACKAGE / relative
    assert folder.is_dir(), f"{module} names no module or package"
    return sorted(folder.rglob("*.py"))


def rule_ids_named_in(source: str) -> set[RuleId]:
    """``RuleId.X`` attributes and bare ``"ASnnn"`` literals (modules not converted yet)."""
    found: set[RuleId] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "RuleId":
            found.add(RuleId(node.attr))  # ValueError: an uncatalogued rule
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"AS\d{3,4}", node.value):
            found.add(RuleId(node.value))
    return found


@cache
def named_in(module: str) -> frozenset[RuleId]:
    return frozenset().union(*(rule_ids_named_in(path.read_text(encoding="utf-8")) for path in _files(module)))


def test_the_scan_sees_rule_ids_and_legacy_literals_but_not_prose() -> None:
    source = 'x = RuleId.AS201\ny = f("AS804")\n"""AS101 in a docstring."""\nz = "AS702 downgrade()"\n'
    assert rule_ids_named_in(source) == {RuleId.AS201, RuleId.AS804}
    with pytest.raises(ValueError, match="'AS999' is not a valid RuleId"):
        rule_ids_named_in('config.finding("AS999", "m")')


def test_every_stage_is_declared() -> None:
    assert set(STAGES) == set(Stage)
    assert all(code.stage is stage for stage, code in STAGES.items())


@pytest.mark.parametrize("stage", list(Stage), ids=lambda s: s.value)
def test_declarations_equal_the_catalogue(stage: Stage) -> None:
    catalogued = {rule.id for rule in RULES.values() if stage in rule.stages}
    declared = STAGES[stage].emits
    assert sorted(declared - catalogued) == [], "declared but not catalogued for this stage"
    assert sorted(catalogued - declared) == [], "catalogued for this stage but not declared"


def test_every_catalogued_rule_is_emitted_by_some_stage() -> None:
    emitted = frozenset().union(*(code.emits for code in STAGES.values()))
    assert sorted(set(RULES) - emitted) == []


@pytest.mark.parametrize("stage", list(Stage), ids=lambda s: s.value)
def test_every_declared_rule_has_code_in_the_stage(stage: Stage) -> None:
    code = STAGES[stage]
    named = frozenset().union(*(named_in(module) for module in code.modules))
    assert sorted(code.emits - named) == [], f"declared for {stage.value} but named by none of {code.modules}"


def test_no_stage_module_names_a_rule_its_stages_do_not_declare() -> None:
    modules = {module for code in STAGES.values() for module in code.modules}
    undeclared = {}
    for module in sorted(modules):
        declared = frozenset().union(*(code.emits for code in STAGES.values() if module in code.modules))
        extra = named_in(module) - declared
        if extra:
            undeclared[module] = sorted(extra)
    assert undeclared == {}


def test_only_stage_modules_name_rules() -> None:
    """A rule emitted from a module outside every stage would escape the checks above."""
    listed = {module for code in STAGES.values() for module in code.modules} | REFERENCING_MODULES
    covered = {path for module in listed for path in _files(module)}
    strays = {
        str(path.relative_to(PACKAGE)): sorted(rule_ids_named_in(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in covered
    }
    assert {path: ids for path, ids in strays.items() if ids} == {}
