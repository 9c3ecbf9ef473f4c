"""Which code emits which rules: the other half of the catalogue, stage by stage.

The catalogue (:mod:`alembic_standards.rules`) says, for each rule, the stages that check it
(``Rule.stages``).  This module says it from the code's side: for each stage, the modules that
hold its rule code and the rules it emits.  The two are written separately on purpose, like
flake8's table of pyflakes codes: ``tests/test_stage_contract.py`` asserts that they agree, that
every catalogued rule is emitted somewhere, and -- by reading the modules' syntax trees, never
importing them -- that the rules each stage's modules name are exactly the ones declared here.
So a rule added to the catalogue without code, code for an uncatalogued rule, or a rule quietly
emitted by a stage the catalogue does not list, fails a test instead of shipping.

Why one table here rather than an ``EMITS`` constant in each stage's module: several stages share
code (the live audit runs the model linter's rules with ``stage=Stage.DATABASE``; the exceptions
register and the baseline serve the models, migrations and database stages alike), so a module
cannot say on its own which stage emits what.  One table shows the whole map at a glance, and a
module split (``models.py``, ``migrations.py`` becoming packages) changes one line here.

A module name may name a package: its every module is read.  Rule code names a rule only as
``RuleId.AS201`` (the scan also counts a bare ``"AS201"`` literal, so that modules not yet
converted to :class:`~alembic_standards.findings.RuleId` are held to the same contract).

Modules that name rules without emitting them (``selection`` lists the history-wide rules,
``rules`` is the catalogue itself) are listed in :data:`REFERENCING_MODULES`; the contract test
fails on a module that names a rule and is in neither list.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from .findings import RuleId
from .rules import Stage

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["REFERENCING_MODULES", "STAGES", "StageCode"]


@dataclass(frozen=True)
class StageCode:
    """One stage: the modules holding its rule code and the rules it emits."""

    stage: Stage
    modules: tuple[str, ...]
    """Dotted names (``alembic_standards.audit``) of modules or packages whose code runs in this stage."""
    emits: frozenset[RuleId]


_R = RuleId

# The register's own rules: every stage that reads the exceptions register or the baseline.
_REGISTER = frozenset({_R.AS901, _R.AS902, _R.AS903, _R.AS905})
# The safe-migration rules (decided by alembic_standards.safety).
_SAFETY = frozenset(
    {
        _R.AS1001,
        _R.AS1002,
        _R.AS1003,
        _R.AS1004,
        _R.AS1005,
        _R.AS1006,
        _R.AS1007,
        _R.AS1008,
        _R.AS1009,
        _R.AS1010,
        _R.AS1011,
    }
)
_REGISTER_MODULES = ("alembic_standards.exceptions", "alembic_standards.baseline")

_TABLE = (
    StageCode(
        Stage.AUTOGENERATE,
        # The comparators (FK indexes, names, order), the revision hook (downgrade refusals) and,
        # with safe_migrations, the safe forms and the hook's AS10xx refusals (safety_ops feeds
        # the generated ops to the same decider the checker uses).
        (
            "alembic_standards.autogenerate",
            "alembic_standards.directives",
            "alembic_standards.safe_forms",
            "alembic_standards.safety_ops",
            "alembic_standards.safety",
        ),
        frozenset({_R.AS201, _R.AS501, _R.AS702, _R.AS703, _R.AS705, _R.AS804}) | _SAFETY,
    ),
    StageCode(
        Stage.MIGRATIONS,
        # safety: the decider of the AS10xx rules, which the checker's adapter (migrations.safety_steps) feeds.
        ("alembic_standards.migrations", "alembic_standards.safety", *_REGISTER_MODULES),
        frozenset(
            {
                _R.AS201,
                _R.AS501,
                _R.AS504,
                _R.AS506,
                _R.AS701,
                _R.AS702,
                _R.AS703,
                _R.AS704,
                _R.AS705,
                _R.AS800,
                _R.AS801,
                _R.AS802,
                _R.AS803,
                _R.AS804,
            }
        )
        | _SAFETY
        | _REGISTER,
    ),
    StageCode(
        Stage.MODELS,
        # The pytest checks run the model linter too (test_models_follow_standards, ...).
        (
            "alembic_standards.models",
            "alembic_standards.model_rules",
            "alembic_standards.relationships",
            "alembic_standards.testing",
            *_REGISTER_MODULES,
        ),
        frozenset(
            {
                _R.AS101,
                _R.AS102,
                _R.AS103,
                _R.AS201,
                _R.AS202,
                _R.AS203,
                _R.AS204,
                _R.AS205,
                _R.AS301,
                _R.AS302,
                _R.AS303,
                _R.AS401,
                _R.AS402,
                _R.AS403,
                _R.AS404,
                _R.AS501,
                _R.AS503,
                _R.AS504,
                _R.AS601,
                _R.AS904,
            }
        )
        | _REGISTER,
    ),
    StageCode(
        Stage.DATABASE,
        # The audit runs the model linter's rules on the reflected schema (stage=DATABASE keeps only
        # the rules catalogued for the database); the pytest checks probe the live database (AS505).
        (
            "alembic_standards.audit",
            "alembic_standards.models",
            "alembic_standards.model_rules",
            "alembic_standards.testing",
            *_REGISTER_MODULES,
        ),
        frozenset({_R.AS101, _R.AS102, _R.AS201, _R.AS202, _R.AS402, _R.AS502, _R.AS505, _R.AS904}) | _REGISTER,
    ),
)

STAGES: Mapping[Stage, StageCode] = MappingProxyType({code.stage: code for code in _TABLE})
"""Every stage's code and emitted rules."""

REFERENCING_MODULES: frozenset[str] = frozenset(
    {
        "alembic_standards.findings",  # RuleId itself
        "alembic_standards.rules",  # the catalogue
        "alembic_standards.stages",  # this table
        "alembic_standards.selection",  # names the history-wide rules to keep them in a file subset
        "alembic_standards.table_sizes",  # re-grades AS10xx findings by live table size (names AS1008, AS1011)
    }
)
"""Modules that name rules without emitting any."""
