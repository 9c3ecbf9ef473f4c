"""Row synthesis for the generic constraint checks (``alembic_standards.testing.rows``)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    create_engine,
    func,
    select,
)

from alembic_standards.testing.rows import CannotSynthesize, RowFactory, allowed_values


def schema() -> MetaData:
    metadata = MetaData()
    Table(
        "users",
        metadata,
        Column("id", Uuid, primary_key=True, default=uuid.uuid4),
        Column("email", String(255), nullable=False),
        Column("nickname", String(50), nullable=True),
        Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    )
    Table(
        "posts",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
        Column("editor_id", Uuid, ForeignKey("users.id"), nullable=True),
        Column("status", String(20), nullable=False),
        Column("digest", LargeBinary(16), nullable=False),
        CheckConstraint("status IN ('draft', 'it''s published')", name="status_valid"),
    )
    return metadata


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    engine = create_engine(url)
    yield engine
    engine.dispose()


def test_allowed_values_reads_in_list_checks():
    posts = schema().tables["posts"]
    assert allowed_values(posts) == {"status": ["draft", "it's published"]}


def test_build_inserts_required_parents_and_leaves_optional_ones_null(engine):
    metadata = schema()
    metadata.create_all(engine)
    users, posts = metadata.tables["users"], metadata.tables["posts"]
    with engine.connect() as conn:
        factory = RowFactory(conn)
        values = factory.build(posts)
        assert set(values) == {"user_id", "status", "digest"}  # not id (autoincrement), not editor_id (nullable)
        assert values["status"] == "draft"
        assert len(values["digest"]) == 16
        row = factory.insert(posts, values)
        assert isinstance(row["id"], int)
        parent = conn.execute(select(users.c.email, users.c.nickname).where(users.c.id == values["user_id"])).one()
        assert parent.email.startswith("v")
        assert parent.nickname is None
        conn.rollback()


def test_values_are_distinct_between_rows(engine):
    metadata = schema()
    metadata.create_all(engine)
    users = metadata.tables["users"]
    with engine.connect() as conn:
        factory = RowFactory(conn)
        first, second = factory.build(users), factory.build(users)
        assert first["email"] != second["email"]
        conn.rollback()


def test_required_self_reference_cannot_be_synthesized(sqlite_url):
    metadata = MetaData()
    nodes = Table(
        "nodes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("parent_id", Integer, ForeignKey("nodes.id"), nullable=False),
    )
    engine = create_engine(sqlite_url)
    metadata.create_all(engine)
    with engine.connect() as conn, pytest.raises(CannotSynthesize, match="nodes references itself"):
        RowFactory(conn).build(nodes)
    engine.dispose()


def test_too_short_string_column_is_reported():
    metadata = MetaData()
    codes = Table("codes", metadata, Column("id", Integer, primary_key=True), Column("c", String(1), nullable=False))
    factory = RowFactory(connection=None)  # type: ignore[arg-type]  # value_for needs no connection
    with pytest.raises(CannotSynthesize, match=r"column c \(VARCHAR\(1\)\) is too short"):
        factory.value_for(codes.c.c)


def test_required_columns_get_values_even_when_nullable(engine):
    # A nullable column of a unique key must not stay NULL: NULLs never collide.
    metadata = schema()
    metadata.create_all(engine)
    users, posts = metadata.tables["users"], metadata.tables["posts"]
    with engine.connect() as conn:
        factory = RowFactory(conn)
        values = factory.build(posts, require=["editor_id"])
        assert values["editor_id"] is not None
        assert conn.execute(select(users.c.id).where(users.c.id == values["editor_id"])).one()
        user = factory.build(users, require=["nickname"])
        assert user["nickname"].startswith("v")
        conn.rollback()
