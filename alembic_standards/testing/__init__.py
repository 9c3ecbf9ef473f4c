"""pytest-alembic checks that enforce the schema standard: import them into a test module.

::

    # tests/test_migrations.py
    from pytest_alembic.tests import (  # pytest-alembic's defaults (optional, recommended)
        test_single_head_revision,
        test_up_down_consistency,
        test_upgrade,
    )

    from alembic_standards.testing import *  # noqa: F403

``from alembic_standards.testing import *`` imports the checks and nothing else; they run on
pytest-alembic's ``alembic_runner`` and ``alembic_engine`` fixtures, so the project's conftest
provides ``alembic_engine`` (a real, empty PostgreSQL database) as for any pytest-alembic test.
Configure them under ``[tool.alembic_standards.testing]`` in ``pyproject.toml``::

    [tool.alembic_standards.testing]
    checks = ["database_follows_standards", "downgrades_leave_no_trace"]   # default: all
    skip_revisions = { "3f2a9c" = "data migration, reviewed by hand" }
    skip_tables = { "legacy_audit" = "owned by another service" }
    minimum_downgrade_revision = "1b2c3d"

The checks (see each docstring):

* ``test_every_revision_has_a_real_downgrade`` -- the migration checker's downgrade rules (AS7xx)
  over every revision file Alembic knows, all branches; ``irreversible = "reason"`` is honoured;
* ``test_migrations_are_safe`` -- the safe-migration rules (AS10xx) over every revision file, graded
  by the size of the tables in the database at head (point ``alembic_engine`` at a copy of
  production to grade by real sizes; see ``large_table``);
* ``test_downgrades_leave_no_trace`` -- per revision, the reflected schema before its upgrade equals
  the schema after upgrade + downgrade (tables, columns and types, keys, indexes, checks, names);
* ``test_database_follows_standards`` -- the live audit at head, reported per table;
* ``test_no_revision_introduces_violations`` -- the audit after each revision; the first revision
  that adds a finding is named (findings that existed before it are not its fault);
* ``test_models_follow_standards`` -- the model linter, with the exceptions register;
* ``test_model_definitions_match_ddl`` -- pytest-alembic's own test under the same name (so importing
  both modules collects it once), made subject to ``checks``;
* the spec's "Required Tests", generic over the models: ``test_model_primary_keys``,
  ``test_model_foreign_key_indexes``, ``test_model_unique_constraints`` (a duplicate must raise
  ``IntegrityError``) and ``test_model_relationships`` (``back_populates`` both ways);
* an autouse fixture, ``alembic_standards_database_guard``, fails every migration test when the
  database holds rows (see ``alembic_standards.testing.guard``).

Decisions a user should know:

* The models come from ``[tool.alembic_standards] metadata`` when set (the CLI's setting), else
  from the ``target_metadata`` the project's ``env.py`` passes to ``context.configure`` (read by
  running ``env.py`` with a no-op migration function: nothing is migrated or stamped).
* The walking checks need an empty database at the start of each test (pytest-alembic's own
  rule); they fail with a clear message otherwise.
* Row-based checks run in a transaction that is rolled back; a table for which no valid row can
  be synthesized is reported with an ``AlembicStandardsWarning``, not a failure.
* Failing severity follows ``fail_on``; exceptions declared on models or in ``pyproject.toml``,
  inline suppressions and the baseline (``check --write-baseline``) apply as everywhere else.
"""

from __future__ import annotations

from .checks import (
    test_database_follows_standards,
    test_downgrades_leave_no_trace,
    test_every_revision_has_a_real_downgrade,
    test_migrations_are_safe,
    test_model_definitions_match_ddl,
    test_model_foreign_key_indexes,
    test_model_primary_keys,
    test_model_relationships,
    test_model_unique_constraints,
    test_models_follow_standards,
    test_no_revision_introduces_violations,
)
from .guard import alembic_standards_database_guard

__all__ = [
    "alembic_standards_database_guard",
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
]
