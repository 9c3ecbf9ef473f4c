"""Model-linter false positives found on real projects (issue #10, section 3): one regression test
each, asserting the exact findings (or their absence) -- each failed before its fix."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    CHAR,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Interval,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    create_engine,
    func,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from alembic_standards.cli import main
from alembic_standards.config import Config
from alembic_standards.findings import Finding, Location, Severity, StandardsError
from alembic_standards.models import lint_metadata, lint_tables, load_metadata
from alembic_standards.rules import Stage


def _lint(md: MetaData, *rules: str, stage: Stage = Stage.MODELS) -> list[str]:
    found = lint_tables(md.tables.values(), Config(enabled=frozenset(rules)), stage=stage)
    return [f"{f.rule_id} {f.message}" for f in found]


# ------------------------------------------------------------------ AS101: judged per dialect


class _GUID(TypeDecorator[uuid.UUID]):
    """The classic "platform-independent GUID": native UUID on PostgreSQL, CHAR(32) elsewhere."""

    impl = CHAR(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID())
        return dialect.type_descriptor(CHAR(32))


class _UuidAsText(TypeDecorator[str]):
    impl = CHAR(36)
    cache_ok = True


def test_as101_type_decorator_native_uuid_on_postgresql_passes() -> None:
    md = MetaData()
    Table("guids", md, Column("id", _GUID(), primary_key=True))
    Table("variants", md, Column("id", String(36).with_variant(postgresql.UUID(), "postgresql"), primary_key=True))
    Table("texts", md, Column("id", _UuidAsText(), primary_key=True))
    # Only the decorator that is CHAR(36) on PostgreSQL too fires, and says so.
    assert _lint(md, "AS101") == [
        "AS101 primary key texts.id is CHAR(36), not a native UUID; a protocol-mandated string key is a "
        "permitted exception once documented with its reason"
    ]


def test_as202_compares_the_types_postgresql_gets() -> None:
    md = MetaData()
    Table("users", md, Column("id", postgresql.UUID(), primary_key=True))
    Table("posts", md, Column("id", Uuid, primary_key=True), Column("user_id", _GUID(), ForeignKey("users.id")))
    assert _lint(md, "AS202") == []


def test_as402_a_duration_is_not_a_timestamp() -> None:
    class Base(DeclarativeBase):
        pass

    class Job(Base):
        __tablename__ = "jobs"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
        timeout: Mapped[dt.timedelta] = mapped_column()
        retry_after = Column(Interval(), nullable=True)
        started_at = Column(DateTime(), nullable=True)

    assert [f.message for f in lint_metadata([Base.metadata], Config(enabled=frozenset({"AS402"})))] == [
        "jobs.started_at is a timestamp without time zone; use DateTime(timezone=True)"
    ]


def test_as403_as404_advice_fits_the_column_type() -> None:
    md = MetaData()
    Table(
        "events",
        md,
        Column("id", Uuid, primary_key=True),
        Column("created_at", BigInteger, nullable=False),  # epoch milliseconds
        Column("updated_at", BigInteger, nullable=False),
    )
    assert _lint(md, "AS403", "AS404") == [
        "AS403 events.created_at has no server default; it is BIGINT, so add a server_default of that type computed "
        "by the database (func.now() fits only DateTime)",
        "AS403 events.updated_at has no server default; it is BIGINT, so add a server_default of that type computed "
        "by the database (func.now() fits only DateTime)",
        "AS404 events.updated_at is not maintained on update; it is BIGINT, so add onupdate= with a value of that "
        "type (or server_onupdate backed by a trigger)",
    ]


def test_a_base_column_of_same_named_tables_in_several_schemas_is_reported_once() -> None:
    """Indico's ``logs`` in four schemas, one abstract base: the same line four times, the schema in
    none of them.  One finding, each table named with its schema."""

    class Base(DeclarativeBase):
        pass

    class LogBase(Base):
        __abstract__ = True
        id = Column(Uuid, primary_key=True)
        logged_dt = Column(DateTime(), nullable=False)  # the log's declaration

    class EventLog(LogBase):
        __tablename__ = "logs"
        __table_args__ = ({"schema": "events"},)

    class UserLog(LogBase):
        __tablename__ = "logs"
        __table_args__ = ({"schema": "users"},)

    found = lint_metadata([Base.metadata], Config(enabled=frozenset({"AS402"})))
    lines = Path(__file__).read_text().splitlines()
    (line,) = [n for n, text in enumerate(lines, start=1) if text.endswith("# the log's declaration")]
    assert [f.render(Path(__file__).parent) for f in found] == [
        f"test_models_false_positives.py:{line}:9: AS402 logged_dt (declared once, used by tables events.logs, "
        "users.logs) is a timestamp without time zone; use DateTime(timezone=True)"
    ]


def test_as402_on_a_mixin_column_is_reported_once_at_its_declaration() -> None:
    class Base(DeclarativeBase):
        pass

    class NaiveTimestamps:
        created_at = Column(DateTime(), server_default=func.now(), nullable=False)  # the one declaration

    class Alpha(NaiveTimestamps, Base):
        __tablename__ = "alphas"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    class Beta(NaiveTimestamps, Base):
        __tablename__ = "betas"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    found = lint_metadata([Base.metadata], Config(enabled=frozenset({"AS402"})))
    lines = Path(__file__).read_text().splitlines()
    (line,) = [n for n, text in enumerate(lines, start=1) if text.endswith("# the one declaration")]
    assert [f.render(Path(__file__).parent) for f in found] == [
        f"test_models_false_positives.py:{line}:9: AS402 created_at (declared once, used by tables alphas, betas) "
        "is a timestamp without time zone; use DateTime(timezone=True)"
    ]
    assert (found[0].location.table, found[0].location.column) == (None, "created_at")


def test_as503_on_a_mixin_column_is_reported_once_at_its_declaration() -> None:
    """Warehouse's ``Observation.kind`` (sweep 4): one declaration, copied into four tables, was four
    findings at one file:line; one CHECK on the declaration fixes them all."""

    class Base(DeclarativeBase):
        pass

    class KindMixin:
        kind: Mapped[str] = mapped_column(String(20))  # the one kind declaration

    class Apple(KindMixin, Base):
        __tablename__ = "apples"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    class Pear(KindMixin, Base):
        __tablename__ = "pears"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    found = lint_metadata([Base.metadata], Config(enabled=frozenset({"AS503"})))
    lines = Path(__file__).read_text().splitlines()
    (line,) = [n for n, text in enumerate(lines, start=1) if text.endswith("# the one kind declaration")]
    assert [f.render(Path(__file__).parent) for f in found] == [
        f"test_models_false_positives.py:{line}:9: AS503 kind (declared once, used by tables apples, pears) looks "
        "like a status column but no CHECK constraint or Enum constrains its values"
    ]


def test_declared_attr_mixin_is_reported_once_at_each_declaration() -> None:
    """Dispatch's ``ProjectMixin`` (sweep 4): a ``@declared_attr`` foreign key and relationship used by
    45 tables were 3 x 45 findings at two lines; one ``index=True``/``nullable=``/``back_populates``
    there fixes them all.  A finding whose message differs between the tables stays per table."""

    class Base(DeclarativeBase):
        pass

    class Project(Base):
        __tablename__ = "project"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    class ProjectMixin:
        @declared_attr
        def project_id(cls):  # the project_id declaration
            return Column(Uuid, ForeignKey("project.id", ondelete="CASCADE"))

        @declared_attr
        def project(cls):  # the project declaration
            return relationship("Project")

    class Tag(ProjectMixin, Base):
        __tablename__ = "tag"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    class Term(ProjectMixin, Base):
        __tablename__ = "term"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    found = lint_metadata([Base.metadata], Config(enabled=frozenset({"AS201", "AS203", "AS301"})))
    lines = Path(__file__).read_text().splitlines()
    (column_line,) = [n for n, text in enumerate(lines, start=1) if text.endswith("# the project_id declaration")]
    (relationship_line,) = [n for n, text in enumerate(lines, start=1) if text.endswith("# the project declaration")]
    place = "test_models_false_positives.py"
    assert [f.render(Path(__file__).parent) for f in found] == [
        f"{place}:{column_line}:9: AS201 foreign key project_id (declared once, used by tables tag, term) -> "
        "project.id is not covered by an index; add index=True on the column",
        f"{place}:{column_line}:9: AS203 foreign key column project_id (declared once, used by tables tag, term) "
        "does not state nullable=True/False",
        f"{place}:{relationship_line}:9: AS301 relationship project (declared once, used by classes Tag, Term) "
        "does not declare back_populates",
    ]
    assert {(f.location.table, f.location.constraint) for f in found} == {(None, None)}


def test_a_shared_declaration_whose_findings_differ_stays_per_table() -> None:
    from alembic_standards.models import _merge_shared_declarations

    at = {"path": Path("models.py"), "line": 3, "col": 5, "column": "owner_id"}
    findings = [
        Finding(
            "AS202",
            Severity.ERROR,
            f"foreign key {table}.owner_id is INTEGER but {target}.id is UUID",
            Location(table=table, **at),
        )
        for table, target in (("a", "users"), ("b", "groups"))
    ]
    assert _merge_shared_declarations(findings) == findings
    same = [replace(f, message=f.message.replace("groups", "users")) for f in findings]
    (merged,) = _merge_shared_declarations(same)
    assert merged.message == "foreign key owner_id (declared once, used by tables a, b) is INTEGER but users.id is UUID"


def test_mixin_declaration_stays_per_table_where_a_table_declares_an_exception() -> None:
    from alembic_standards.exceptions import ExceptionRegister

    class Base(DeclarativeBase):
        pass

    class NaiveCreated:
        created_at = Column(DateTime(), server_default=func.now(), nullable=False)

    class Gamma(NaiveCreated, Base):
        """Exception: rows come from a legacy feed that writes local wall-clock times."""

        __tablename__ = "gammas"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    class Delta(NaiveCreated, Base):
        __tablename__ = "deltas"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    class Epsilon(NaiveCreated, Base):
        __tablename__ = "epsilons"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    config = Config(enabled=frozenset({"AS402", "AS903"}))
    found = lint_metadata([Base.metadata], config)
    assert [(f.location.table, f.message) for f in found] == [
        (
            None,
            "created_at (declared once, used by tables deltas, epsilons) is a timestamp without time zone; use "
            "DateTime(timezone=True)",
        ),
        ("gammas", "gammas.created_at is a timestamp without time zone; use DateTime(timezone=True)"),
    ]
    # The docstring exception suppresses its table's finding and is used (no AS903).
    register = ExceptionRegister.collect(config, [Base.metadata])
    assert [f.location.table for f in register.apply(found, config, stages=[Stage.MODELS])] == [None]


# ------------------------------------------------------------------ AS503 / AS204: what the catalogue accepts


def test_as503_accepts_a_table_qualified_check() -> None:
    md = MetaData()
    Table(
        "reminders",
        md,
        Column("id", Uuid, primary_key=True),
        Column("frequency", String(20), nullable=False),
        Column("status", String(20), nullable=False),
        Column("state", String(20), nullable=False),
        CheckConstraint("reminders.frequency IN ('daily', 'weekly')", name="frequency_valid"),
        CheckConstraint("\"reminders\".\"status\" IN ('on', 'off')", name="status_valid"),
        CheckConstraint("other.state IN ('a', 'b')", name="not_about_this_table"),
    )
    assert _lint(md, "AS503") == [
        "AS503 reminders.state looks like a status column but no CHECK constraint or Enum constrains its values"
    ]


# MLflow: issues.source_run_id -> runs.run_uuid (a role before the table's name) and
# assessments.trace_id -> trace_info.request_id (the table's first word) drew AS204.
def test_as204_accepts_singular_target_id() -> None:
    md = MetaData()
    Table("runs", md, Column("run_uuid", Uuid, primary_key=True))
    Table("trace_info", md, Column("request_id", String(50), primary_key=True))
    Table(
        "steps",
        md,
        Column("id", Uuid, primary_key=True),
        Column("run_id", Uuid, ForeignKey("runs.run_uuid"), nullable=False),
        Column("source_run_id", Uuid, ForeignKey("runs.run_uuid"), nullable=False),
        Column("runner", Uuid, ForeignKey("runs.run_uuid"), nullable=False),
        Column("trace_id", String(50), ForeignKey("trace_info.request_id"), nullable=False),
        Column("trace_info_id", String(50), ForeignKey("trace_info.request_id"), nullable=False),
        Column("info_id", String(50), ForeignKey("trace_info.request_id"), nullable=False),
    )
    assert sorted(_lint(md, "AS204")) == [
        "AS204 foreign key column steps.info_id references trace_info.request_id but is not named "
        "<target>_request_id (e.g. trace_info_request_id)",
        "AS204 foreign key column steps.runner references runs.run_uuid but is not named <target>_run_uuid "
        "(e.g. run_run_uuid)",
    ]


# ------------------------------------------------------------------ AS102: one answer in every stage


def _association(md: MetaData) -> None:
    Table("users", md, Column("id", Integer, primary_key=True))
    Table("groups", md, Column("id", Integer, primary_key=True))
    Table(
        "user_groups",
        md,
        Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
        Column("group_id", Integer, ForeignKey("groups.id"), nullable=False),
        UniqueConstraint("user_id", "group_id", name="uq_user_groups"),
    )
    Table("loose", md, Column("a", Integer, nullable=True), UniqueConstraint("a", name="uq_loose_a"))


AS102 = [
    "AS102 table loose has no primary key",
    "AS102 table user_groups has no primary key; its unique key (user_id, group_id) is over NOT NULL columns: "
    "make it the primary key",
]


def test_as102_association_table_with_a_unique_key_models_and_database(tmp_path: Path) -> None:
    md = MetaData()
    _association(md)
    assert sorted(_lint(md, "AS102")) == AS102
    # The live audit reflects the same table and runs the same rule: the same answer.
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    md.create_all(engine)
    reflected = MetaData()
    reflected.reflect(engine)
    engine.dispose()
    assert sorted(_lint(reflected, "AS102", stage=Stage.DATABASE)) == AS102


# ------------------------------------------------------------------ AS904: ordering is not an expression


def test_as904_not_for_an_ordered_plain_column() -> None:
    md = MetaData()
    t = Table("posts", md, Column("id", Uuid, primary_key=True), Column("created_at", DateTime(timezone=True)))
    Index("idx_posts_created_at", t.c.created_at.desc())
    Index("idx_posts_id_created_at", t.c.id.asc(), t.c.created_at.desc().nulls_last())
    Index("idx_posts_day", func.date(t.c.created_at))
    assert _lint(md, "AS904") == [
        "AS904 index idx_posts_day on posts has expression elements; only its plain leading columns count "
        "for FK coverage and uniqueness (date(created_at))"
    ]


# ------------------------------------------------------------------ --metadata with no tables


def test_metadata_without_tables_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "fp_empty_base.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StandardsError, match="has no tables"):
        load_metadata("fp_empty_base:Base.metadata", root=tmp_path)
    assert main(["check", "--metadata", "fp_empty_base:Base.metadata"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "alembic-standards: error: metadata 'fp_empty_base:Base.metadata' has no tables: no model was defined on "
        "it when 'fp_empty_base' was imported\n"
        "  hint: point at a module that imports every model module, or import them in 'fp_empty_base'\n"
    )


# ------------------------------------------------------------------ found by the real-code corpus


class _JSONText(TypeDecorator[dict[str, Any]]):
    """JupyterHub's JSONDict shape: a dict serialized into TEXT."""

    impl = String
    cache_ok = True


def test_as503_ignores_serialized_state_blobs() -> None:
    """JupyterHub: `users.state` (JSON in TEXT) and `encrypted_auth_state` (bytes) are not statuses."""
    from sqlalchemy import JSON, LargeBinary

    md = MetaData()
    Table(
        "users",
        md,
        Column("id", Integer, primary_key=True),
        Column("state", _JSONText()),
        Column("encrypted_auth_state", LargeBinary),
        Column("spawn_state", JSON),
        Column("status", String(20)),  # a real status column is still judged
    )
    assert _lint(md, "AS503") == [
        "AS503 users.status looks like a status column but no CHECK constraint or Enum constrains its values"
    ]


def test_as303_names_a_one_to_one_relationship_as_such() -> None:
    """JupyterHub's `OAuthClient.spawner` is uselist=False: the message must not call it one-to-many."""
    from sqlalchemy.orm import relationship

    class Base(DeclarativeBase):
        pass

    class Client(Base):
        __tablename__ = "clients"
        id: Mapped[int] = mapped_column(primary_key=True)
        spawner = relationship("Spawner", back_populates="client", uselist=False)

    class Spawner(Base):
        __tablename__ = "spawners"
        id: Mapped[int] = mapped_column(primary_key=True)
        client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
        client = relationship("Client", back_populates="spawner")

    found = lint_metadata([Base.metadata], Config(enabled=frozenset({"AS303"})))
    assert [f.message for f in found] == [
        'one-to-one relationship Client.spawner does not state its cascade (e.g. cascade="all, delete-orphan", '
        "or the default spelled out)"
    ]


def test_relationships_of_classes_a_library_builds_are_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLAlchemy-Continuum builds `BillVersion` with type() in its own (installed) module: AS904, not AS301."""
    import sysconfig
    import types

    from sqlalchemy.orm import relationship

    class Base(DeclarativeBase):
        pass

    class Bill(Base):
        __tablename__ = "bills"
        id: Mapped[int] = mapped_column(primary_key=True)

    library = types.ModuleType("versioning_library.builder")
    library.__file__ = str(Path(sysconfig.get_paths()["purelib"]) / "versioning_library" / "builder.py")
    monkeypatch.setitem(__import__("sys").modules, library.__name__, library)
    namespace = {
        "__tablename__": "bill_versions",
        "__module__": library.__name__,
        "id": mapped_column(Integer, primary_key=True),
        "bill_id": mapped_column(ForeignKey("bills.id"), index=True),
        "bill": relationship(Bill),
    }
    type("BillVersion", (Base,), namespace)
    found = lint_metadata([Base.metadata], Config(enabled=frozenset({"AS301", "AS904"})))
    assert [f"{f.rule_id} {f.message}" for f in found] == [
        "AS904 relationship BillVersion.bill belongs to a class built at run time by versioning_library.builder; "
        "its relationship rules are not judged"
    ]


# ------------------------------------------------------------------ sweep 4 (Mealie, CTFd)


def _joined_inheritance(parent_key: Any) -> MetaData:
    """CTFd's ``Submissions``/``Solves``: joined-table inheritance, the child's key a foreign key
    to the parent's; the parent carries the timestamps (the spec's mixin, inherited)."""

    class Base(DeclarativeBase):
        pass

    class Submission(Base):
        __tablename__ = "submissions"
        id: Mapped[Any] = mapped_column(parent_key, primary_key=True)
        type: Mapped[str] = mapped_column(String(20))
        created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
        updated_at: Mapped[dt.datetime] = mapped_column(
            DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
        )
        __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "submission"}  # noqa: RUF012

    class Solve(Submission):
        __tablename__ = "solves"
        id: Mapped[Any] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
        __mapper_args__ = {"polymorphic_identity": "solve"}  # noqa: RUF012

    return Base.metadata


def test_joined_inheritance_child_is_judged_through_its_parent() -> None:
    """AS401: the child's rows are the parent's, whose table has the timestamps; AS101: the child's
    key takes the parent's type (the parent alone is reported, and its exception covers both)."""
    assert lint_metadata([_joined_inheritance(Uuid)], Config(enabled=frozenset({"AS101", "AS401"}))) == []
    found = lint_metadata([_joined_inheritance(Integer)], Config(enabled=frozenset({"AS101", "AS401"})))
    assert [f.message for f in found] == [
        "primary key submissions.id is INTEGER, not a native UUID; sequential integer IDs are a permitted "
        "exception once documented with their reason"
    ]
    # The live audit reads the same tables without mappers: the child's key is still the parent's.
    assert _lint(_joined_inheritance(Integer), "AS101", stage=Stage.DATABASE) == [
        "AS101 primary key submissions.id is INTEGER, not a native UUID; sequential integer IDs are a permitted "
        "exception once documented with their reason"
    ]


def test_link_table_without_a_primary_key_is_not_asked_for_timestamps() -> None:
    """Mealie's ``recipes_to_tags``: two foreign keys and a UNIQUE over them.  AS102 says to promote
    the key (which makes it the spec's junction table); AS401 asking for timestamps was the wrong fix."""
    md = MetaData()
    Table("recipes", md, Column("id", Uuid, primary_key=True))
    Table("tags", md, Column("id", Uuid, primary_key=True))
    Table(
        "recipes_to_tags",
        md,
        Column("recipe_id", Uuid, ForeignKey("recipes.id"), nullable=False, index=True),
        Column("tag_id", Uuid, ForeignKey("tags.id"), nullable=False, index=True),
        UniqueConstraint("recipe_id", "tag_id"),
    )
    assert [line for line in _lint(md, "AS102", "AS401") if "recipes_to_tags" in line] == [
        "AS102 table recipes_to_tags has no primary key; its unique key (recipe_id, tag_id) is over NOT NULL "
        "columns: make it the primary key"
    ]
    # With a column of its own (data), it is not a link table: timestamps are asked for.
    md.tables["recipes_to_tags"].append_column(Column("position", Integer))
    assert any(line.startswith("AS401 table recipes_to_tags") for line in _lint(md, "AS401"))


# ------------------------------------------------------------------ sweep 4 (Redash, Dispatch)


def test_updated_at_set_by_a_before_update_listener_is_maintained() -> None:
    """SQLAlchemy's recipe, Redash's and Dispatch's: a ``before_update`` listener assigns
    ``updated_at`` (AS404 said "not maintained").  A listener that sets another column does not count."""
    from sqlalchemy import event

    class Base(DeclarativeBase):
        pass

    class TimestampMixin:
        created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
        updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    class Query(TimestampMixin, Base):
        __tablename__ = "queries"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    class Report(TimestampMixin, Base):
        __tablename__ = "reports"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
        details: Mapped[str] = mapped_column(String(200))

    def stamp(mapper: Any, connection: Any, target: Any) -> None:
        target.updated_at = func.now()

    def rebuild(mapper: Any, connection: Any, target: Any) -> None:
        target.details = "rebuilt"

    event.listen(Query, "before_update", stamp)
    event.listen(Report, "before_update", rebuild)
    assert _lint_models(Base.metadata, "AS404") == [
        "AS404 reports.updated_at is not maintained on update; add onupdate=func.now() (or server_onupdate backed "
        "by a trigger)"
    ]


def _lint_models(md: MetaData, *rules: str) -> list[str]:
    return [f"{f.rule_id} {f.message}" for f in lint_metadata([md], Config(enabled=frozenset(rules)))]


# ------------------------------------------------------------------ composite foreign keys (Indico)
def test_a_composite_key_is_located_at_its_constraint_and_its_members_are_not_as204() -> None:
    """Indico's events(venue_id, room_id) -> rooms(location_id, id): AS201 was reported at venue_id's
    line, and AS204 asked to rename venue_id (which has its own, well-named key to locations.id)
    to room_location_id."""

    class Base(DeclarativeBase):
        pass

    class Place(Base):
        __tablename__ = "places"
        id = Column(Uuid, primary_key=True)

    class Room(Base):
        __tablename__ = "rooms"
        __table_args__ = (UniqueConstraint("id", "location_id", name="uq_rooms_id_location_id"),)
        id = Column(Uuid, primary_key=True)
        location_id = Column(Uuid, ForeignKey("places.id"), nullable=False, index=True)

    class Event(Base):
        __tablename__ = "events"
        __table_args__ = (
            ForeignKeyConstraint(["venue_id", "room_id"], ["rooms.location_id", "rooms.id"]),  # the composite key
        )
        id = Column(Uuid, primary_key=True)
        venue_id = Column(Uuid, ForeignKey("places.id"), nullable=True, index=True)
        room_id = Column(Uuid, ForeignKey("rooms.id"), nullable=True, index=True)

    found = lint_metadata([Base.metadata], Config(enabled=frozenset({"AS201", "AS204"})))
    lines = Path(__file__).read_text().splitlines()
    (line,) = [n for n, text in enumerate(lines, start=1) if text.endswith("# the composite key")]
    assert [f.render(Path(__file__).parent) for f in found] == [
        f"test_models_false_positives.py:{line}:13: AS201 foreign key events(venue_id, room_id) -> rooms.location_id, "
        "rooms.id is not covered by an index; add Index('idx_events_venue_id_room_id', 'venue_id', 'room_id')"
    ]
    assert (found[0].location.table, found[0].location.column) == ("events", "venue_id")  # the object, as before


# ------------------------------------------------------------------ AS401 from a shared base (Polar)
def test_tables_whose_base_lacks_updated_at_are_one_finding_at_the_base() -> None:
    """Polar's TimestampedModel declares created_at and modified_at: AS401 "lacks updated_at" was
    said at 91 class lines for one cause.  One finding at the base's created_at, naming the tables;
    each table's own finding (what a baseline holds) is its part.  A table declaring its own
    created_at is reported at its class, as before."""

    class Base(DeclarativeBase):
        pass

    class Stamped(Base):
        __abstract__ = True
        created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)  # the base's
        modified_at = Column(DateTime(timezone=True), onupdate=func.now(), nullable=True)

    class Org(Stamped):
        __tablename__ = "orgs"
        id = Column(Uuid, primary_key=True)

    class Account(Stamped):
        __tablename__ = "accounts"
        id = Column(Uuid, primary_key=True)

    class Note(Base):  # its own created_at
        __tablename__ = "notes"
        id = Column(Uuid, primary_key=True)
        created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    merged_from: dict[int, list[Finding]] = {}
    found = lint_metadata([Base.metadata], Config(enabled=frozenset({"AS401"})), merged_from=merged_from)
    lines = Path(__file__).read_text().splitlines()
    (base,) = [n for n, text in enumerate(lines, start=1) if text.endswith("# the base's")]
    (own,) = [n for n, text in enumerate(lines, start=1) if text.endswith("# its own created_at")]
    assert [f.render(Path(__file__).parent) for f in found] == [
        f"test_models_false_positives.py:{base}:9: AS401 2 tables whose timestamps are declared here (accounts, "
        "orgs) lack updated_at (use the TimestampMixin, or document an exception)",
        f"test_models_false_positives.py:{own}:5: AS401 table notes lacks updated_at (use the TimestampMixin, or "
        "document an exception)",
    ]
    assert sorted(f.message for f in merged_from[id(found[0])]) == [
        "table accounts lacks updated_at (use the TimestampMixin, or document an exception)",
        "table orgs lacks updated_at (use the TimestampMixin, or document an exception)",
    ]


def test_an_owner_key_is_asked_the_one_index_as601_asks_too() -> None:
    """AS201 said "index=True on the column" and AS601 "Index(user_id, created_at)" for the same key:
    following both left a redundant index (Polar, 5).  AS201 now names the composite, which covers
    the key; with AS601 off it asks index=True as before."""

    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id = Column(Uuid, primary_key=True)

    class Session(Base):
        __tablename__ = "user_sessions"
        id = Column(Uuid, primary_key=True)
        user_id = Column(Uuid, ForeignKey("users.id"), nullable=False)
        created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    both = lint_metadata([Base.metadata], Config(enabled=frozenset({"AS201", "AS601"})))
    assert sorted(f"{f.rule_id} {f.message}" for f in both) == [
        "AS201 foreign key user_sessions(user_id) -> users.id is not covered by an index; add "
        "Index('idx_user_sessions_user_id_created_at', 'user_id', 'created_at'), which AS601 asks too (or "
        "index=True on the column)",
        "AS601 owner-scoped table user_sessions lacks an index on (user_id, created_at); add "
        "Index('idx_user_sessions_user_id_created_at', 'user_id', 'created_at')",
    ]
    (alone,) = lint_metadata([Base.metadata], Config(enabled=frozenset({"AS201"})))
    assert alone.message.endswith("; add index=True on the column")
