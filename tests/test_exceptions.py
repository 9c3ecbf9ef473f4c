"""The exceptions register: collection (config, models, irreversible markers), suppression only by
valid entries, AS901/AS902/AS903, malformed declarations, and the Markdown register."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, Table, Uuid, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from alembic_standards.config import Config, ExceptionEntry, load_config
from alembic_standards.exceptions import ExceptionRegister
from alembic_standards.findings import Finding, Location, Severity, StandardsError
from alembic_standards.models import lint_metadata, load_metadata
from alembic_standards.rules import Stage

FIXTURES = Path(__file__).parent / "fixtures" / "models"
EXCEPTED = (FIXTURES / "excepted_models.py").resolve()
TODAY = dt.date(2026, 11, 25)

PYPROJECT = """\
[tool.alembic_standards]
fail_on = "warning"

[[tool.alembic_standards.exceptions]]
rule = "AS201"
table = "ledger"
column = "account_id"
reason = "Duplicate of the model-declared exception."
ticket = "FIN-1"

[[tool.alembic_standards.exceptions]]
rule = "AS101"
table = "accounts"
reason = "Accounts are keyed by UUID already; stale."
expires = 2027-06-30
"""


def _line(fragment: str, path: Path = EXCEPTED) -> int:
    (number,) = [n for n, line in enumerate(path.read_text().splitlines(), start=1) if fragment in line]
    return number


@pytest.fixture(scope="module")
def metadatas() -> list[MetaData]:
    return load_metadata("excepted_models:Base", root=FIXTURES)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    return load_config(path)


def _finding(rule: str, **where: str) -> Finding:
    return Finding(rule, Severity.ERROR, "x", Location(**where))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ collect


def test_collect_config_then_models_then_extra(config: Config, metadatas: list[MetaData]) -> None:
    marker = ExceptionEntry(rule="AS702", reason="Data is archived.", revision="abc123")
    register = ExceptionRegister.collect(config, metadatas, extra=[marker])
    summary = [(e.rule, e.table, e.column, e.source.line) for e in register.entries]
    assert summary == [
        ("AS201", "ledger", "account_id", 4),
        ("AS101", "accounts", None, 11),
        ("AS101", "ledger", None, _line("class Ledger(")),
        ("AS103", "ledger", None, _line("class Ledger(")),
        ("AS401", "ledger", None, _line("class Ledger(")),
        ("AS201", "ledger", "account_id", _line("account_id: Mapped")),
        ("AS402", "ledger", "posted_at", _line("posted_at: Mapped")),
        ("AS702", None, None, None),
    ]
    model_entries = register.entries[2:7]
    assert {e.source.path for e in model_entries} == {EXCEPTED}
    assert register.entries[4].expires == dt.date(2020, 1, 31)
    assert register.entries[4].ticket == "FIN-8"
    assert register.entries[0].source.path == config.path


# ------------------------------------------------------------------------------------ suppress


@pytest.mark.parametrize(
    ("entry", "finding", "suppressed"),
    [
        (ExceptionEntry("AS101", "why", table="t"), _finding("AS101", table="t"), True),
        (ExceptionEntry("AS101", "why", table="t"), _finding("AS101", table="u"), False),
        (ExceptionEntry("AS101", "why", table="t"), _finding("AS102", table="t"), False),
        (ExceptionEntry("AS201", "why", table="t", column="c"), _finding("AS201", table="t", column="d"), False),
        (ExceptionEntry("AS201", "why", table="t"), _finding("AS201", table="t", column="d"), True),
        (ExceptionEntry("AS101", "", table="t"), _finding("AS101", table="t"), False),
        (ExceptionEntry("AS101", "   ", table="t"), _finding("AS101", table="t"), False),
        (ExceptionEntry("AS101", "why", table="t", expires=dt.date(2026, 11, 24)), _finding("AS101", table="t"), False),
        (ExceptionEntry("AS101", "why", table="t", expires=TODAY), _finding("AS101", table="t"), True),
        (ExceptionEntry("AS702", "why", revision="r1"), _finding("AS702", revision="r1"), True),
        (ExceptionEntry("AS702", "why", revision="r1"), _finding("AS702", revision="r2"), False),
        (ExceptionEntry("AS702", "why", revision="r1"), _finding("AS703", revision="r1"), False),
    ],
)
def test_suppresses_only_with_a_valid_matching_entry(entry: ExceptionEntry, finding: Finding, suppressed: bool) -> None:
    register = ExceptionRegister((entry,))
    assert register.suppresses(finding.rule_id, finding.location, today=TODAY) is suppressed
    kept = register.apply([finding], Config(), today=TODAY, report_unused=False)
    assert (finding not in kept) is suppressed


# ------------------------------------------------------------------------------------ apply


@pytest.mark.parametrize(
    ("where", "covered"),
    [
        ("versions/sqlite/a1_create.py", True),
        ("versions/sqlite/old/b2_index.py", True),  # deeper down
        ("versions/sqlite", True),  # the directory itself (a finding about it, AS800)
        ("versions/sqlite2/a1_create.py", False),  # a sibling that shares the prefix
        ("versions/postgresql/a1_create.py", False),
        ("elsewhere/versions/sqlite/a1_create.py", False),
        ("linked/a1_create.py", True),  # a symbolic link to the directory
        (None, False),  # a finding with no file (a database object)
    ],
)
def test_path_scope_covers_files_under_it_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str | None, covered: bool
) -> None:
    (tmp_path / "versions" / "sqlite" / "old").mkdir(parents=True)
    (tmp_path / "linked").symlink_to(tmp_path / "versions" / "sqlite")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.alembic_standards]\n\n[[tool.alembic_standards.exceptions]]\nrule = "AS1009"\n'
        'path = "versions/sqlite"\nreason = "SQLite has no lock_timeout."\n',
        encoding="utf-8",
    )
    (entry,) = load_config(tmp_path / "pyproject.toml").exceptions
    assert entry.path == tmp_path / "versions" / "sqlite"
    monkeypatch.chdir(tmp_path)  # finding paths are as the checker prints them: relative to here
    location = Location(path=Path(where) if where is not None else None, line=3, table="widgets")
    assert entry.matches("AS1009", location) is covered
    assert entry.matches("AS1001", location) is False  # its own rule only
    if where is not None:  # the same file spelt absolute
        assert entry.matches("AS1009", Location(path=tmp_path / where, line=3)) is covered


def test_apply_on_models_with_declared_exceptions(config: Config, metadatas: list[MetaData]) -> None:
    findings = lint_metadata(metadatas, config)
    assert sorted((f.rule_id, f.location.column) for f in findings) == [
        ("AS101", "id"),
        ("AS201", "account_id"),
        ("AS401", None),
    ]
    register = ExceptionRegister.collect(config, metadatas)
    result = register.apply(findings, config, stages=[Stage.MODELS], today=TODAY)
    by_rule = {f.rule_id: f for f in result if f.rule_id.startswith("AS90")}
    assert by_rule["AS902"].location.path == EXCEPTED
    assert by_rule["AS902"].location.table == "ledger"
    assert by_rule["AS903"].severity is Severity.WARNING


def test_apply_exact_result(config: Config, metadatas: list[MetaData]) -> None:
    findings = lint_metadata(metadatas, config)
    register = ExceptionRegister.collect(config, metadatas)
    result = register.apply(findings, config, stages=[Stage.MODELS], today=TODAY)
    ledger = _line("class Ledger(")
    assert sorted((f.rule_id, str(f.location.path), f.location.line, f.message) for f in result) == sorted(
        [
            (
                "AS401",
                str(EXCEPTED),
                ledger,
                "table ledger lacks created_at and updated_at (use the TimestampMixin, or document an exception)",
            ),
            ("AS901", str(EXCEPTED), ledger, "exception for AS103 on ledger has no reason; it suppresses nothing"),
            (
                "AS902",
                str(EXCEPTED),
                ledger,
                "exception for AS401 on ledger expired on 2020-01-31 (ticket FIN-8); it no longer suppresses anything",
            ),
            (
                "AS903",
                str(EXCEPTED),
                _line("posted_at: Mapped"),
                "exception for AS402 on ledger.posted_at matches no violation; remove it",
            ),
            ("AS903", str(config.path), 11, "exception for AS101 on accounts matches no violation; remove it"),
        ]
    )


def test_config_and_model_entries_for_the_same_finding_are_both_used(config: Config, metadatas: list[MetaData]) -> None:
    findings = lint_metadata(metadatas, config)
    result = ExceptionRegister.collect(config, metadatas).apply(findings, config, stages=[Stage.MODELS], today=TODAY)
    # Both AS201 entries (pyproject line 4 and the column) matched the one AS201 finding: neither is unused.
    assert not [f for f in result if f.rule_id in ("AS201",) or (f.rule_id == "AS903" and "AS201" in f.message)]


def test_expiry_is_judged_against_today(config: Config, metadatas: list[MetaData]) -> None:
    findings = lint_metadata(metadatas, config)
    result = ExceptionRegister.collect(config, metadatas).apply(
        findings, config, stages=[Stage.MODELS], today=dt.date(2020, 1, 31)
    )
    assert "AS902" not in {f.rule_id for f in result}
    assert "AS401" not in {f.rule_id for f in result}


@pytest.mark.parametrize(
    ("kwargs", "config", "unused"),
    [
        ({}, Config(), True),
        ({"stages": [Stage.MODELS]}, Config(), True),
        ({"stages": [Stage.MIGRATIONS]}, Config(), False),  # AS402 is not checked there
        ({"stages": [Stage.DATABASE]}, Config(), True),
        ({"checked_rules": {"AS201"}}, Config(), False),
        ({"checked_rules": {"AS402"}}, Config(), True),
        ({"report_unused": False}, Config(), False),
        ({}, Config(enabled=frozenset({"AS402"})), False),  # AS903 itself disabled
        ({}, Config(enabled=frozenset({"AS903"})), False),  # the rule never ran
    ],
)
def test_unused_only_when_the_rule_ran(kwargs: dict[str, object], config: Config, unused: bool) -> None:
    register = ExceptionRegister((ExceptionEntry("AS402", "why", table="t", column="c"),))
    result = register.apply([], config, today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert [f.rule_id for f in result] == (["AS903"] if unused else [])


def test_irreversible_marker_suppresses_its_revision_and_is_unused_when_not_needed() -> None:
    marker = ExceptionEntry(
        "AS702", "Drops the legacy audit table.", revision="abc123", source=Location(Path("v/abc123_x.py"), 9)
    )
    register = ExceptionRegister((marker,))
    marked = Finding("AS702", Severity.ERROR, "marked", Location(Path("v/abc123_x.py"), 9, revision="abc123"))
    assert register.apply([marked], Config(), stages=[Stage.MIGRATIONS]) == []
    (unused,) = register.apply([], Config(), stages=[Stage.MIGRATIONS])
    assert unused.message == "exception for AS702 on revision abc123 matches no violation; remove it"
    assert unused.location.revision == "abc123"
    assert register.apply([], Config(), stages=[Stage.MODELS]) == []


def test_register_findings_respect_configured_severity() -> None:
    register = ExceptionRegister((ExceptionEntry("AS101", "", table="t"),))
    (finding,) = register.apply([], Config(severities={"AS901": Severity.WARNING}))
    assert finding.severity is Severity.WARNING


# ------------------------------------------------------------------------------------ malformed


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ("AS101", "things: info['alembic_standards']: 'exceptions' must be a mapping of rule ID to reason, got str"),
        ({"AS999": "x"}, "things: info['alembic_standards']: unknown rule 'AS999' (did you mean AS905?)"),
        ({"AS1": "x"}, "things: info['alembic_standards']: 'AS1' matches several rules; name exactly one"),
        (
            {"AS101": {"reason": "x", "why": "y"}},
            "things: info['alembic_standards']: AS101: unknown key 'why' (known keys: reason, column, constraint, "
            "expires, ticket)",
        ),
        (
            {"AS101": {"reason": "x", "expires": "soon"}},
            "things: info['alembic_standards']: AS101: expires must be a date (YYYY-MM-DD), got 'soon'",
        ),
        ({"AS101": 42}, "things: info['alembic_standards']: AS101: expected a reason string or a mapping, got int"),
    ],
)
def test_malformed_model_declarations_are_input_errors(declared: object, message: str) -> None:
    class Base(DeclarativeBase):
        pass

    class Thing(Base):
        __tablename__ = "things"
        __table_args__ = {"info": {"alembic_standards": {"exceptions": declared}}}  # noqa: RUF012
        id: Mapped[int] = mapped_column(Integer, primary_key=True)

    with pytest.raises(StandardsError) as info:
        ExceptionRegister.collect(Config(), [Base.metadata])
    assert info.value.message == message
    assert info.value.path == Path(__file__).resolve()
    assert info.value.line is not None


def test_column_declaration_cannot_name_another_column() -> None:
    md = MetaData()
    Table(
        "things",
        md,
        Column("id", Uuid, primary_key=True),
        Column("x", Integer, info={"alembic_standards": {"exceptions": {"AS201": {"reason": "r", "column": "y"}}}}),
    )
    with pytest.raises(StandardsError, match="declared on column 'x' but names column 'y'"):
        ExceptionRegister.collect(Config(), [md])


def test_imperative_table_declarations_have_no_source() -> None:
    md = MetaData()
    Table(
        "things",
        md,
        Column("id", Integer, primary_key=True),
        info={
            "alembic_standards": {
                "exceptions": {"AS101": ["Sequential.", {"reason": "Also a list form.", "ticket": "T-1"}]}
            }
        },
    )
    register = ExceptionRegister.collect(Config(), [md])
    assert [(e.rule, e.reason, e.ticket, e.source) for e in register.entries] == [
        ("AS101", "Sequential.", None, Location()),
        ("AS101", "Also a list form.", "T-1", Location()),
    ]


# ------------------------------------------------------------------------------------ markdown


def test_markdown_exact(config: Config, metadatas: list[MetaData]) -> None:
    marker = ExceptionEntry(
        "AS702",
        "Drops the legacy | audit table;\ndata archived.",
        revision="abc123",
        source=Location(FIXTURES / "abc123_drop_audit.py", 12),
    )
    register = ExceptionRegister.collect(config, metadatas, extra=[marker])
    ledger = _line("class Ledger(")
    expected = textwrap.dedent(
        f"""\
        # Exceptions register

        Every documented departure from the schema standard, with its justification.

        ## Schema objects (7)

        | Rule | Object | Reason | Ticket | Expires | Declared at |
        | --- | --- | --- | --- | --- | --- |
        | AS101 `pk-not-uuid` | `accounts` | Accounts are keyed by UUID already; stale. |  | 2027-06-30 | `pyproject.toml:11` |
        | AS101 `pk-not-uuid` | `ledger` | Ledger lines need gap-free sequential numbers for auditors. |  |  | `models/excepted_models.py:{ledger}` |
        | AS103 `pk-redundant-index` | `ledger` | **missing** (AS901) | FIN-7 |  | `models/excepted_models.py:{ledger}` |
        | AS201 `fk-unindexed` | `ledger.account_id` | Scanned nightly in bulk; never joined. |  |  | `models/excepted_models.py:{_line("account_id: Mapped")}` |
        | AS201 `fk-unindexed` | `ledger.account_id` | Duplicate of the model-declared exception. | FIN-1 |  | `pyproject.toml:4` |
        | AS401 `timestamps-missing` | `ledger` | Rows are append-only. | FIN-8 | 2020-01-31 **expired** (AS902) | `models/excepted_models.py:{ledger}` |
        | AS402 `timestamp-naive` | `ledger.posted_at` | Stale: this column is tz-aware now. |  |  | `models/excepted_models.py:{_line("posted_at: Mapped")}` |

        ## Migrations (1)

        | Revision | Rule | Reason | Ticket | Expires | Declared at |
        | --- | --- | --- | --- | --- | --- |
        | `abc123` | AS702 `downgrade-empty` | Drops the legacy \\| audit table; data archived. |  |  | `models/abc123_drop_audit.py:12` |
        """  # noqa: E501
    )
    # Paths are shown relative to `relative_to` when inside it: pyproject in tmp, fixtures in tests/fixtures.
    text = register.markdown(relative_to=FIXTURES.parent, today=TODAY)
    text = text.replace(f"`{config.path}:", "`pyproject.toml:")
    assert text == expected


def test_markdown_empty_register() -> None:
    assert (
        ExceptionRegister().markdown()
        == "# Exceptions register\n\nNo exceptions to the schema standard are declared.\n"
    )


def test_markdown_sample_project(repo_root: Path) -> None:
    project = repo_root / "sample_project"
    config = load_config(project / "pyproject.toml")
    register = ExceptionRegister.collect(config, load_metadata("sample_app.models:Base.metadata", root=project))
    text = register.markdown(relative_to=project)
    rows = [line for line in text.splitlines() if line.startswith("| AS")]
    # Documented the spec's way (docstring "Exception:" paragraphs); the junction table needs none.
    assert [row.split(" | ")[:2] for row in rows] == [
        ["| AS101 `pk-not-uuid`", "`log_entries`"],
        ["| AS101 `pk-not-uuid`", "`secret_tags`"],
    ]
    assert all("`sample_app/models.py:" in row for row in rows)
    assert "## Migrations (0)\n\nNone." in text


# ------------------------------------------------------------------ the spec's way: docstrings


def test_docstring_exception_covers_the_models_pk_and_timestamp_departures() -> None:
    class Base(DeclarativeBase):
        pass

    class Counter(Base):
        """Per-tenant counters.

        Exception: Integer key and no timestamps; rows are
        rewritten thousands of times a second.

        More prose that is not the reason.
        """

        __tablename__ = "counters"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)

    class Silent(Base):
        """Exception:"""

        __tablename__ = "silents"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)

    class Child(Counter):
        """Exception: a subclass's docstring does not document its base's table."""

    config = Config()
    register = ExceptionRegister.collect(config, [Base.metadata])
    # One entry per rule the model breaks (AS101, AS401), the paragraph as the reason; the empty
    # paragraph is an entry without a reason.
    assert [(e.rule, e.table, e.reason) for e in register.entries] == [
        ("AS101", "counters", "Integer key and no timestamps; rows are rewritten thousands of times a second."),
        ("AS401", "counters", "Integer key and no timestamps; rows are rewritten thousands of times a second."),
        ("AS101", "silents", ""),
        ("AS401", "silents", ""),
    ]
    found = register.apply(lint_metadata([Base.metadata], config), config, stages=[Stage.MODELS])
    assert sorted((f.rule_id, f.location.table) for f in found) == [
        ("AS101", "silents"),
        ("AS401", "silents"),
        ("AS901", "silents"),
        ("AS901", "silents"),
    ]
    assert Child.__tablename__ == "counters"


def test_docstring_exception_is_not_for_other_rules() -> None:
    class Base(DeclarativeBase):
        pass

    class Parent(Base):
        """Exception: justifies nothing here -- the model follows the primary-key and timestamp rules."""

        __tablename__ = "parents"
        id = Column(Uuid, primary_key=True)
        created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
        updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False)
        other_id = Column(Uuid, ForeignKey("parents.id"), nullable=True)  # AS201 is not excepted

    config = Config()
    register = ExceptionRegister.collect(config, [Base.metadata])
    assert register.entries == ()
    found = register.apply(lint_metadata([Base.metadata], config), config, stages=[Stage.MODELS])
    assert [f.rule_id for f in found] == ["AS201"]


def test_collecting_the_register_loads_the_source_locator_not_the_model_rules(tmp_path: Path) -> None:
    # The autogenerate plugin collects the register on every run: it needs where models are
    # written (source_index), and the model rules only for a model documenting an exception.
    code = """
import json, sys, uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from alembic_standards.config import Config
from alembic_standards.exceptions import ExceptionRegister

class Base(DeclarativeBase):
    pass

class Thing(Base):
    __tablename__ = "things"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    __table_args__ = {"info": {"alembic_standards": {"exceptions": {"AS401": "append-only"}}}}

register = ExceptionRegister.collect(Config(), [Base.metadata])
print(json.dumps([len(register.entries), sorted(m for m in sys.modules if m.startswith("alembic_standards"))]))
"""
    script = tmp_path / "collect.py"
    script.write_text(code, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True, cwd=tmp_path)
    entries, loaded = json.loads(out.stdout)
    assert entries == 1
    assert "alembic_standards.source_index" in loaded
    rules = {"alembic_standards.models", "alembic_standards.model_rules", "alembic_standards.relationships"}
    assert not rules & set(loaded), loaded
