"""The ``alembic-standards`` command: exit codes, exact messages, formats, bad input.

Most tests call :func:`alembic_standards.cli.main` in-process (fast, with ``capsys``); a few run
the installed console script in a subprocess to prove that bad input never shows a traceback.
Each test builds a tiny project in ``tmp_path`` (models package + ``pyproject.toml``) and
changes into it, as a user would run the command from their repository root.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jsonschema
import pytest
from sqlalchemy import create_engine, text

from alembic_standards.cli import main
from alembic_standards.config import Config
from alembic_standards.findings import Finding
from alembic_standards.rules import RULES

if TYPE_CHECKING:
    from collections.abc import Callable

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

CLEAN_MODELS = """\
import uuid
from datetime import datetime

from sqlalchemy import DateTime, MetaData, Uuid, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from alembic_standards import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=dict(NAMING_CONVENTION))


class Thing(Base):
    __tablename__ = "things"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
"""

# One model with an integer primary key: exactly one finding (AS101) at line 16, column 5.
BAD_MODELS = CLEAN_MODELS.replace(
    "    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)",
    "    id: Mapped[int] = mapped_column(primary_key=True)",
)


@dataclass
class Project:
    root: Path
    package: str

    @property
    def spec(self) -> str:
        return f"{self.package}.models:Base"

    def write_config(self, body: str) -> Path:
        path = self.root / "pyproject.toml"
        path.write_text("[tool.alembic_standards]\n" + textwrap.dedent(body), encoding="utf-8")
        return path

    def write_models(self, source: str) -> Path:
        path = self.root / self.package / "models.py"
        path.write_text(source, encoding="utf-8")
        return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    # A unique package name per test: the models module is imported into this process.
    package = f"app_{uuid.uuid4().hex[:8]}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    proj = Project(tmp_path, package)
    proj.write_models(CLEAN_MODELS)
    proj.write_config(f'metadata = "{proj.spec}"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return proj


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


AS101_LINE = (
    "{package}/models.py:16:5: AS101 primary key things.id is INTEGER, not a native UUID; "
    "sequential integer IDs are a permitted exception once documented with their reason\n"
)


# ------------------------------------------------------------------------------ exit codes
def test_clean_project_exits_0(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check") == (0, "", "All checks passed.\n")


def test_findings_exit_1_with_relative_path_line_col(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write_models(BAD_MODELS)
    code, out, err = run(capsys, "check")
    assert code == 1
    assert out == AS101_LINE.format(package=project.package)
    assert err == "Found 1 finding (1 error).\n"


def test_fail_on_and_severity_decide_the_exit_code(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write_models(BAD_MODELS)
    project.write_config(f'metadata = "{project.spec}"\nseverity = {{ AS101 = "warning" }}\n')
    code, out, err = run(capsys, "check")
    assert (code, err) == (0, "Found 1 finding (1 warning).\n")  # still printed, not failing
    assert out.startswith(f"{project.package}/models.py:16:5: AS101 ")
    assert run(capsys, "check", "--fail-on", "warning")[0] == 1
    project.write_config(f'metadata = "{project.spec}"\nseverity = {{ AS101 = "warning" }}\nfail_on = "warning"\n')
    assert run(capsys, "check")[0] == 1
    assert run(capsys, "check", "--fail-on", "error")[0] == 0  # the flag overrides the file


@pytest.mark.parametrize(
    ("flags", "expected_code"),
    [
        (["--ignore", "AS101"], 0),
        (["--ignore", "pk-not-uuid"], 0),
        (["--ignore", "AS1"], 0),
        (["--select", "AS2,AS4"], 0),
        (["--select", "AS101"], 1),
    ],
)
def test_select_and_ignore(
    project: Project, capsys: pytest.CaptureFixture[str], flags: list[str], expected_code: int
) -> None:
    project.write_models(BAD_MODELS)
    code, out, _ = run(capsys, "check", *flags)
    assert code == expected_code
    assert ("AS101" in out) is (expected_code == 1)


def test_documented_exception_suppresses_and_shows_in_register(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write_models(BAD_MODELS)
    project.write_config(
        f"""\
        metadata = "{project.spec}"

        [[tool.alembic_standards.exceptions]]
        rule = "AS101"
        table = "things"
        reason = "Things are ordered by insertion; a sequence is the ordering key."
        ticket = "DB-7"
        """
    )
    assert run(capsys, "check") == (0, "", "All checks passed.\n")
    code, out, _ = run(capsys, "exceptions")
    assert code == 0
    assert out.startswith("# Exceptions register\n")
    assert "Things are ordered by insertion; a sequence is the ordering key." in out
    assert "| DB-7 |" in out
    assert "`pyproject.toml:4`" in out  # where it is declared, relative to the working directory


def test_exception_without_reason_is_a_finding(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write_models(BAD_MODELS)
    project.write_config(
        f"""\
        metadata = "{project.spec}"

        [[tool.alembic_standards.exceptions]]
        rule = "AS101"
        table = "things"
        reason = ""
        """
    )
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert [line.split(" ")[1] for line in out.splitlines()] == ["AS101", "AS901"]
    assert out.splitlines()[1].startswith("pyproject.toml:4: AS901 exception for AS101 on ")


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("{package}", (0, "", "All checks passed.\n")),  # the package's directory
        ("{package}/models.py", (0, "", "All checks passed.\n")),  # the file itself
        ("./{package}/../{package}/", (0, "", "All checks passed.\n")),  # spelt differently
        (
            "{package}/legacy",  # elsewhere: the finding stays and the exception is unused
            (
                1,
                AS101_LINE + "pyproject.toml:4: AS903 exception for AS101 on every object in {package}/legacy "
                "matches no violation; remove it\n",
                "Found 2 findings (1 error, 1 warning).\n",
            ),
        ),
    ],
)
def test_exception_limited_to_a_path(
    project: Project, capsys: pytest.CaptureFixture[str], scope: str, expected: tuple[int, str, str]
) -> None:
    project.write_models(BAD_MODELS)
    project.write_config(
        f"""\
        metadata = "{project.spec}"

        [[tool.alembic_standards.exceptions]]
        rule = "AS101"
        path = "{scope.format(package=project.package)}"
        reason = "Legacy models keep their integer keys until the 2027 migration."
        """
    )
    code, out, err = run(capsys, "check")
    assert (code, out, err) == tuple(
        part.format(package=project.package) if isinstance(part, str) else part for part in expected
    )


_DIALECT_REVISION = '''"""{message}

Revision ID: {revision}
Revises: {down}
Create Date: 2026-01-0{day} 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "{revision}"
down_revision: Union[str, Sequence[str], None] = {down_repr}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    {upgrade}


def downgrade() -> None:
    """Downgrade schema."""
    {downgrade}
'''


def _two_histories(root: Path) -> None:
    """versions/sqlite and versions/postgresql: each creates a table, then indexes it (AS1001, AS1009)."""
    for dialect in ("sqlite", "postgresql"):
        versions = root / "versions" / dialect
        versions.mkdir(parents=True)
        table, first, second = f"widgets_{dialect}", f"a1{dialect[:2]}", f"b2{dialect[:2]}"
        create = (
            f'op.create_table("{table}", sa.Column("id", sa.Uuid(), nullable=False), '
            f'sa.Column("name", sa.String(50), nullable=True), sa.PrimaryKeyConstraint("id", name="pk_{table}"))'
        )
        steps = [
            (first, None, "create " + table, create, f'op.drop_table("{table}")'),
            (
                second,
                first,
                "index " + table,
                f'op.create_index("ix_{table}_name", "{table}", ["name"])',
                f'op.drop_index("ix_{table}_name", table_name="{table}")',
            ),
        ]
        for day, (revision, down, message, upgrade, downgrade) in enumerate(steps, start=1):
            (versions / f"{revision}_{message.replace(' ', '_')}.py").write_text(
                _DIALECT_REVISION.format(
                    message=message,
                    revision=revision,
                    down=down or "",
                    down_repr=repr(down),
                    day=day,
                    upgrade=upgrade,
                    downgrade=downgrade,
                ),
                encoding="utf-8",
            )


def test_exceptions_limited_to_a_versions_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A project with a SQLite history beside its PostgreSQL one: the lock rules are excepted in
    the SQLite directory alone (the case of Prefect's two histories, docs/corpus.md)."""
    _two_histories(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.alembic_standards]
            migrations = ["versions/sqlite", "versions/postgresql"]

            [[tool.alembic_standards.exceptions]]
            rule = "AS1001"
            path = "versions/sqlite"
            reason = "This history runs on SQLite: it locks the whole database, concurrently or not."

            [[tool.alembic_standards.exceptions]]
            rule = "AS1009"
            path = "versions/sqlite/"
            reason = "This history runs on SQLite, which has no lock_timeout."
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    postgresql = "versions/postgresql/b2po_index_widgets_postgresql.py:21:5: "
    code, out, err = run(capsys, "check")
    assert (code, err) == (0, "Found 2 findings (2 warnings).\n")
    assert out == (
        f"{postgresql}AS1001 creates index 'ix_widgets_postgresql_name' on existing table 'widgets_postgresql' "
        "without CONCURRENTLY: writes to the table are blocked while the index builds; use "
        "postgresql_concurrently=True inside op.get_context().autocommit_block()\n"
        f"{postgresql}AS1009 op.create_index() locks existing table 'widgets_postgresql' and no lock_timeout is "
        "set (in the revision or env.py): while it waits for a running query, every query on the table waits "
        "behind it; run op.execute(\"SET lock_timeout = '5s'\") first\n"
    )
    # The same files named from elsewhere (absolute paths, another working directory) are still in scope.
    monkeypatch.chdir(tmp_path / "versions")
    code, out, _ = run(capsys, "check", "--config", str(tmp_path / "pyproject.toml"), str(tmp_path / "versions"))
    assert code == 0
    assert [line.split(": ")[1].split(" ")[0] for line in out.splitlines()] == ["AS1001", "AS1009"]
    assert all(line.startswith("postgresql/b2po_index_widgets_postgresql.py:21:5: ") for line in out.splitlines())
    code, out, _ = run(capsys, "exceptions", "--config", str(tmp_path / "pyproject.toml"))
    assert code == 0
    assert "| AS1009 `lock-timeout-missing` | `every object in versions/sqlite` | This history runs on SQLite" in out


# ------------------------------------------------------------------------------ formats
def test_json_format(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write_models(BAD_MODELS)
    code, out, _ = run(capsys, "check", "--format", "json")
    assert code == 1
    [record] = json.loads(out)
    assert {k: record[k] for k in ("rule", "severity", "path", "line", "col", "table", "column")} == {
        "rule": "AS101",
        "severity": "error",
        "path": f"{project.package}/models.py",
        "line": 16,
        "col": 5,
        "table": "things",
        "column": "id",
    }


def test_sarif_format_validates(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write_models(BAD_MODELS)
    code, out, _ = run(capsys, "check", "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "AS101"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f"{project.package}/models.py"


def test_github_format(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write_models(BAD_MODELS)
    code, out, _ = run(capsys, "check", "--format", "github")
    assert code == 1
    assert out.startswith(f"::error file={project.package}/models.py,line=16,col=5,title=AS101::primary key things.id")


def test_no_colour_when_not_a_terminal(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write_models(BAD_MODELS)
    _, out, _ = run(capsys, "check")
    assert "\x1b[" not in out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_colour_on_a_terminal_unless_no_color(
    project: Project, monkeypatch: pytest.MonkeyPatch, no_color: str | None, coloured: bool
) -> None:
    project.write_models(BAD_MODELS)
    if no_color is not None:
        monkeypatch.setenv("NO_COLOR", no_color)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["check", "--quiet"]) == 1
    assert ("\x1b[1;31mAS101\x1b[0m" in terminal.getvalue()) is coloured


# ------------------------------------------------------------------------------ live database
def test_database_audit_through_the_cli(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{project.root / 'app.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE parents (id CHAR(32) NOT NULL, CONSTRAINT pk_parents PRIMARY KEY (id))"))
        conn.execute(
            text(
                "CREATE TABLE kids (id CHAR(32) NOT NULL, parent_id CHAR(32) NOT NULL,"
                " CONSTRAINT pk_kids PRIMARY KEY (id),"
                " CONSTRAINT fk_kids_parent_id FOREIGN KEY (parent_id) REFERENCES parents (id))"
            )
        )
    engine.dispose()
    code, out, _ = run(capsys, "check", "--no-models", "--database-url", url, "--select", "AS201")
    assert code == 1
    assert out == (
        "kids.parent_id: AS201 foreign key kids(parent_id) -> parents.id is not covered by an index; "
        "add op.create_index('idx_kids_parent_id', 'kids', ['parent_id']) in a migration\n"
    )
    # Without --select: SQLite cannot hold a UUID or timestamptz type, which is said, not skipped.
    code, out, err = run(capsys, "check", "--no-models", "--database-url", url)
    assert [line.split(" ")[:2] for line in out.splitlines()] == [
        ["kids:", "AS904"],
        ["kids.parent_id:", "AS201"],
        ["parents:", "AS904"],
    ]
    assert err == "Found 3 findings (1 error, 2 info).\n"


def test_a_fact_the_models_and_the_database_share_is_reported_once(
    project: Project, capsys: pytest.CaptureFixture[str], pg_url: str
) -> None:
    """``check --metadata --database-url``: the integer key both stages see is one finding, at its
    line in the models; a key the database types differently from the models is drift and stays a
    finding of its own (sweep 4: Dispatch said 93 AS101/AS402 twice).  PostgreSQL: the audit does
    not judge key types on SQLite (AS904)."""
    project.write_models(BAD_MODELS)
    models_only = run(capsys, "check", "--metadata", project.spec, "--select", "AS101")
    assert models_only[0] == 1 and models_only[1].count("AS101") == 1
    args = ("check", "--metadata", project.spec, "--database-url", pg_url, "--select", "AS101")
    key = (
        "primary key things.id is {}, not a native UUID; sequential integer IDs are a permitted exception "
        "once documented with their reason"
    )
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE things (id INTEGER NOT NULL, CONSTRAINT pk_things PRIMARY KEY (id))"))
        code, out, _ = run(capsys, *args, "--no-models")  # the audit alone says it too
        assert (code, out) == (1, f"things.id: AS101 {key.format('INTEGER')}\n")
        assert run(capsys, *args) == models_only  # not the audit's own line for the same key
        # Named, the default schema is still where the models' unqualified table lives.
        assert run(capsys, *args, "--schema", "public") == models_only
        # A baseline written before this (both lines recorded, as an earlier version did): the
        # audit's entry is held by the finding left out, not reported stale (AS905).
        database_only = (*args, "--no-models", "--write-baseline", "--baseline", "b-database.json")
        models = (
            "check",
            "--metadata",
            project.spec,
            "--select",
            "AS101",
            "--write-baseline",
            "--baseline",
            "b-models.json",
        )
        assert run(capsys, *database_only)[0] == run(capsys, *models)[0] == 0
        written = [json.loads(Path(name).read_text(encoding="utf-8")) for name in ("b-database.json", "b-models.json")]
        entries = [entry for document in written for entry in document["entries"]]
        assert sorted(entry["stage"] for entry in entries) == ["database", "models"]
        Path("both.json").write_text(json.dumps({**written[0], "entries": entries}), encoding="utf-8")
        expected = (0, "", "All checks passed. [baseline: 1 suppressed (AS101 1)]\n")
        assert run(capsys, *args, "--baseline", "both.json") == expected
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE things ALTER COLUMN id TYPE BIGINT"))
        code, out, _ = run(capsys, *args)
        assert code == 1
        assert out.splitlines() == [f"things.id: AS101 {key.format('BIGINT')}", models_only[1].rstrip("\n")]
    finally:
        engine.dispose()


MIXIN_MODELS = """\
import uuid
from datetime import datetime

from sqlalchemy import DateTime, MetaData, Uuid, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from alembic_standards import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=dict(NAMING_CONVENTION))


class Stamped:
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), nullable=False)


class Alert(Stamped, Base):
    __tablename__ = "alert"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class Canvas(Stamped, Base):
    __tablename__ = "canvas"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
"""


def test_a_mixin_column_the_models_report_once_is_not_repeated_per_table_by_the_audit(
    project: Project, capsys: pytest.CaptureFixture[str], pg_url: str
) -> None:
    """The models say a mixin's naive ``created_at`` once, naming its tables; the audit says it of
    each table.  Together: the models' line alone (Dispatch: 103 AS402 on 49 tables, sweep 4)."""
    project.write_models(MIXIN_MODELS)
    code, models_only, _ = run(capsys, "check", "--metadata", project.spec, "--select", "AS402")
    assert (code, models_only.split(": AS402 ")[1]) == (
        1,
        "created_at (declared once, used by tables alert, canvas) is a timestamp without time zone; "
        "use DateTime(timezone=True)\n",
    )
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            for table in ("alert", "canvas"):
                conn.execute(text(f"CREATE TABLE {table} (id UUID PRIMARY KEY, created_at TIMESTAMP NOT NULL)"))
    finally:
        engine.dispose()
    args = ("check", "--metadata", project.spec, "--database-url", pg_url, "--select", "AS402")
    code, out, _ = run(capsys, *args, "--no-models")
    assert (code, out.count("AS402")) == (1, 2)  # the audit alone: once per table
    assert run(capsys, *args)[:2] == (1, models_only)


def _create_all(project: Project, url: str) -> None:
    """The project's models, created in the database at ``url`` (``metadata.create_all``)."""
    from alembic_standards.models import load_metadata

    engine = create_engine(url)
    try:
        (metadata,) = load_metadata(project.spec)
        metadata.create_all(engine)
    finally:
        engine.dispose()


FK_MODELS = MIXIN_MODELS.replace("DateTime, MetaData", "DateTime, ForeignKey, MetaData").replace(
    """class Canvas(Stamped, Base):
    __tablename__ = "canvas"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
""",
    """class Canvas(Stamped, Base):
    __tablename__ = "canvas"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert.id"))
""",
)


def test_an_unindexed_key_the_models_and_the_database_share_is_reported_once(
    project: Project, capsys: pytest.CaptureFixture[str], pg_url: str
) -> None:
    """AS201's remedy differs by stage ("add index=True on the column", "add op.create_index(...) in
    a migration"): the fact before it is what both state, said once at the model's line (Open
    WebUI: three keys said twice, sweep 5)."""
    project.write_models(FK_MODELS)
    models_only = run(capsys, "check", "--metadata", project.spec, "--select", "AS201")
    assert models_only[0] == 1 and models_only[1].count("AS201") == 1
    _create_all(project, pg_url)
    args = ("check", "--metadata", project.spec, "--database-url", pg_url, "--select", "AS201")
    code, out, _ = run(capsys, *args, "--no-models")
    assert (code, out) == (
        1,
        "canvas.alert_id: AS201 foreign key canvas(alert_id) -> alert.id is not covered by an index; "
        "add op.create_index('idx_canvas_alert_id', 'canvas', ['alert_id']) in a migration\n",
    )
    assert run(capsys, *args)[:2] == models_only[:2]


EXPRESSION_INDEX_MODELS = MIXIN_MODELS.replace("DateTime, MetaData", "DateTime, Index, MetaData, String").replace(
    """class Canvas(Stamped, Base):
    __tablename__ = "canvas"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
""",
    """class Canvas(Stamped, Base):
    __tablename__ = "canvas"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(50))
    __table_args__ = (Index("idx_canvas_title_lower", func.lower(title), unique=True),)
""",
)


def test_an_expression_index_the_models_and_the_database_share_is_reported_once(
    project: Project, capsys: pytest.CaptureFixture[str], pg_url: str
) -> None:
    """The models spell the expression `lower(title)`, PostgreSQL `lower(title::text)`: the fact
    before the "; " is what both state, said once at the model's line (Indico: 26 said twice)."""
    project.write_models(EXPRESSION_INDEX_MODELS)
    models_only = run(capsys, "check", "--metadata", project.spec, "--select", "AS904")
    assert models_only[0] == 0
    assert models_only[1].endswith(
        "models.py:27:23: AS904 index idx_canvas_title_lower on canvas has expression elements; only its plain "
        "leading columns count for FK coverage and uniqueness (lower(title))\n"
    )
    assert models_only[1].count("\n") == 1
    _create_all(project, pg_url)
    args = ("check", "--metadata", project.spec, "--database-url", pg_url, "--select", "AS904")
    code, out, _ = run(capsys, *args, "--no-models")
    assert (code, out) == (
        0,
        "canvas.idx_canvas_title_lower: AS904 index idx_canvas_title_lower on canvas has expression elements; only "
        "its plain leading columns count for FK coverage and uniqueness (lower(title::text))\n",
    )
    assert run(capsys, *args)[:2] == models_only[:2]


UNNAMED_BY_THE_FILE = '''\
"""unnamed in the file, named by env.py's target_metadata convention when it runs (Indico)

Revision ID: a1
Revises:
Create Date: 2026-11-28 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "posts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("thing_id", sa.Uuid(), sa.ForeignKey("things.id"), nullable=False, index=True),
    )
    op.create_unique_constraint(None, "posts", ["thing_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("posts")
'''


def _as501(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    """``path:line:col`` and the first words of each AS501 ``check ... versions`` reports."""
    code, out, _ = run(capsys, "check", "--select", "AS501", *argv, "versions")
    found = [line.split(": AS501 ") for line in out.splitlines() if ": AS501 " in line]
    assert code == (1 if found else 0)
    return [f"{where} {' '.join(message.split()[:3])}" for where, message in found]


@pytest.mark.parametrize(
    ("convention", "expected"),
    [
        # NAMING_CONVENTION names every kind: nothing is unnamed when the revision runs.
        ("dict(NAMING_CONVENTION)", []),
        # SQLAlchemy's default names indexes only: the key and the constraints stay unnamed.
        (
            "None",
            [
                "versions/a1.py:23:9 the primary key",
                "versions/a1.py:24:42 unnamed foreign key",
                "versions/a1.py:26:33 op.create_unique_constraint() creates an",
            ],
        ),
    ],
    ids=["team-convention", "sqlalchemy-default"],
)
def test_unnamed_in_a_revision_is_not_as501_when_the_models_convention_names_it(
    project: Project, capsys: pytest.CaptureFixture[str], convention: str, expected: list[str]
) -> None:
    """Alembic applies the target metadata's naming convention to every op.* call: with the models
    loaded, an object that convention names is not "unnamed" (Indico: 384 findings).  Without the
    models the convention is unknown and every one is reported, as before."""
    models = CLEAN_MODELS.replace("naming_convention=dict(NAMING_CONVENTION)", f"naming_convention={convention}")
    project.write_models(models)
    (project.root / "versions").mkdir()
    (project.root / "versions" / "a1.py").write_text(UNNAMED_BY_THE_FILE, encoding="utf-8")
    assert _as501(capsys, "--metadata", project.spec, "--no-models") == expected
    without_models = _as501(capsys, "--no-models")
    assert len(without_models) == 4  # the key, the index, the foreign key, the unique constraint
    assert set(expected) <= set(without_models)


def test_a_baseline_of_per_table_findings_holds_the_mixin_finding_that_replaced_them(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """A baseline written while a mixin's column was reported once per table still holds the one
    finding that replaced them: upgrading turns nothing new and nothing stale (AS905)."""
    from alembic_standards.baseline import Baseline
    from alembic_standards.models import lint_metadata, load_metadata

    project.write_models(MIXIN_MODELS)
    config = Config(root=project.root, enabled=frozenset({"AS402"}))
    merged_from: dict[int, list[Finding]] = {}
    (merged,) = lint_metadata(load_metadata(project.spec), config, merged_from=merged_from)
    parts = merged_from[id(merged)]
    assert [f.location.table for f in parts] == ["alert", "canvas"]
    Baseline.from_findings(project.root / "b.json", [("models", f) for f in parts], project.root).write()
    args = ("check", "--metadata", project.spec, "--select", "AS402")
    assert run(capsys, *args, "--baseline", "b.json") == (
        0,
        "",
        "All checks passed. [baseline: 1 suppressed (AS402 1)]\n",
    )
    code, out, _ = run(capsys, *args, "--no-baseline")
    assert (code, out.count("AS402")) == (1, 1)


# ------------------------------------------------------------------------------ bad input
def test_unknown_config_key_names_file_line_and_key(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    path = project.write_config(f'metadata = "{project.spec}"\nignor = ["AS101"]\n')
    assert run(capsys, "check") == (
        2,
        "",
        f"alembic-standards: error: {path}:3: [tool.alembic_standards] ignor: unknown key\n"
        "  hint: did you mean 'ignore'?\n",
    )


def test_explicit_config_file(project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text(f'[tool.alembic_standards]\nmetadata = "{project.spec}"\nselect = ["AS4"]\n', encoding="utf-8")
    project.write_models(BAD_MODELS)
    assert run(capsys, "check", "--config", str(other))[0] == 0
    assert run(capsys, "--config", str(other), "check")[0] == 0
    assert run(capsys, "check")[0] == 1
    assert run(capsys, "check", "--config", "missing.toml") == (
        2,
        "",
        "alembic-standards: error: missing.toml: configuration file not found\n",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--select", "AS999"], "alembic-standards: error: --select: unknown rule 'AS999'"),
        (["check", "--ignore", "pk-not-uid"], "alembic-standards: error: --ignore: unknown rule 'pk-not-uid'"),
        (["check", "--fail-on", "fatal"], "alembic-standards: error: --fail-on: unknown severity 'fatal'"),
        (["check", "--metadata", "nocolon"], "alembic-standards: error: --metadata 'nocolon': expected MODULE:ATTR"),
        (["check", "--metadata", "no_such_module_xyz:Base"], "alembic-standards: error: "),
        (["check", "does/not/exist"], "alembic-standards: error: does/not/exist: no such file or directory\n"),
        (["check", "--no-models", "--database-url", "nope"], "alembic-standards: error: invalid database URL 'nope'"),
        (
            ["check", "--no-models", "--database-url", "postgresql+psycopg://u:pw@127.0.0.1:1/db"],
            "alembic-standards: error: cannot read database postgresql+psycopg://u:***@127.0.0.1:1/db: ",
        ),
        (["check", "--no-models"], "alembic-standards: error: nothing to check: no metadata, migrations or"),
        (["explain", "AS999"], "alembic-standards: error: unknown rule 'AS999'"),
        (["check", "--format", "xml"], "usage: alembic-standards check"),
        (["frobnicate"], "usage: alembic-standards"),
        ([], "usage: alembic-standards"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    project: Project, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert "Traceback" not in err


def test_bad_metadata_module_names_the_spec(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--metadata", "no_such_module_xyz:Base")
    assert code == 2
    assert "no_such_module_xyz" in err


# ------------------------------------------------------------------------------ rules / explain
def test_rules_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "SEVERITY", "STAGES", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == list(RULES)
    assert "AS201  fk-unindexed" in out


def test_rules_marks_rules_disabled_by_the_config(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    path = project.write_config('ignore = ["AS204"]\n')
    _, out, _ = run(capsys, "rules", "--config", str(path))
    assert [line.split()[0] for line in out.splitlines() if line.endswith("(disabled)")] == ["AS204"]


@pytest.mark.parametrize("key", ["AS201", "as201", "fk-unindexed"])
def test_explain_prints_the_catalogue_text(capsys: pytest.CaptureFixture[str], key: str) -> None:
    assert run(capsys, "explain", key) == (0, RULES["AS201"].explain() + "\n", "")


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith("alembic-standards ")
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0
    assert "Exit codes: 0 clean, 1 findings at or above fail_on, 2 usage/config/input" in out


def test_the_maintainer_docs_command_is_hidden_from_help_but_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Hidden by public argparse alone: a subparser added without help= lists no line in --help,
    # and the COMMAND metavar hides the choices (no private _choices_actions edit).
    code, out, _ = run(capsys, "--help")
    assert code == 0
    commands = [line.split()[0] for line in out.splitlines() if line.startswith("    ") and line.split()]
    assert "check" in commands
    assert "docs" not in commands
    assert "docs" not in out.replace("docs/", "")
    code, _, err = run(capsys, "docs", str(tmp_path / "rules"))
    assert code == 0
    assert "wrote " in err + _


# ------------------------------------------------------------------------------ console script
def _console_script() -> Path:
    return Path(sys.executable).with_name("alembic-standards")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--metadata", "no_such_module_xyz:Base"], "alembic-standards: error: "),
        (
            ["check", "--no-models", "--database-url", "postgresql+psycopg://u:pw@127.0.0.1:1/db"],
            "cannot read database",
        ),
    ],
)
def test_console_script_never_shows_a_traceback(project: Project, argv: list[str], message: str) -> None:
    result = subprocess.run(
        [str(_console_script()), *argv], cwd=project.root, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_console_script_exit_1_on_findings(project: Project) -> None:
    project.write_models(BAD_MODELS)
    result = subprocess.run(
        [str(_console_script()), "check"], cwd=project.root, capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout) == (1, AS101_LINE.format(package=project.package))


# ------------------------------------------------------------------------------ init
def test_init_creates_a_project_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "init", "migrations")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "created migrations/README",
        "created migrations/env.py",
        "created migrations/script.py.mako",
        "created alembic.ini",
        "created pyproject.toml",
    ]
    assert (tmp_path / "migrations" / "versions").is_dir()
    assert "migrations/versions" in (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code, out, err = run(capsys, "init", "migrations")
    assert (code, out) == (2, "")
    assert err.startswith(
        "alembic-standards: error: migrations: target exists and is not an empty directory; refusing to overwrite it\n"
    )
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # nothing half-written


# ------------------------------------------------------------------------------ migrations
GOOD_REVISION = '''\
"""create things

Revision ID: 0001
Revises:
Create Date: 2026-01-01 00:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # ### tables ###
    op.create_table(
        "things",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_things"),
    )


def downgrade() -> None:
    """Rollback migration changes"""
    # ### tables ###
    op.drop_table("things")
'''


def _versions(root: Path) -> Path:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    return versions


def test_unparseable_revision_exits_2_and_the_rest_is_still_reported(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    versions = _versions(project.root)
    (versions / "0001_things.py").write_text(
        GOOD_REVISION.replace('    op.drop_table("things")\n', "    pass\n"), encoding="utf-8"
    )
    (versions / "0002_broken.py").write_text('"""broken"""\ndef upgrade() -> None\n    pass\n', encoding="utf-8")
    project.write_config(f'metadata = "{project.spec}"\nmigrations = ["migrations/versions"]\n')
    code, out, err = run(capsys, "check")
    assert code == 2
    first, second = out.splitlines()
    assert first.startswith("migrations/versions/0001_things.py:32:1: AS702 downgrade() is only `pass`")
    assert second == "migrations/versions/0002_broken.py:2: AS800 syntax error: expected ':' (file not checked)"
    assert err == "Found 2 findings (2 errors).\n"
    # The input error wins over everything else: not even --ignore or a passing fail_on hides it.
    assert run(capsys, "check", "--ignore", "AS7,AS800")[0] == 2


def test_clean_revisions_and_models_exit_0(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    versions = _versions(project.root)
    (versions / "0001_things.py").write_text(GOOD_REVISION, encoding="utf-8")
    project.write_config(f'metadata = "{project.spec}"\nmigrations = ["migrations/versions"]\n')
    assert run(capsys, "check") == (0, "", "All checks passed.\n")
    # PATHS replace the configured directories.
    assert run(capsys, "check", "migrations/versions/0001_things.py") == (0, "", "All checks passed.\n")


def test_sample_project_is_clean(repo_root: Path) -> None:
    result = subprocess.run(
        [str(_console_script()), "check"],
        cwd=repo_root / "sample_project",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "All checks passed.\n")


def test_irreversible_marker_suppresses_and_is_in_the_register(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    versions = _versions(project.root)
    reason = "The legacy table is archived elsewhere; there is nothing to restore."
    source = GOOD_REVISION.replace('    op.drop_table("things")\n', "    pass\n").replace(
        "depends_on: str | Sequence[str] | None = None\n",
        f'depends_on: str | Sequence[str] | None = None\nirreversible = "{reason}"\n',
    )
    (versions / "0001_things.py").write_text(source, encoding="utf-8")
    project.write_config(f'metadata = "{project.spec}"\nmigrations = ["migrations/versions"]\n')
    assert run(capsys, "check") == (0, "", "All checks passed.\n")
    code, out, _ = run(capsys, "exceptions")
    assert code == 0
    assert f"| `0001` | AS702 `downgrade-empty` | {reason} |  |  | `migrations/versions/0001_things.py:20` |" in out


def test_init_with_pyproject_config_kind_puts_alembic_settings_in_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "init", "--config-kind", "pyproject", "migrations")
    assert (code, err) == (0, "")
    assert "created migrations/script.py.mako" in out.splitlines()
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert "[tool.alembic]" in text
    assert "[tool.alembic_standards]" in text
    code, _out, err = run(capsys, "init", "--config-kind", "yaml", "other")
    assert code == 2
    assert "invalid choice: 'yaml'" in err
    assert not (tmp_path / "other").exists()


def test_revision_cache_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    revision = versions / "0001_things.py"
    revision.write_text(GOOD_REVISION, encoding="utf-8")
    old = revision.stat().st_mtime - 60  # the cache skips files modified in the last seconds
    os.utime(revision, (old, old))
    monkeypatch.chdir(tmp_path)
    cache_dir = tmp_path / "cache"
    code, _out, _err = run(capsys, "check", "--no-models", "--cache-dir", str(cache_dir), "versions")
    assert code == 0
    assert cache_dir.is_dir()
    assert any(p.suffix == ".json" for p in cache_dir.rglob("*"))
    other = tmp_path / "unused-cache"
    monkeypatch.setenv("ALEMBIC_STANDARDS_CACHE_DIR", str(other))
    code, _out, _err = run(capsys, "check", "--no-models", "--no-cache", "versions")
    assert code == 0
    assert not other.exists()
    code, _out, err = run(capsys, "check", "--no-cache", "--cache-dir", "x", "versions")
    assert code == 2
    assert "not allowed with argument" in err


# ------------------------------------------------------------------------------ broken pyproject.toml
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'tool = "x"\n', "pyproject.toml:1: `tool` must be a table (PEP 518), got a string"),
        (b'[project]\nname = "caf\xe9"\n', "pyproject.toml:2: not valid UTF-8 (byte 0xe9 at column 12)"),
        (
            b"[tool.alembic_standards]\nselect = " + b"[" * 3000 + b"]" * 3000 + b"\n",
            "pyproject.toml:2: invalid TOML: arrays or inline tables nested too deeply",
        ),
    ],
    ids=["tool-string", "latin-1", "deeply-nested"],
)
def test_broken_pyproject_exits_2_naming_the_file(
    project: Project, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    (project.root / "pyproject.toml").write_bytes(content)
    for argv in (["check"], ["exceptions"], ["rules", "--config", "pyproject.toml"]):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, ""), argv
        shown = "" if "--config" in argv else f"{project.root}/"
        assert err.startswith(f"alembic-standards: error: {shown}{message}"), err


# ------------------------------------------------------------------------------ user code in --metadata
def test_metadata_module_calling_sys_exit_is_an_input_error(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write_models("import sys\n\nsys.exit(3)\n")
    code, out, err = run(capsys, "check", "--format", "json")
    assert (code, out) == (2, "")
    assert err == (
        f"alembic-standards: error: {project.root / project.package / 'models.py'}:3: "
        f"metadata '{project.spec}': importing the module called sys.exit(3)\n"
    )


NOISY_MODELS = (
    "import logging\nimport os\nimport sys\n\n"
    "print('hello from the models')\n"
    "os.write(1, b'straight to fd 1\\n')\n"
    "logging.basicConfig(stream=sys.stdout, level=logging.INFO, format='%(message)s')\n"
    "logging.getLogger('app').info('logged at import')\n"
) + CLEAN_MODELS


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_what_user_code_prints_never_reaches_the_report(project: Project, fmt: str) -> None:
    """stdout holds the report alone; the models' prints, fd-1 writes and logging go to stderr, announced."""
    project.write_models(NOISY_MODELS.replace(CLEAN_MODELS, BAD_MODELS))
    result = subprocess.run(
        [str(_console_script()), "check", "--format", fmt],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)  # the whole of stdout is the document
    if fmt == "json":
        assert [f["rule"] for f in report] == ["AS101"]
    else:
        assert [r["ruleId"] for r in report["runs"][0]["results"]] == ["AS101"]
    assert result.stderr.startswith(
        f"alembic-standards: note: output printed to stdout while importing --metadata {project.spec} "
        "(moved to stderr; stdout holds only the report):\n"
    )
    for line in ("hello from the models\n", "straight to fd 1\n", "logged at import\n"):
        assert line in result.stderr
    assert result.stderr.endswith("Found 1 finding (1 error).\n")


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "--no-cache", "--no-models", "-q", "versions"],
        ["check", "a", "b", "--format", "json", "--select", "AS2", "--ignore", "AS201", "--fail-on", "info"],
        ["check", "--config", "x.toml", "--baseline", "b.json", "--since", "abc", "--write-baseline", "--no-baseline"],
        ["check", "--cache-dir", "d", "--metadata", "a:b", "--metadata", "c:d", "--database-url", "u", "--schema", "s"],
        ["check", "--q", "--", "--x"],
        ["check", "--no-cache", "--cache-dir", "x"],
        ["check", "--bogus"],
        ["check", "-h"],
        ["check", "--format", "xml"],
    ],
)
def test_the_check_fast_path_parses_as_the_full_parser(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """`check ...` is parsed by the check parser alone (issue 15: building every sub-command's parser
    cost 3 % of a small cold check); the namespace, and whatever is printed, are the full parser's."""
    from alembic_standards.cli import _parse, build_parser

    def run(parse: Callable[[], argparse.Namespace]) -> tuple[object, str, str]:
        try:
            result: object = list(vars(parse()).items())
        except SystemExit as exc:
            result = ("exit", exc.code)
        out = capsys.readouterr()
        return result, out.out, out.err

    assert run(lambda: _parse(argv)[1]) == run(lambda: build_parser().parse_args(argv))


# ------------------------------------------------------------------------------ the cycle collector
_REVISION = '''"""add widget.note_{k}

Revision ID: {k:012x}
Revises: {down}
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "{k:012x}"
down_revision = {down_literal}
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("widget", sa.Column("note_{k}", sa.String(length=50), nullable=True))
    op.create_index(op.f("ix_widget_note_{k}"), "widget", ["note_{k}"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_widget_note_{k}"), table_name="widget")
    op.drop_column("widget", "note_{k}")
'''


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """40 linear revisions (with style findings): enough objects kept to set off the collector."""
    versions = tmp_path / "versions"
    versions.mkdir()
    for k in range(1, 41):
        down = f"{k - 1:012x}" if k > 1 else ""
        text = _REVISION.format(k=k, down=down, down_literal=f'"{down}"' if down else "None")
        (versions / f"{k:04d}_note.py").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return versions


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_paused_during_a_command_and_left_as_it_was(
    history: Path, capsys: pytest.CaptureFixture[str], enabled: bool
) -> None:
    import gc

    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    gc.collect()
    gc.callbacks.append(count)
    try:
        code = main(["check", "--no-models", "--no-cache", "versions"])
        # Read before anything allocates: a collector switched back on collects at the next one.
        during, after = len(collections), gc.isenabled()
    finally:
        gc.callbacks.remove(count)
        (gc.enable if was else gc.disable)()
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("AS802") == 240  # the check ran: four untyped identifiers and two functions per file
    # Unpaused, this run collects 9 times; paused, only once the collector is switched back on
    # (at the next allocation, still inside main()).
    assert during <= (1 if enabled else 0)
    assert after is enabled


def test_no_models_with_metadata_loads_the_models_without_linting_them(
    project: Project, capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    """``--metadata`` vouches for the team's constraint names in the audit (AS502) and tells AS1008
    what the running code maps; ``--no-models`` beside it skips the model linter (it used to be
    ignored: the models were linted anyway, sweep 4)."""
    from sqlalchemy import create_engine

    project.write_models(BAD_MODELS)
    code, out, _ = run(capsys, "check", "--metadata", project.spec)
    assert code == 1 and "AS101" in out
    engine = create_engine(sqlite_url)
    engine.connect().close()  # an empty database: the audit finds nothing in it
    engine.dispose()
    code, out, err = run(capsys, "check", "--no-models", "--metadata", project.spec, "--database-url", sqlite_url)
    assert (code, out, err) == (0, "", "All checks passed.\n")
