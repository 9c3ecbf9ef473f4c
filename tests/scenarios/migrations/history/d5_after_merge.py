"""index notes after the merge

Revision ID: d5
Revises: d4
Create Date: 2016-03-05 10:00:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'd5'
down_revision = 'd4'
branch_labels = None
depends_on = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_index('ix_notes_user_id', 'notes', ['user_id'])
    op.add_column('notes', sa.Column('author_id', sa.Integer(), nullable=True))
    # Covered by the index of branch a (tags.user_id), reached through the merge.
    op.create_foreign_key('fk_tags_user_id_2', 'tags', 'users', ['user_id'], ['id'])


def downgrade():
    op.drop_constraint('fk_tags_user_id_2', 'tags', type_='foreignkey')
    op.drop_column('notes', 'author_id')
    op.drop_index('ix_notes_user_id', table_name='notes')
