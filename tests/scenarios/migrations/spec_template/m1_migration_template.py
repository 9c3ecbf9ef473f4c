"""Migration description

Revision ID: {revision_id}
Revises: {previous_revision}
Create Date: {creation_date}
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Create tables with proper structure
    op.create_table(
        'examples',
        sa.Column('id', UUID, primary_key=True, nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('user_id', UUID, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_example_user'),
        sa.UniqueConstraint('user_id', 'name', name='uq_example_user_name'),
        sa.PrimaryKeyConstraint('id', name='pk_example')
    )
    
    # 2. Create indexes
    op.create_index('idx_example_user_created', 'examples', ['user_id', 'created_at'])
    op.create_index('idx_example_name', 'examples', ['name'])
    
    # 3. Add data if needed
    # (Include data migration steps)


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_index('idx_example_name', 'examples')
    op.drop_index('idx_example_user_created', 'examples')
    op.drop_table('examples')
