"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:07:54.485164
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('journal_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('audio_url', sa.String(length=500), nullable=True),
    sa.Column('entry_date', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_journal_entries_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entries'))
    )
    op.create_table('log_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("level IN ('debug', 'info', 'warning', 'error')", name=op.f('ck_log_entries_level_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_log_entries_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_entries'))
    )
    op.create_table('opaque_sessions',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('binary_tag_id', sa.LargeBinary(length=16), nullable=True),
    sa.Column('session_state', sa.String(length=20), nullable=False),
    sa.Column('session_data', sa.LargeBinary(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("session_state IN ('initialized', 'in_progress', 'completed', 'expired')", name=op.f('ck_opaque_sessions_session_state_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_opaque_sessions_user_id')),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_opaque_sessions'))
    )
    op.create_table('reminders',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('frequency', sa.String(length=20), nullable=False),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('custom_days', sa.String(length=50), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("frequency IN ('daily', 'weekdays', 'weekends', 'weekly', 'monthly', 'custom')", name=op.f('ck_reminders_frequency_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders'))
    )
    op.create_table('secret_tags',
    sa.Column('tag_id', sa.String(length=36), nullable=False),
    sa.Column('binary_tag_id', sa.LargeBinary(length=16), nullable=False),
    sa.Column('tag_handle', sa.LargeBinary(length=32), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_secret_tags_user_id')),
    sa.PrimaryKeyConstraint('tag_id', name=op.f('pk_secret_tags')),
    sa.UniqueConstraint('binary_tag_id', name=op.f('uq_secret_tags_binary_tag_id'))
    )
    op.create_table('tags',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tags_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('user_id', 'name', name='uq_tags_user_id_name')
    )
    op.create_table('journal_entry_tags',
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('tag_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_journal_entry_tags_entry_id')),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_journal_entry_tags_tag_id')),
    sa.PrimaryKeyConstraint('entry_id', 'tag_id', name=op.f('pk_journal_entry_tags'))
    )

    # 2. Indexes
    op.create_index('idx_journal_entries_user_id_created_at', 'journal_entries', ['user_id', 'created_at'], unique=False)
    op.create_index('idx_journal_entries_user_id_entry_date', 'journal_entries', ['user_id', 'entry_date'], unique=False)
    op.create_index('idx_log_entries_user_id_created_at', 'log_entries', ['user_id', 'created_at'], unique=False)
    op.create_index(op.f('idx_opaque_sessions_binary_tag_id'), 'opaque_sessions', ['binary_tag_id'], unique=False)
    op.create_index(op.f('idx_opaque_sessions_expires_at'), 'opaque_sessions', ['expires_at'], unique=False)
    op.create_index('idx_opaque_sessions_user_id_created_at', 'opaque_sessions', ['user_id', 'created_at'], unique=False)
    op.create_index('idx_reminders_user_id_created_at', 'reminders', ['user_id', 'created_at'], unique=False)
    op.create_index('idx_secret_tags_user_id_created_at', 'secret_tags', ['user_id', 'created_at'], unique=False)
    op.create_index('idx_tags_user_id_created_at', 'tags', ['user_id', 'created_at'], unique=False)
    op.create_index(op.f('idx_journal_entry_tags_tag_id'), 'journal_entry_tags', ['tag_id'], unique=False)


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Indexes
    op.drop_index(op.f('idx_journal_entry_tags_tag_id'), table_name='journal_entry_tags')
    op.drop_index('idx_tags_user_id_created_at', table_name='tags')
    op.drop_index('idx_secret_tags_user_id_created_at', table_name='secret_tags')
    op.drop_index('idx_reminders_user_id_created_at', table_name='reminders')
    op.drop_index('idx_opaque_sessions_user_id_created_at', table_name='opaque_sessions')
    op.drop_index(op.f('idx_opaque_sessions_expires_at'), table_name='opaque_sessions')
    op.drop_index(op.f('idx_opaque_sessions_binary_tag_id'), table_name='opaque_sessions')
    op.drop_index('idx_log_entries_user_id_created_at', table_name='log_entries')
    op.drop_index('idx_journal_entries_user_id_entry_date', table_name='journal_entries')
    op.drop_index('idx_journal_entries_user_id_created_at', table_name='journal_entries')

    # 2. Tables
    op.drop_table('journal_entry_tags')
    op.drop_table('tags')
    op.drop_table('secret_tags')
    op.drop_table('reminders')
    op.drop_table('opaque_sessions')
    op.drop_table('log_entries')
    op.drop_table('journal_entries')
    op.drop_table('users')

