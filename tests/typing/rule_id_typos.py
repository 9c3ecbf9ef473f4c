"""Checked by mypy, never run: a rule ID typo must be a type error, not a rule silently switched off.

``tests/test_rule_ids.py`` runs mypy on this file and expects exactly the errors marked below
(``# error:``); the unmarked lines are the correct spellings and must type-check.
"""

from __future__ import annotations

from alembic_standards.config import Config, ExceptionEntry
from alembic_standards.findings import Finding, RuleId, Severity
from alembic_standards.rules import RULES

config = Config()
config.is_enabled(RuleId.AS201)
config.is_enabled("AS2O1")  # error: arg-type
config.is_enabled("AS201")  # error: arg-type
config.severity_of("AS201")  # error: arg-type
config.finding("AS201", "message")  # error: arg-type
rule = RULES["AS201"]  # error: index
Finding("AS201", Severity.ERROR, "message")  # error: arg-type
ExceptionEntry(rule="AS201", reason="why")  # error: arg-type
typo = RuleId.AS2O1  # error: attr-defined
config.finding(RuleId.AS201, "message")
ExceptionEntry(rule=RuleId.AS201, reason="why")
rule = RULES[RuleId.AS201]
