"""The sample project's migration tests: pytest-alembic's defaults plus the schema standard's checks.

pytest collects imported ``test_*`` functions, so importing is all it takes.  The checks run on the
``alembic_engine`` from ``conftest.py`` (``DATABASE_URL``).
"""

from __future__ import annotations

from pytest_alembic.tests import (  # noqa: F401 - collected by pytest
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from alembic_standards.testing import *  # noqa: F403
