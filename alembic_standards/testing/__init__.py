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

The checks (see each docstring): ``test_every_revision_has_a_real_downgrade``,
``test_downgrades_leave_no_trace``, ``test_database_follows_standards``,
``test_no_revision_introduces_violations``, ``test_models_follow_standards``,
``test_model_definitions_match_ddl`` (pytest-alembic's, made configurable),
``test_model_primary_keys``, ``test_model_foreign_key_indexes``, ``test_model_unique_constraints``,
``test_model_relationships``.
"""

from __future__ import annotations

from .checks import (
    test_database_follows_standards,
    test_downgrades_leave_no_trace,
    test_every_revision_has_a_real_downgrade,
    test_model_definitions_match_ddl,
    test_model_foreign_key_indexes,
    test_model_primary_keys,
    test_model_relationships,
    test_model_unique_constraints,
    test_models_follow_standards,
    test_no_revision_introduces_violations,
)

__all__ = [
    "test_database_follows_standards",
    "test_downgrades_leave_no_trace",
    "test_every_revision_has_a_real_downgrade",
    "test_model_definitions_match_ddl",
    "test_model_foreign_key_indexes",
    "test_model_primary_keys",
    "test_model_relationships",
    "test_model_unique_constraints",
    "test_models_follow_standards",
    "test_no_revision_introduces_violations",
]
