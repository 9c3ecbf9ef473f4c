"""tags on branch a

Revision ID: d2
Revises: d1
Create Date: 2016-03-02 10:00:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'd2'
down_revision = 'd1'
branch_labels = ('tagging',)

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table('tags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_tags')
    )
    op.create_index('ix_tags_user_id', 'tags', ['user_id'])


def downgrade():
    op.drop_index('ix_tags_user_id', 'tags')
    op.drop_table('tags')
