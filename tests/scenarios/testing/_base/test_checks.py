from alembic_standards.testing import *  # noqa: F403
