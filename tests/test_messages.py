"""One message per rule: the same violation reads the same from every stage.

Each stage reports one unindexed foreign key (``posts.user_id -> users.id``) here; only the fix it
suggests may differ (a model edit, or a migration line).  The texts come from
:mod:`alembic_standards.messages`, which every stage calls.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from alembic_standards import messages
from alembic_standards.config import Config
from alembic_standards.findings import RuleId

AS201_PREFIX = "foreign key posts(user_id) -> users.id is not covered by an index"
REVISION = '''"""posts

Revision ID: 0001
Revises:
Create Date: 2026-11-27 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None


def upgrade() -> None:
    """Apply migration changes"""
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_posts_user_id"), nullable=False),
    )


def downgrade() -> None:
    """Rollback migration changes"""
    op.drop_table("posts")
    op.drop_table("users")
'''


def _models() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "posts",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    )
    return md


def _as201(findings: list) -> list[str]:  # type: ignore[type-arg]
    return [f.message for f in findings if f.rule_id == RuleId.AS201]


def test_the_as201_message_function() -> None:
    fix = messages.create_index_call("idx_posts_user_id", "posts", ["user_id"])
    assert messages.fk_unindexed("posts", ["user_id"], "users.id", fix) == (
        f"{AS201_PREFIX}; add op.create_index('idx_posts_user_id', 'posts', ['user_id'])"
    )
    assert messages.fk_unindexed("posts", ["a", "b"], None, "x", scope=" here") == (
        "foreign key posts(a, b) is not covered by an index here; add x"
    )


def test_model_linter_and_live_audit_say_the_same(tmp_path: Path) -> None:
    from alembic_standards.audit import audit_database
    from alembic_standards.models import lint_metadata

    config = Config(root=tmp_path)
    assert _as201(lint_metadata([_models()], config)) == [f"{AS201_PREFIX}; add index=True on the column"]
    database = tmp_path / "db.sqlite"
    sqlite3.connect(database).executescript(
        "CREATE TABLE users (id INTEGER PRIMARY KEY);"
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));"
    )
    assert _as201(audit_database(f"sqlite:///{database}", config)) == [
        f"{AS201_PREFIX}; add op.create_index('idx_posts_user_id', 'posts', ['user_id']) in a migration"
    ]


def test_migration_checker_says_the_same(tmp_path: Path) -> None:
    from alembic_standards.migrations import check_migrations

    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0001_posts.py").write_text(REVISION)
    report = check_migrations([versions], Config(root=tmp_path), cache=False)
    assert _as201(report.findings) == [
        f"{AS201_PREFIX} created in this revision or before it; "
        "add op.create_index('idx_posts_user_id', 'posts', ['user_id'])"
    ]
