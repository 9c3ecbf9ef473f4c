from alembic_standards.testing import *  # noqa: F403
from alembic_standards.testing.guard import alembic_standards_database_guard  # noqa: F401
