def upgrade():
    """Create standardized schema from scratch"""
    
    # Drop existing tables (safe - no data)
    op.drop_table('journal_entry_tags', if_exists=True)
    op.drop_table('journal_entries', if_exists=True)
    op.drop_table('tags', if_exists=True)
    op.drop_table('reminders', if_exists=True)
    op.drop_table('opaque_sessions', if_exists=True)
    
    # Create all tables with standardized UUID schema
    create_standardized_tables()
    
    # Create all indexes for optimal performance
    create_standardized_indexes()

def create_standardized_tables():
    """Create all tables with UUID primary keys and proper constraints"""
    
    # Journal entries with UUID primary key
    op.create_table('journal_entries',
        sa.Column('id', UUID, primary_key=True, default=uuid.uuid4, nullable=False),
        sa.Column('title', sa.String(), nullable=True),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('audio_url', sa.String(), nullable=True),
        sa.Column('entry_date', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', UUID, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_journal_entries_user'),
    )
    
    # Tags with UUID primary key and business constraints
    op.create_table('tags',
        sa.Column('id', UUID, primary_key=True, default=uuid.uuid4, nullable=False),
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('color', sa.String(), nullable=True),
        sa.Column('user_id', UUID, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_tags_user'),
        sa.UniqueConstraint('user_id', 'name', name='uq_tags_user_name'),
    )
    
    # Junction table with composite UUID primary key
    op.create_table('journal_entry_tags',
        sa.Column('entry_id', UUID, nullable=False),
        sa.Column('tag_id', UUID, nullable=False),
        sa.PrimaryKeyConstraint('entry_id', 'tag_id'),
        sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name='fk_journal_entry_tags_entry'),
        sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name='fk_journal_entry_tags_tag'),
    )
    
    # Reminders with UUID primary key
    op.create_table('reminders',
        sa.Column('id', UUID, primary_key=True, default=uuid.uuid4, nullable=False),
        sa.Column('title', sa.String(), nullable=False),
        sa.Column('message', sa.String(), nullable=False),
        sa.Column('frequency', sa.Enum('daily', 'weekdays', 'weekends', 'weekly', 'monthly', 'custom'), nullable=False),
        sa.Column('time', sa.DateTime(timezone=True), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False, default=True),
        sa.Column('custom_days', sa.String(), nullable=True),
        sa.Column('user_id', UUID, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_reminders_user'),
    )
    
    # OPAQUE sessions with UUID primary key
    op.create_table('opaque_sessions',
        sa.Column('session_id', UUID, primary_key=True, default=uuid.uuid4, nullable=False),
        sa.Column('user_id', UUID, nullable=False),
        sa.Column('binary_tag_id', sa.LargeBinary(16), nullable=True),
        sa.Column('session_state', sa.String(20), nullable=False, default='initialized'),
        sa.Column('session_data', sa.LargeBinary(), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_activity', sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now()),
    )

def create_standardized_indexes():
    """Create all indexes for optimal performance"""
    
    # Foreign key indexes (required for JOIN performance)
    op.create_index('idx_journal_entries_user_id', 'journal_entries', ['user_id'])
    op.create_index('idx_tags_user_id', 'tags', ['user_id'])
    op.create_index('idx_journal_entry_tags_entry_id', 'journal_entry_tags', ['entry_id'])
    op.create_index('idx_journal_entry_tags_tag_id', 'journal_entry_tags', ['tag_id'])
    op.create_index('idx_reminders_user_id', 'reminders', ['user_id'])
    op.create_index('idx_opaque_sessions_user_id', 'opaque_sessions', ['user_id'])
    
    # Composite indexes for common query patterns
    op.create_index('idx_journal_entries_user_date', 'journal_entries', ['user_id', 'entry_date'])
    op.create_index('idx_tags_user_created', 'tags', ['user_id', 'created_at'])
    op.create_index('idx_opaque_sessions_expires_at', 'opaque_sessions', ['expires_at'])
    op.create_index('idx_opaque_sessions_binary_tag_id', 'opaque_sessions', ['binary_tag_id'])

def downgrade():
    """Rollback to previous schema state"""
    op.drop_table('opaque_sessions')
    op.drop_table('reminders')
    op.drop_table('journal_entry_tags')
    op.drop_table('tags')
    op.drop_table('journal_entries')
    # Note: users table maintained as it's already standardized
