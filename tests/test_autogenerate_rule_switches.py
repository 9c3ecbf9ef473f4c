"""Switching off a rule the catalogue lists for autogenerate changes the generated migration.

``stages`` in the catalogue is a promise: AS501 (names) and AS804 (operation order) are enforced
by the autogenerate plugin, so ``ignore = [...]`` must give back Alembic's own names and order,
exactly -- the same file stock Alembic writes, when the FK-index rule (AS201) is off too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from autogen_support import Project

from alembic_standards.config import Config
from alembic_standards.rules import RULES, resolve_rule_ids


def models() -> sa.MetaData:
    """Two tables, each with an index: Alembic puts each index after its table, the spec after all tables."""
    md = sa.MetaData()
    sa.Table(
        "users",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(100), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False, index=True),
    )
    sa.Table(
        "posts",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    )
    return md


def generated(tmp_path: Path, url: str, *, ignore: tuple[str, ...] = (), stock: bool = False) -> tuple[str, str]:
    enabled = frozenset(RULES) - resolve_rule_ids(ignore)
    project = Project(tmp_path, url, config=Config(root=tmp_path, enabled=enabled))
    if stock:
        project.plugins = ["alembic.autogenerate.*"]
    revision = project.revision(models())
    return revision.upgrade, revision.downgrade


USERS_TABLE_NAMED = """\
op.create_table('users',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('email', sa.String(length=100), nullable=False),
sa.Column('name', sa.String(length=100), nullable=False),
sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
sa.UniqueConstraint('email', name=op.f('uq_users_email'))
)"""
POSTS_TABLE_NAMED = """\
op.create_table('posts',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('user_id', sa.Integer(), nullable=False),
sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_posts_user_id')),
sa.PrimaryKeyConstraint('id', name=op.f('pk_posts'))
)"""
USERS_TABLE_STOCK = """\
op.create_table('users',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('email', sa.String(length=100), nullable=False),
sa.Column('name', sa.String(length=100), nullable=False),
sa.PrimaryKeyConstraint('id'),
sa.UniqueConstraint('email')
)"""
POSTS_TABLE_STOCK = """\
op.create_table('posts',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('user_id', sa.Integer(), nullable=False),
sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
sa.PrimaryKeyConstraint('id')
)"""


def index(table: str, column: str, name: str) -> str:
    return (
        f"with op.batch_alter_table('{table}', schema=None) as batch_op:\n"
        f"    batch_op.create_index(batch_op.f('{name}'), ['{column}'], unique=False)\n"
    )


def drop_index(table: str, name: str) -> str:
    return (
        f"with op.batch_alter_table('{table}', schema=None) as batch_op:\n"
        f"    batch_op.drop_index(batch_op.f('{name}'))\n"
    )


def test_by_default_names_follow_the_convention_and_tables_come_before_indexes(tmp_path: Path, sqlite_url: str) -> None:
    up, down = generated(tmp_path, sqlite_url)
    assert up == "\n".join(
        [
            USERS_TABLE_NAMED,
            POSTS_TABLE_NAMED,
            index("users", "name", "idx_users_name"),
            index("posts", "user_id", "idx_posts_user_id"),
        ]
    ).rstrip("\n")
    assert down == (
        drop_index("posts", "idx_posts_user_id")
        + "\n"
        + drop_index("users", "idx_users_name")
        + "\nop.drop_table('posts')\nop.drop_table('users')"
    )


def test_ignoring_as501_leaves_alembics_names(tmp_path: Path, sqlite_url: str) -> None:
    up, _ = generated(tmp_path, sqlite_url, ignore=("AS501",))
    # Alembic's names (none on the constraints, SQLAlchemy's ix_ default on indexes); our order.
    assert up == "\n".join(
        [
            USERS_TABLE_STOCK,
            POSTS_TABLE_STOCK,
            index("users", "name", "ix_users_name"),
            index("posts", "user_id", "ix_posts_user_id"),
        ]
    ).rstrip("\n")


def test_ignoring_as804_leaves_alembics_order(tmp_path: Path, sqlite_url: str) -> None:
    up, down = generated(tmp_path, sqlite_url, ignore=("AS804",))
    # Our names; Alembic's order (each table followed by its indexes), and the downgrade its reverse.
    assert up == "\n".join(
        [
            USERS_TABLE_NAMED,
            index("users", "name", "idx_users_name"),
            POSTS_TABLE_NAMED,
            index("posts", "user_id", "idx_posts_user_id"),
        ]
    ).rstrip("\n")
    assert down == (
        drop_index("posts", "idx_posts_user_id")
        + "\nop.drop_table('posts')\n"
        + drop_index("users", "idx_users_name")
        + "\nop.drop_table('users')"
    )


@pytest.mark.parametrize("ignore", [("AS501", "AS804", "AS201"), ("AS5", "AS8", "AS2")])
def test_with_its_autogenerate_rules_off_the_plugin_writes_what_alembic_writes(
    tmp_path: Path, sqlite_url: str, ignore: tuple[str, ...]
) -> None:
    stock = generated(tmp_path / "stock", sqlite_url, stock=True)
    assert generated(tmp_path / "plugin", sqlite_url, ignore=ignore) == stock
    assert stock[0] == "\n".join(
        [
            USERS_TABLE_STOCK,
            index("users", "name", "ix_users_name"),
            POSTS_TABLE_STOCK,
            index("posts", "user_id", "ix_posts_user_id"),
        ]
    ).rstrip("\n")
