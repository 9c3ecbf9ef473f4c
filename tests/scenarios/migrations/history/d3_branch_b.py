"""notes on branch b, foreign keys without index (user_id indexed later, by d5)

Revision ID: d3
Revises: d1
Create Date: 2016-03-03 10:00:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'd3'
down_revision = 'd1'
branch_labels = None
depends_on = 'd2'

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table('notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', name='fk_notes_user_id'), nullable=False),
        sa.Column('tag_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_notes'),
        sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name='fk_notes_tag_id'),
    )
    # depends_on d2: tags exists; its ix_tags_user_id does not cover notes.tag_id.
    op.create_foreign_key('fk_tags_user_id', 'tags', 'users', ['user_id'], ['id'])


def downgrade():
    op.drop_constraint('fk_tags_user_id', 'tags', type='foreignkey')
    op.drop_table('notes')
