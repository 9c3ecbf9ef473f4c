revision = "f2"
down_revision = "f1"


def upgrade():
    op.drop_index("idx_tags_user_id", table_name="tags")
    op.drop_table("reminders")


def downgrade():
    op.create_table("reminders", sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_reminders"))
    op.create_index("idx_tags_user_id", "tags", ["user_id"])
