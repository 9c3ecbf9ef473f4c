"""Schema snapshot and diff (``alembic_standards.testing.snapshot``) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    text,
)

from alembic_standards.testing.snapshot import SchemaObject, SchemaSnapshot, diff_snapshots, take_snapshot


def schema(metadata: MetaData | None = None) -> MetaData:
    metadata = metadata or MetaData()
    Table(
        "users",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("email", String(100), nullable=False),
        UniqueConstraint("email", name="uq_users_email"),
    )
    Table(
        "posts",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, ForeignKey("users.id", name="fk_posts_user_id", ondelete="CASCADE"), nullable=False),
        Column("status", String(20), nullable=False, server_default="draft"),
        CheckConstraint("status IN ('draft', 'published')", name="ck_posts_status"),
        Index("idx_posts_user_id", "user_id"),
    )
    return metadata


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    engine = create_engine(url)
    yield engine
    engine.dispose()


def test_snapshot_lists_every_object_with_its_name(engine):
    schema().create_all(engine)
    snap = take_snapshot(engine)
    rendered = snap.render()
    int_type = "INTEGER"
    expected = [
        "table posts",
        f"column posts.id {int_type} NOT NULL",
        f"column posts.user_id {int_type} NOT NULL",
        "foreign key fk_posts_user_id on posts (user_id) -> users(id) ONDELETE CASCADE",
        "check constraint ck_posts_status on posts CHECK (",
        "index idx_posts_user_id on posts (user_id)",
        "table users",
        "column users.email VARCHAR(100) NOT NULL",
        "unique constraint uq_users_email on users (email)",
    ]
    for line in expected:
        assert line in rendered, rendered
    assert rendered.index("table posts") < rendered.index("table users")  # deterministic order
    assert snap.tables == ["posts", "users"]
    assert "alembic_version" not in rendered


def test_identical_schemas_have_no_diff(engine):
    schema().create_all(engine)
    first, second = take_snapshot(engine), take_snapshot(engine)
    assert first == second
    assert not diff_snapshots(first, second)
    assert diff_snapshots(first, second).render() == ""


def test_diff_names_objects_left_behind_lost_and_changed(engine):
    metadata = schema()
    metadata.create_all(engine)
    before = take_snapshot(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE INDEX idx_users_email_extra ON users (email)"))
        conn.execute(text("DROP INDEX idx_posts_user_id"))
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
    after = take_snapshot(engine)
    diff = diff_snapshots(before, after)
    assert diff.render() == (
        "- index idx_posts_user_id on posts (user_id)\n+ index idx_users_email_extra on users (email)"
    )


def test_renamed_constraint_is_a_difference(pg_engine):
    schema().create_all(pg_engine)
    before = take_snapshot(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(text("ALTER TABLE users RENAME CONSTRAINT uq_users_email TO users_email_key"))
    diff = diff_snapshots(before, take_snapshot(pg_engine))
    assert diff.render() == (
        "- unique constraint uq_users_email on users (email)\n+ unique constraint users_email_key on users (email)"
    )


def test_changed_column_type_and_enum_left_behind_on_postgresql(pg_engine):
    metadata = schema()
    Table("tags", metadata, Column("id", Integer, primary_key=True), Column("kind", Enum("a", "b", name="tag_kind")))
    metadata.create_all(pg_engine)
    before = take_snapshot(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(text("ALTER TABLE users ALTER COLUMN email TYPE VARCHAR(200)"))
        conn.execute(text("DROP TABLE tags"))
    diff = diff_snapshots(before, take_snapshot(pg_engine))
    assert diff.render() == (
        "- sequence tags_id_seq\n"
        "- table tags\n"
        "- column tags.id INTEGER NOT NULL DEFAULT nextval('tags_id_seq'::regclass)\n"
        "- column tags.kind tag_kind NULL\n"
        "- primary key tags_pkey on tags (id)\n"
        "~ column users.email: VARCHAR(100) NOT NULL -> VARCHAR(200) NOT NULL"
    )
    # The enum type outlived its table: a classic downgrade trace, visible in the snapshot.
    assert SchemaObject("", "enum type", "tag_kind", "('a', 'b')") in take_snapshot(pg_engine).objects


def test_excluded_tables_are_ignored(sqlite_url):
    engine = create_engine(sqlite_url)
    schema().create_all(engine)
    snap = take_snapshot(engine, exclude_tables={"posts"})
    assert snap.tables == ["users"]
    assert all(o.table != "posts" for o in snap.objects)
    engine.dispose()


def test_empty_snapshot_diff_against_itself_is_empty():
    empty = SchemaSnapshot(frozenset())
    assert not diff_snapshots(empty, empty)
    assert empty.render() == ""
