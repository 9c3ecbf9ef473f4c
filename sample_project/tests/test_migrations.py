"""The sample project's migration tests: pytest-alembic's defaults plus the schema standard's checks."""

from __future__ import annotations

from pytest_alembic.tests import (
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from alembic_standards.testing import *  # noqa: F403

__all__ = ["test_single_head_revision", "test_up_down_consistency", "test_upgrade"]
