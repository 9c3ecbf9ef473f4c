"""Imperative tables (``name = Table("name", metadata, ...)``, no ORM class) are found at their
module-level statement: their findings carry a file and line like a mapped model's."""

from __future__ import annotations

import sys
import textwrap
import uuid
from typing import TYPE_CHECKING

from alembic_standards.config import Config
from alembic_standards.models import lint_metadata, load_metadata

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

TABLES = """\
import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, Table, Text, UniqueConstraint, Uuid

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("status", Text, nullable=False),
)

user_tags: Table = sa.Table(
    "user_tags",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
    sa.Column("tag", Text, primary_key=True),
    UniqueConstraint("tag", "user_id", name="uq_user_tags_tag_user_id_is_a_name_well_past_the_sixty_three_byte_limit"),
    Index("ix_user_tags_tag", "tag"),
)


class _FlaskSQLAlchemy:
    # Flask-SQLAlchemy's db.Table(name, *columns): no metadata argument (Lemur, sweep 5).

    def Table(self, name: str, *args: object) -> Table:  # noqa: N802
        return Table(name, metadata, *args)


db = _FlaskSQLAlchemy()
links = db.Table(
    "links",
    Column("user_id", Uuid, ForeignKey("users.id")),
    Column("id", Uuid, primary_key=True),
)


def _make() -> Table:
    return Table("made_in_a_function", metadata, Column("id", Integer, primary_key=True))


made = _make()
"""


def test_imperative_tables_are_found_at_their_statement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = f"imperative_{uuid.uuid4().hex[:8]}"  # imported into this process: a fresh name per run
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / package / "tables.py").write_text(TABLES, encoding="utf-8")
    # Another module holds user_tags by import: the file that assigns it is the one reported.
    (tmp_path / package / "models.py").write_text(
        textwrap.dedent(
            """\
            from .tables import metadata, user_tags

            __all__ = ["metadata", "user_tags"]
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        metadatas = load_metadata(f"{package}.models:metadata", root=tmp_path)
        found = lint_metadata(metadatas, Config())
    finally:
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
    where = sorted(
        (f.rule_id, f.location.table, f.location.column, f.location.path.name if f.location.path else None,
         f.location.line, f.location.col)
        for f in found
    )  # fmt: skip
    assert where == [
        ("AS101", "made_in_a_function", "id", None, None, None),  # made in a function: no source
        ("AS101", "user_tags", "tag", "tables.py", 17, 5),  # its Column(...) argument
        ("AS201", "links", "user_id", "tables.py", 33, 5),  # db.Table's first column, not the statement
        ("AS201", "user_tags", "user_id", "tables.py", 16, 5),
        ("AS203", "links", "user_id", "tables.py", 33, 5),
        ("AS401", "links", None, "tables.py", 31, 1),
        ("AS401", "made_in_a_function", None, None, None, None),
        ("AS401", "user_tags", None, "tables.py", 13, 1),  # the statement, as a class line
        ("AS401", "users", None, "tables.py", 6, 1),
        ("AS503", "users", "status", "tables.py", 10, 5),
        ("AS504", "user_tags", None, "tables.py", 18, 5),  # the named constraint among the arguments
    ]
