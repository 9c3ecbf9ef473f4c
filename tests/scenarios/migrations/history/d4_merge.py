"""merge tagging and notes

Revision ID: d4
Revises: d2, d3
Create Date: 2016-03-04 10:00:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'd4'
down_revision = ('d2', 'd3')
branch_labels = None
depends_on = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    pass


def downgrade():
    pass
