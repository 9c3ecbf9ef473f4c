# The README's recommended test module, verbatim.
from pytest_alembic.tests import test_single_head_revision, test_up_down_consistency, test_upgrade

from alembic_standards.testing import *  # noqa: F403
from alembic_standards.testing.guard import alembic_standards_database_guard  # noqa: F401


def test_unrelated():
    """A test that uses no database: the guard leaves it alone."""
