"""fk plus a data fix, its SQL reached through a name and .bindparams() (Lemur)

Revision ID: a2
Revises: a1
Create Date: 2020-01-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.sql import text

revision: str = "a2"
down_revision: str | None = "a1"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.execute("SET lock_timeout = '5s'")
    conn = op.get_bind()
    for (pid,) in conn.execute(
        text("select id from child where name like :n").bindparams(n="x%")
    ):
        pass
    stmt = text("update child set name = :n where id = :i")
    stmt = stmt.bindparams(n="y", i=1)
    op.execute(stmt)
    op.create_foreign_key(
        "fk_child_parent_id", "child", "parent", ["parent_id"], ["id"],
        postgresql_not_valid=True,
    )


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_constraint("fk_child_parent_id", "child", type_="foreignkey")
