"""The rule catalogue is complete and self-consistent."""

from __future__ import annotations

import re

import pytest

from alembic_standards.rules import RULES, get_rule, resolve_rule_ids


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_every_rule_is_documented(rule: object) -> None:
    from alembic_standards.rules import Rule

    assert isinstance(rule, Rule)
    assert re.fullmatch(r"AS\d{3}|AS10\d\d", rule.id)
    assert re.fullmatch(r"[a-z0-9-]+", rule.name)
    assert rule.title and not rule.title.endswith(".")
    assert len(rule.rationale) > 60
    assert rule.bad.strip() and rule.good.strip() and rule.bad != rule.good
    assert rule.stages
    text = rule.explain()
    assert text.startswith(f"{rule.id} ({rule.name}): {rule.title}")
    assert "Bad:" in text and "Good:" in text
    assert rule.markdown().startswith(f"# {rule.id} `{rule.name}`")


def test_lookup_by_id_and_name() -> None:
    assert get_rule("as201") is get_rule("fk-unindexed") is RULES["AS201"]
    with pytest.raises(KeyError, match="did you mean"):
        get_rule("fk-unindexd")


def test_selectors_expand_prefixes() -> None:
    assert resolve_rule_ids(["AS7"]) == {r for r in RULES if r.startswith("AS7")}
    assert resolve_rule_ids(["AS"]) == set(RULES)
    with pytest.raises(KeyError):
        resolve_rule_ids(["AS0"])
