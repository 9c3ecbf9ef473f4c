"""The checks: plain pytest-alembic tests that enforce the schema standard.

Each check is a ``test_*`` function taking pytest-alembic's fixtures, marked ``alembic`` and
failing with :class:`~pytest_alembic.plugin.error.AlembicTestFailure`, so it reads exactly like
pytest-alembic's own tests.  pytest-alembic has no extension point for ``--test-alembic``, so the
documented way in is an import into a test module::

    from alembic_standards.testing import *  # noqa: F403

The rule logic lives elsewhere (migration checker, model linter, live audit); the checks only
drive the database through the history and report.  Which checks run, and which revisions or
tables they skip (with a reason), is configuration: ``[tool.alembic_standards.testing]``.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

try:
    from pytest_alembic.plugin.error import AlembicTestFailure
    from pytest_alembic.tests.default import test_model_definitions_match_ddl as _pytest_alembic_match_ddl
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "alembic_standards.testing needs pytest-alembic: pip install 'alembic-standards[pytest]'"
    ) from exc

from ..findings import Location, RuleId
from ..messages import unique_unenforced
from ..naming import target_convention_kinds
from ._project import Project, findings_by_table
from .rows import CannotSynthesize, RowFactory
from .snapshot import diff_snapshots, take_snapshot

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pytest_alembic.runner import MigrationContext
    from sqlalchemy import Engine, Table
    from sqlalchemy.orm import Mapper, RelationshipProperty

    from ..findings import Finding
    from ..migrations import MigrationReport
    from ..source_index import SourceIndex

__all__ = [
    "test_database_follows_standards",
    "test_downgrades_leave_no_trace",
    "test_every_revision_has_a_real_downgrade",
    "test_migrations_are_safe",
    "test_model_definitions_match_ddl",
    "test_model_foreign_key_indexes",
    "test_model_primary_keys",
    "test_model_relationships",
    "test_model_unique_constraints",
    "test_models_follow_standards",
    "test_no_revision_introduces_violations",
]


class AlembicStandardsWarning(UserWarning):
    """Something a check could not verify (e.g. no row could be synthesized for a table)."""


# ------------------------------------------------------------------------------------ migrations


def _migration_report(project: Project) -> MigrationReport:
    """The static migration checker's report over every revision file Alembic knows (all branches).

    The files come from Alembic's own script directory (``walk_revisions``), so branches, several
    version locations and ``recursive_version_locations`` are all covered; they are parsed, never
    imported beyond what Alembic itself already did to build its revision map.
    """
    from ..migrations import check_migrations

    script = project.runner.command_executor.script
    paths = sorted({Path(rev.path) for rev in script.walk_revisions() if rev.path})
    # What env.py's target_metadata names when the revisions run (AS501), as Alembic applies it;
    # without one, Alembic's MetaData() carries SQLAlchemy's default, which names indexes.
    from sqlalchemy import MetaData

    targets = project.env.target_metadata or (MetaData(),)
    kinds = target_convention_kinds(target.naming_convention for target in targets)
    return check_migrations(paths, dataclasses.replace(project.config, migration_convention=kinds))


def _exempt_revisions(project: Project) -> frozenset[str]:
    """Revisions whose downgrade is not required: configured skips, the minimum downgrade
    revision and everything before it (pytest-alembic never runs those downgrades)."""
    exempt = set(project.skip_revisions())
    if project.config.since_revision:
        # `since_revision`: old history is exempt from the per-file rules, as in `check`.
        from ..selection import revisions_up_to

        exempt.update(revisions_up_to(_migration_report(project).revisions, project.config.since_revision))
    minimum = project.minimum_downgrade_revision
    if minimum:
        script = project.runner.command_executor.script
        exempt.update(rev.revision for rev in script.iterate_revisions(minimum, "base"))
    return frozenset(exempt)


@pytest.mark.alembic
def test_every_revision_has_a_real_downgrade(alembic_runner: MigrationContext) -> None:
    """Every revision's downgrade undoes its upgrade (static check of every revision file, branches included).

    A downgrade that is ``pass``, missing, or forgets an object its upgrade created fails here,
    before any database is touched; revisions marked ``irreversible = "reason"`` are accepted.
    """
    from ..exceptions import ExceptionRegister

    project = Project.from_runner(alembic_runner, "test_every_revision_has_a_real_downgrade")
    report = _migration_report(project)
    exempt = _exempt_revisions(project)
    # The irreversible markers join the register: a marked revision's downgrade rules are waived.
    register = ExceptionRegister.collect(project.config, (), report.irreversible)
    downgrade_findings = [f for f in report.findings if f.rule_id.startswith("AS7")]
    if project.baseline.entries:
        tagged = [("migrations", f) for f in downgrade_findings]
        downgrade_findings = project.baseline.apply(tagged, project.config.root, stages_ran=()).new
    kept = [
        f
        for f in register.apply(downgrade_findings, project.config, report_unused=False)
        if f.rule_id.startswith("AS7")  # the register's own health is test_models_follow_standards' job
        and f.location.revision not in exempt
        and project.config.fail_on <= f.severity
    ]
    problems = sorted([*report.input_errors, *kept], key=lambda f: f.sort_key())
    if problems:
        files = {f.location.path for f in problems}
        raise AlembicTestFailure(
            f"{len(files)} revision file(s) have no real downgrade: the downgrade must undo the upgrade "
            '(or the revision must declare irreversible = "reason")',
            context=[("Findings", "\n".join(f.render(relative_to=project.config.root) for f in problems))],
        )


@pytest.mark.alembic
def test_downgrades_leave_no_trace(alembic_runner: MigrationContext, alembic_engine: Engine) -> None:
    """Upgrading a revision then downgrading it restores the schema exactly.

    For each revision, oldest first: snapshot the schema, upgrade, downgrade, snapshot again.
    The two snapshots must be equal: tables, columns and their types, keys, indexes, check
    constraints, views, sequences and enum types -- and every name.
    """
    project = Project.from_runner(alembic_runner, "test_downgrades_leave_no_trace")
    project.require_empty_database()
    revisions = alembic_runner.history.revisions[:-1]  # drop the "heads" sentinel
    exempt = _exempt_revisions(project)
    irreversible = _irreversible_revisions(project)
    excluded = project.skip_tables
    previous = revisions[0]
    for revision in revisions[1:]:
        before = take_snapshot(alembic_engine, exclude_tables=excluded)
        _step(alembic_runner, "upgrade", revision, previous)
        if revision not in exempt and revision not in irreversible:
            _step(alembic_runner, "downgrade", previous, revision)
            after = take_snapshot(alembic_engine, exclude_tables=excluded)
            diff = diff_snapshots(before, after)
            if diff:
                raise AlembicTestFailure(
                    f"The downgrade of revision {revision} does not restore the schema it started from.",
                    context=[
                        ("Revision", f"{revision} ({project.revision_path(revision)})"),
                        (
                            "Schema after upgrade + downgrade, compared with before the upgrade "
                            "(+ left behind, - lost, ~ changed)",
                            diff.render(),
                        ),
                    ],
                )
            _step(alembic_runner, "upgrade", revision, previous)
        previous = revision


def _irreversible_revisions(project: Project) -> frozenset[str]:
    """Revisions that declare ``irreversible = "reason"``: their downgrade is not run."""
    report = _migration_report(project)
    return frozenset(e.revision for e in report.irreversible if e.revision)


def _step(runner: MigrationContext, direction: str, target: str, current: str) -> None:
    __tracebackhide__ = True
    try:
        if direction == "upgrade":
            runner.migrate_up_to(target, current=current, return_current=False)
        else:
            runner.migrate_down_to(target, current=current, return_current=False)
    except Exception as exc:
        raise AlembicTestFailure(
            f"Failed to {direction} to {target}.", context=[("Alembic error", f"{type(exc).__name__}: {exc}")]
        ) from None


@pytest.mark.alembic
def test_migrations_are_safe(alembic_runner: MigrationContext, alembic_engine: Engine) -> None:
    """The revisions follow the safe-migration rules (AS10xx), graded by the size of the tables
    in the database at head: under ``large_table`` a finding is informational, over it an error,
    and the failure states each table's size.

    The database is upgraded to head first, so that every table the findings name is there
    whatever ran before this check; on the usual empty test database every table is small.  To
    grade by real sizes, point ``alembic_engine`` at a copy of production (the rows decide, not
    the schema).  On a database without size statistics (SQLite) the catalogue's severity stays.
    Revisions in ``skip_revisions`` and up to ``since_revision`` are exempt, as in ``check``.
    """
    from ..table_sizes import is_safety_rule, read_table_sizes, scale_by_table_size, tables_named

    project = Project.from_runner(alembic_runner, "test_migrations_are_safe")
    config = project.config
    report = _migration_report(project)
    exempt = set(project.skip_revisions())
    if config.since_revision:
        from ..selection import revisions_up_to

        exempt.update(revisions_up_to(report.revisions, config.since_revision))
    findings = [
        f
        for f in report.findings
        if is_safety_rule(f.rule_id) and config.is_enabled(f.rule_id) and f.location.revision not in exempt
    ]
    project.upgrade_to_heads()
    sizes = read_table_sizes(alembic_engine, tables_named(findings))
    if sizes is not None:
        # Graded before the register and the baseline (fail_on needs the grade), annotated after
        # them: the baseline fingerprints messages, and a size in one would change as tables grow.
        pinned = config.severities.keys()
        findings = scale_by_table_size(findings, sizes, config.large_table, pinned=pinned, annotate=False)
    failures = project.keep([*report.input_errors, *findings], stage="migrations")
    if sizes is not None:
        failures = scale_by_table_size(failures, sizes, config.large_table, pinned=config.severities.keys())
    if failures:
        raise AlembicTestFailure(
            f"{len(failures)} migration step(s) would lock or break a live table.",
            context=[("Findings", "\n".join(f.render(relative_to=config.root) for f in failures))],
        )


# ------------------------------------------------------------------------------------ live database


def _audit(project: Project, engine: Engine) -> list[Finding]:
    from ..audit import audit_database

    schemas: tuple[str | None, ...] = (None,)
    env = project.env
    findings = audit_database(
        engine,
        project.config,
        schemas=schemas,
        version_table=env.version_table,
        version_table_schema=env.version_table_schema,
        models=project.models_if_any(),  # they vouch for constraint names the team chose (AS502)
    )
    return project.keep(findings, stage="database")


@pytest.mark.alembic
def test_database_follows_standards(alembic_runner: MigrationContext, alembic_engine: Engine) -> None:
    """After upgrading to head, the live database satisfies the standards (reported per table):
    every foreign key has a covering index, no constraint has a database-invented name,
    timestamps carry a time zone, primary keys have the declared types."""
    project = Project.from_runner(alembic_runner, "test_database_follows_standards")
    project.upgrade_to_heads()
    findings = _audit(project, alembic_engine)
    if findings:
        tables = {f.location.table for f in findings}
        raise AlembicTestFailure(
            f"The database at head violates the schema standard: {len(findings)} finding(s) in {len(tables)} table(s).",
            context=findings_by_table(findings, project.config.root),
        )


def _finding_key(finding: Finding) -> tuple[str, str | None, str | None, str | None, str | None]:
    loc = finding.location
    return (finding.rule_id, loc.schema, loc.table, loc.column, loc.constraint)


@pytest.mark.alembic
def test_no_revision_introduces_violations(alembic_runner: MigrationContext, alembic_engine: Engine) -> None:
    """Upgrade one revision at a time and audit after each: report the first revision that makes
    a rule fail which did not fail before it (pre-existing findings are not its fault)."""
    project = Project.from_runner(alembic_runner, "test_no_revision_introduces_violations")
    project.require_empty_database()
    skipped = project.skip_revisions()
    revisions = alembic_runner.history.revisions[:-1]
    previous = revisions[0]
    known = {_finding_key(f) for f in _audit(project, alembic_engine)}
    for revision in revisions[1:]:
        _step(alembic_runner, "upgrade", revision, previous)
        previous = revision
        findings = _audit(project, alembic_engine)
        new = [f for f in findings if _finding_key(f) not in known]
        known = {_finding_key(f) for f in findings}
        if new and revision not in skipped:
            raise AlembicTestFailure(
                f"Revision {revision} introduces {len(new)} violation(s) of the schema standard.",
                context=[
                    ("Revision", f"{revision} ({project.revision_path(revision)})"),
                    *findings_by_table(new, project.config.root),
                ],
            )


# ------------------------------------------------------------------------------------ models


def _lint_models(
    project: Project, rules: Sequence[RuleId] | None = None, *, register_findings: bool = False
) -> list[Finding]:
    from ..models import lint_metadata

    merged_from: dict[int, list[Finding]] = {}
    findings = lint_metadata(project.metadatas, project.config, merged_from=merged_from)
    if rules is not None:
        findings = [f for f in findings if f.rule_id in rules]
    return project.keep(findings, register_findings=register_findings, merged_from=merged_from)


@pytest.mark.alembic
def test_models_follow_standards(alembic_runner: MigrationContext) -> None:
    """The models follow the standard (the model linter, with the exceptions register applied)."""
    project = Project.from_runner(alembic_runner, "test_models_follow_standards")
    findings = _lint_models(project, register_findings=True)
    if findings:
        raise AlembicTestFailure(
            f"The models violate the schema standard: {len(findings)} finding(s).",
            context=findings_by_table(findings, project.config.root),
        )


@pytest.mark.alembic
def test_model_definitions_match_ddl(alembic_runner: MigrationContext) -> None:
    """The models match the migrations: autogenerate at head finds nothing to do.

    This is pytest-alembic's own test (so a module importing both ours and pytest-alembic's
    collects it once, under one name), made subject to ``[tool.alembic_standards.testing] checks``.
    The project's ``env.py`` runs, so alembic-standards' comparators take part: a missing FK index
    or an unnamed constraint in the models shows up as a would-be migration.
    """
    Project.from_runner(alembic_runner, "test_model_definitions_match_ddl")
    _pytest_alembic_match_ddl(alembic_runner)


@pytest.mark.alembic
def test_model_primary_keys(alembic_runner: MigrationContext, alembic_engine: Engine) -> None:
    """Spec "Required Tests": every model's primary key has the standard type (or a documented
    exception), and the database at head has that primary key -- same columns, same types, backed
    by its index."""
    from sqlalchemy import inspect

    project = Project.from_runner(alembic_runner, "test_model_primary_keys")
    problems = [
        f.render(project.config.root) for f in _lint_models(project, (RuleId.AS101, RuleId.AS102, RuleId.AS103))
    ]
    project.upgrade_to_heads()
    inspector = inspect(alembic_engine)
    dialect = alembic_engine.dialect
    tables = [t for t in project.model_tables() if t.primary_key.columns]  # no PK at all: AS102 above
    existing = set(inspector.get_table_names())
    names = [t.name for t in tables if t.name in existing]
    # Bulk reflection: a fixed number of catalog queries whatever the number of tables.
    pks: dict[str, Any] = {}
    cols: dict[str, Any] = {}
    if names:
        pks = {key[1]: pk for key, pk in inspector.get_multi_pk_constraint(filter_names=names).items()}
        cols = {key[1]: c for key, c in inspector.get_multi_columns(filter_names=names).items()}
    for table in tables:
        declared = [c.name for c in table.primary_key.columns]
        if table.name not in existing:
            problems.append(f"{table.name}: the table does not exist in the database at head")
            continue
        actual = list(pks.get(table.name, {}).get("constrained_columns") or [])
        if actual != declared:
            problems.append(
                f"{table.name}: the database's primary key is ({', '.join(actual) or 'none'}), "
                f"the model declares ({', '.join(declared)})"
            )
            continue
        reflected = {c["name"]: c for c in cols.get(table.name, [])}
        for name in declared:
            want = _type_text(table.c[name].type, dialect)
            got = _type_text(reflected[name]["type"], dialect)
            if want != got:
                problems.append(f"{table.name}.{name}: the primary key is {got} in the database, {want} in the model")
    if problems:
        raise AlembicTestFailure(
            f"{len(problems)} primary key problem(s).", context=[("Primary keys", "\n".join(problems))]
        )


def _type_text(type_: Any, dialect: Any) -> str:
    try:
        return str(type_.compile(dialect=dialect)).upper()
    except Exception:
        return repr(type_)


@pytest.mark.alembic
def test_model_foreign_key_indexes(alembic_runner: MigrationContext, alembic_engine: Engine) -> None:
    """Spec "Required Tests": every foreign key has a covering index, in the models and in the
    database at head."""
    project = Project.from_runner(alembic_runner, "test_model_foreign_key_indexes")
    in_models = _lint_models(project, (RuleId.AS201,))
    project.upgrade_to_heads()
    in_database = [f for f in _audit(project, alembic_engine) if f.rule_id == RuleId.AS201]
    context = []
    if in_models:
        context.append(("In the models", "\n".join(f.render(project.config.root) for f in in_models)))
    if in_database:
        context.append(("In the database at head", "\n".join(f.render() for f in in_database)))
    if context:
        raise AlembicTestFailure(
            f"{len(in_models) + len(in_database)} foreign key(s) without a covering index.", context=context
        )


# ------------------------------------------------------------------------------------ behaviour


def _unique_keys(table: Table) -> list[tuple[str, tuple[str, ...]]]:
    """(name, columns) of each unique constraint and unique index on ``table`` (not the PK)."""
    from sqlalchemy import UniqueConstraint

    keys: list[tuple[str, tuple[str, ...]]] = []
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            cols = tuple(c.name for c in constraint.columns)
            keys.append((str(constraint.name or f"unique {cols}"), cols))
    for index in table.indexes:
        cols = tuple(c.name for c in index.columns)
        # An expression index (lower(email)) cannot be probed with plain column values.
        if index.unique and cols and len(cols) == len(index.expressions):
            keys.append((str(index.name or f"unique index {cols}"), cols))
    return sorted(set(keys))


@pytest.mark.alembic
def test_model_unique_constraints(alembic_runner: MigrationContext, alembic_engine: Engine) -> None:
    """Spec "Required Tests": every unique constraint and unique index of the models is enforced
    by the database at head -- a duplicate row raises ``IntegrityError``.

    Rows are synthesized from the models (see :mod:`alembic_standards.testing.rows`) inside a
    transaction that is rolled back; a table for which no valid row can be built is reported as
    an :class:`AlembicStandardsWarning`, not a failure.
    """
    from sqlalchemy.exc import DBAPIError, IntegrityError

    project = Project.from_runner(alembic_runner, "test_model_unique_constraints")
    project.upgrade_to_heads()
    config = project.config
    accepted: list[Finding] = []
    unverified: list[str] = []
    with alembic_engine.connect() as connection:
        outer = connection.begin()
        try:
            factory = RowFactory(connection)
            for table in project.model_tables():
                for name, columns in _unique_keys(table):
                    what = f"{table.name}: {name} ({', '.join(columns)})"
                    savepoint = connection.begin_nested()
                    try:
                        first = factory.insert(
                            table, factory.build(table, _fixed_for(factory, table, columns), require=columns)
                        )
                        duplicate = factory.build(table, {c: first[c] for c in columns})
                    except (CannotSynthesize, DBAPIError) as exc:
                        savepoint.rollback()
                        unverified.append(f"{what}: cannot build a valid row: {_reason(exc)}")
                        continue
                    try:
                        inner = connection.begin_nested()
                        factory.insert(table, duplicate)
                    except IntegrityError as exc:
                        inner.rollback()
                        other = _other_key(exc, table, name, columns)
                        if _is_unique_violation(exc) is False:
                            unverified.append(f"{what}: the duplicate row failed another constraint: {_reason(exc)}")
                        elif other is not None:
                            unverified.append(f"{what}: the duplicate was rejected by {other} instead")
                    except DBAPIError as exc:
                        inner.rollback()
                        unverified.append(f"{what}: the duplicate row failed for another reason: {_reason(exc)}")
                    else:
                        inner.rollback()
                        values = ", ".join(f"{c}={first[c]!r}" for c in columns)
                        accepted.append(
                            config.finding(
                                RuleId.AS505,
                                unique_unenforced(columns, values),
                                Location(schema=table.schema, table=table.name, constraint=name),
                            )
                        )
                    savepoint.rollback()
        finally:
            outer.rollback()
    if unverified:
        warnings.warn(
            AlembicStandardsWarning(
                "unique constraints not verified (no valid row could be synthesized):\n  " + "\n  ".join(unverified)
            ),
            stacklevel=1,
        )
    # AS505 is a rule like any other: ``ignore``, exceptions, skip_tables, fail_on and the baseline apply.
    failures = project.keep([f for f in accepted if config.is_enabled(f.rule_id)], stage="database")
    if failures:
        raise AlembicTestFailure(
            f"{len(failures)} unique constraint(s) of the models are not enforced by the database at head.",
            context=[
                ("Duplicates accepted", "\n".join(f.render() for f in failures)),
                ("Likely cause", "the migrations never created the constraint (or created it on other columns)"),
            ],
        )


def _fixed_for(factory: RowFactory, table: Table, columns: Sequence[str]) -> dict[str, Any]:
    """Explicit values for the constrained columns (a default would make the duplicate differ)."""
    fixed: dict[str, Any] = {}
    for name in columns:
        column = table.c[name]
        if not column.foreign_keys:
            fixed[name] = factory.value_for(column)
    return fixed


def _other_key(exc: BaseException, table: Table, name: str, columns: Sequence[str]) -> str | None:
    """The *other* model key (on different columns) that rejected the duplicate, when the driver
    names the violated constraint (PostgreSQL does) -- then the key under test proved nothing."""
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    violated = getattr(diag, "constraint_name", None)
    if not violated or violated == name:
        return None
    keys = dict(_unique_keys(table))
    if table.primary_key.name:
        keys[str(table.primary_key.name)] = tuple(c.name for c in table.primary_key.columns)
    other = keys.get(violated)
    if other is None or tuple(other) == tuple(columns):
        return None  # a database-named twin of the key under test (AS502's business), or unknown
    return f"{violated} ({', '.join(other)})"


def _is_unique_violation(exc: BaseException) -> bool | None:
    """True/False when the driver says whether a unique key was violated; None when it cannot tell.

    A NOT NULL, CHECK or foreign-key failure is an ``IntegrityError`` too, and must not pass for
    an enforced unique constraint.
    """
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)  # psycopg 3 / psycopg2
    if sqlstate:
        return bool(sqlstate == "23505")
    text = str(orig or exc)
    if "constraint failed" in text:  # sqlite3: "UNIQUE constraint failed: t.c"
        return text.startswith("UNIQUE constraint failed")
    return None


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


@pytest.mark.alembic
def test_model_relationships(alembic_runner: MigrationContext, alembic_engine: Engine) -> None:
    """Spec "Required Tests": every pair of relationships joined by ``back_populates`` works in both
    directions -- linking through one side shows on the other in memory, and after a flush both
    sides load the link back from the database.  Runs in a transaction that is rolled back."""
    from sqlalchemy.orm import Session

    from ..source_index import SourceIndex

    project = Project.from_runner(alembic_runner, "test_model_relationships")
    project.upgrade_to_heads()
    index = SourceIndex(project.metadatas)
    pairs = _relationship_pairs(index, project.model_tables())
    broken: list[str] = []
    unverified: list[str] = []
    with alembic_engine.connect() as connection:
        outer = connection.begin()
        try:
            for rel, back in pairs:
                label = f"{rel.parent.class_.__name__}.{rel.key} <-> {back.parent.class_.__name__}.{back.key}"
                savepoint = connection.begin_nested()
                session = Session(bind=connection, join_transaction_mode="create_savepoint", autoflush=False)
                try:
                    problem = _exercise_pair(session, RowFactory(connection), rel, back)
                except CannotSynthesize as exc:
                    unverified.append(f"{label}: {exc}")
                    problem = None
                except Exception as exc:
                    problem = f"{type(exc).__name__}: {_reason(exc)}"
                finally:
                    session.close()
                    if savepoint.is_active:
                        savepoint.rollback()
                if problem:
                    broken.append(f"{label}: {problem}")
        finally:
            outer.rollback()
    if unverified:
        warnings.warn(
            AlembicStandardsWarning("relationships not verified:\n  " + "\n  ".join(unverified)), stacklevel=1
        )
    if broken:
        raise AlembicTestFailure(
            f"{len(broken)} relationship pair(s) do not load through back_populates in both directions.",
            context=[("Relationships", "\n".join(broken))],
        )


def _relationship_pairs(
    index: SourceIndex, tables: Sequence[Table]
) -> list[tuple[RelationshipProperty[Any], RelationshipProperty[Any]]]:
    """Each ``back_populates`` pair once, the one-to-many (or "parent") side first."""
    from sqlalchemy.orm import interfaces

    seen: set[frozenset[tuple[type, str]]] = set()
    pairs: list[tuple[RelationshipProperty[Any], RelationshipProperty[Any]]] = []
    for table in tables:
        for mapper in index.mappers(table):
            for rel in mapper.relationships:
                if not rel.back_populates or rel.viewonly:
                    continue
                back = rel.mapper.relationships.get(rel.back_populates)
                if back is None:
                    continue
                key = frozenset({(rel.parent.class_, rel.key), (back.parent.class_, back.key)})
                if key in seen:
                    continue
                seen.add(key)
                if rel.direction is interfaces.MANYTOONE:
                    rel, back = back, rel
                pairs.append((rel, back))
    return pairs


def _orm_values(factory: RowFactory, mapper: Mapper[Any], skip: set[str]) -> dict[str, Any]:
    """Attribute values for a new instance, by mapped attribute name (required parents inserted
    by Core)."""
    table = mapper.local_table
    fixed = dict.fromkeys(skip)
    values = factory.build(table, fixed)  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for column_name, value in values.items():
        if column_name in skip:
            continue
        prop = mapper.get_property_by_column(table.c[column_name])
        kwargs[prop.key] = value
    return kwargs


def _new_instance(mapper: Mapper[Any], values: dict[str, Any]) -> Any:
    """A transient instance of ``mapper``'s class with ``values`` set attribute by attribute.

    The class's own ``__init__`` is not called: a model may define one with required positional
    arguments, validation or side effects, and nothing generic can satisfy it.  This is how the ORM
    itself builds an instance for a row it loads (``mapper.class_manager.new_instance()``, pinned
    by ``tests/test_testing_checks.py``), and the attributes are then set through the instrumented
    descriptors, exactly as the default constructor would set them.  (A constructor call would
    configure the mappers first; ``registry.configure()`` does that here, a no-op once done.)
    """
    mapper.registry.configure()
    instance = mapper.class_manager.new_instance()
    for key, value in values.items():
        setattr(instance, key, value)
    return instance


def _exercise_pair(session: Any, factory: RowFactory, rel: Any, back: Any) -> str | None:
    """Link a new parent and child through ``rel``; check ``back`` in memory and after reloading."""
    from sqlalchemy import inspect

    parent_mapper, child_mapper = rel.parent, rel.mapper
    # Columns the relationship fills in on flush must not be synthesized (they would point at
    # another row): for one-to-many they are the child's foreign key columns.
    child_skip = (
        {c.name for c in rel.remote_side if c.table is child_mapper.local_table} if rel.secondary is None else set()
    )
    parent_skip = {c.name for c in rel.local_columns if c.foreign_keys} if rel.direction.name == "MANYTOONE" else set()
    parent = _new_instance(parent_mapper, _orm_values(factory, parent_mapper, parent_skip))
    child = _new_instance(child_mapper, _orm_values(factory, child_mapper, child_skip))
    if rel.uselist:
        getattr(parent, rel.key).append(child)
    else:
        setattr(parent, rel.key, child)
    parent_name, child_name = parent_mapper.class_.__name__, child_mapper.class_.__name__
    if not _links(child, back.key, parent, back.uselist):
        return (
            f"after adding a {child_name} to {parent_name}.{rel.key}, {child_name}.{back.key} does not "
            f"point back to the {parent_name} in memory (declare back_populates on both sides)"
        )
    session.add_all([parent, child])
    session.flush()
    parent_id = inspect(parent).identity
    child_id = inspect(child).identity
    session.expunge_all()
    parent = session.get(parent_mapper.class_, parent_id)
    child = session.get(child_mapper.class_, child_id)
    if parent is None or child is None:
        return "the flushed rows cannot be loaded back"
    if not _links(parent, rel.key, child, rel.uselist):
        return f"{parent_name}.{rel.key} does not load the {child_name} back from the database"
    if not _links(child, back.key, parent, back.uselist):
        return f"{child_name}.{back.key} does not load the {parent_name} back from the database"
    return None


def _links(obj: Any, key: str, target: Any, uselist: bool) -> bool:
    value = getattr(obj, key)
    if uselist:
        return any(item is target for item in value)
    return value is target
