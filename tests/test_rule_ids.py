"""``RuleId``: rule IDs are typed constants; user text becomes a ``RuleId`` where it is read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from alembic_standards.findings import Finding, Location, RuleId, Severity
from alembic_standards.rules import RULES, get_rule, resolve_rule_ids

ROOT = Path(__file__).resolve().parent.parent
TYPOS = Path(__file__).parent / "typing" / "rule_id_typos.py"


def test_every_rule_id_is_catalogued_and_every_catalogued_rule_has_an_id() -> None:
    assert list(RULES) == list(RuleId)
    assert all(type(key) is RuleId and RULES[key].id is key for key in RULES)


def test_a_rule_id_reads_as_its_id_everywhere() -> None:
    rule = RuleId.AS201
    assert (str(rule), f"{rule}", f"{rule:>6}", format(rule)) == ("AS201", "AS201", " AS201", "AS201")
    assert json.dumps({"rule": rule, rule: 1}) == '{"rule": "AS201", "AS201": 1}'
    assert rule == "AS201" and hash(rule) == hash("AS201") and {"AS201": 1}[rule] == 1
    assert repr(rule) == "'AS201'" and repr([rule]) == "['AS201']"


def test_user_text_is_parsed_into_rule_ids() -> None:
    assert get_rule(" as201 ").id is RuleId.AS201
    assert get_rule("fk-unindexed").id is RuleId.AS201
    assert resolve_rule_ids(["AS20"]) == {RuleId.AS201, RuleId.AS202, RuleId.AS203, RuleId.AS204, RuleId.AS205}
    assert all(type(rid) is RuleId for rid in resolve_rule_ids(["AS"]))
    with pytest.raises(KeyError, match=r"unknown rule 'AS2O1' \(did you mean AS201\?\)"):
        get_rule("AS2O1")


def test_a_finding_holds_a_rule_id_and_refuses_an_uncatalogued_one() -> None:
    # A caller still passing a bare string gets a RuleId; an uncatalogued ID fails where it is made.
    assert type(Finding("AS201", Severity.ERROR, "m").rule_id) is RuleId
    with pytest.raises(ValueError, match="'AS999' is not a valid RuleId"):
        Finding("AS999", Severity.ERROR, "m", Location())


def test_a_rule_id_typo_is_a_mypy_error() -> None:
    api = pytest.importorskip("mypy.api")
    expected = []
    for number, line in enumerate(TYPOS.read_text().splitlines(), start=1):
        marker = re.search(r"# error: ([\w-]+)$", line)
        if marker:
            expected.append((number, marker.group(1)))
    # The project's own configuration (strict) and cache: fast once `mypy` has run on the package.
    stdout, stderr, _ = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(ROOT / ".mypy_cache"), str(TYPOS)]
    )
    found = [
        (int(m.group(1)), m.group(2))
        for m in re.finditer(r"rule_id_typos\.py:(\d+): error: .*\[([\w-]+)\]$", stdout, re.MULTILINE)
    ]
    assert found == expected, stdout + stderr
