"""Live-database audit: apply the rules that make sense on a reflected schema.

Models and migrations say what the schema *should* be; the database says what it *is* (hand-run
DDL, a migration that was edited after it ran, constraints created before a naming convention
existed).  This module reflects a live database and reports in the same rule IDs as every other
stage:

* AS101/AS102 (primary keys), AS201 (FK without a covering index), AS202 (FK type differs from the
  referenced column) and AS402 (timestamp without time zone) come from the model linter's
  :func:`alembic_standards.models.lint_tables` run with ``stage=Stage.DATABASE`` -- one
  implementation of each rule, not a copy here;
* AS502 (constraint named by the database, e.g. ``users_pkey``) exists only here, because only a
  database invents names.  A name is reported only when it is exactly what PostgreSQL generates for
  an unnamed constraint (:func:`postgresql_default_name`: ``<table>_pkey``, ``<table>_<columns>_fkey``,
  ``<table>_<columns>_key``, ``<table>_[<column>_]check``, truncated to 63 bytes the way PostgreSQL
  truncates, with the number PostgreSQL appends on a clash) *and* nothing the team wrote accounts
  for it.  Real projects choose names that look like PostgreSQL's (a convention of
  ``%(table_name)s_pkey``): such a name is the team's choice, not a defect, when the configured
  ``naming_convention``, the models' ``MetaData(naming_convention=...)`` or an explicit ``name=`` in
  the models gives that very name.  Without models (``audit_database(models=...)``), only the
  configuration can vouch for a name.  SQLite invents no names: there only a constraint with no
  name at all is reported.

Reflection is *bulk*: ``MetaData.reflect`` in SQLAlchemy 2.x calls the inspector's
``get_multi_*`` methods, a fixed number of catalog queries per schema whatever the number of tables
(``tests/test_audit.py`` counts the statements to pin that).  Nothing here issues a query per table.

Connection problems (bad URL, missing driver, unreachable server, wrong password) become a
:class:`~alembic_standards.findings.StandardsError` with the URL's password hidden, so the CLI
prints one clear line and exits 2.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .findings import Location, RuleId, StandardsError
from .naming import CONVENTION_KEYS, NamingConvention, constraint_kind, is_postgresql_default_name
from .redaction import display_url
from .rules import Stage

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from sqlalchemy import Connection, Engine, MetaData, Table
    from sqlalchemy.engine import Dialect
    from sqlalchemy.sql.schema import Constraint

    from .config import Config
    from .findings import Finding

__all__ = [
    "audit_database",
    "is_version_table",
    "reflect_database",
    "system_named_constraints",
]

#: Alembic's default version table (``context.configure(version_table=...)`` changes it).
DEFAULT_VERSION_TABLE = "alembic_version"


def _engine_for(url: str) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StandardsError(
            f"invalid database URL {display_url(url)!r}: {exc}", hint="e.g. postgresql+psycopg://user:pass@host/dbname"
        ) from None
    database = parsed.database or ""
    # SQLite creates a missing file on connect; an audit must neither write nor judge an empty file.
    file_db = database not in ("", ":memory:") and not database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and file_db and not Path(database).is_file():
        raise StandardsError(f"cannot read database {display_url(url)}: no such file {database!r}")
    try:
        return create_engine(parsed)
    except NoSuchModuleError as exc:
        raise StandardsError(
            f"database URL {display_url(url)}: {exc}",
            hint="install the driver for this database, e.g. alembic-standards[postgresql]",
        ) from None
    except (ArgumentError, ValueError) as exc:
        raise StandardsError(
            f"invalid database URL {display_url(url)!r}: {exc}", hint="e.g. postgresql+psycopg://user:pass@host/dbname"
        ) from None
    except ImportError as exc:
        raise StandardsError(f"database URL {display_url(url)}: driver not installed ({exc})") from None


def reflect_database(bind: Engine | Connection | str, *, schemas: Sequence[str | None] = (None,)) -> MetaData:
    """Reflect every table of ``schemas`` (None = the default schema) into one ``MetaData``.

    ``metadata.info["dialect_name"]`` records the database's dialect name (``postgresql``,
    ``sqlite``...), ``metadata.info["dialect"]`` the dialect itself.
    """
    from sqlalchemy import Engine, MetaData
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    engine: Engine | None = None
    if isinstance(bind, str):
        engine = _engine_for(bind)
        target: Engine | Connection = engine
        shown = display_url(bind)
    else:
        target = bind
        shown = display_url(str((bind if isinstance(bind, Engine) else bind.engine).url))
    metadata = MetaData()
    # The dialect decides what some rules can judge (SQLite has no UUID or timestamptz type).
    metadata.info["dialect_name"] = target.dialect.name
    metadata.info["dialect"] = target.dialect
    try:
        owned = _extension_tables(target)
        for schema in schemas:
            # views=False: views have no constraints or indexes to judge.  Tables that belong to
            # an extension (PostGIS's spatial_ref_sys) are the extension's, not the team's schema.
            skip = {name for (ext_schema, name) in owned if ext_schema == schema}
            metadata.reflect(
                bind=target, schema=schema, views=False, only=lambda name, _md, skip=skip: name not in skip
            )
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise StandardsError(f"cannot read database {shown}: {first}") from None
    except SQLAlchemyError as exc:
        raise StandardsError(f"cannot read database {shown}: {exc}") from None
    finally:
        if engine is not None:
            engine.dispose()
    return metadata


def _extension_tables(bind: Engine | Connection) -> set[tuple[str | None, str]]:
    """(schema, table) of every table an extension owns (``pg_depend.deptype = 'e'``), PostgreSQL only.

    A table visible through the search path is also listed under None (the default schema): that is
    how ``reflect(schema=None)`` finds and names it (FitTrackee's PostGIS lives in its own schema on
    the search path).
    """
    if bind.dialect.name != "postgresql":
        return set()
    from sqlalchemy import Connection, text

    query = text(
        "SELECT n.nspname, c.relname, pg_catalog.pg_table_is_visible(c.oid) FROM pg_catalog.pg_depend d "
        "JOIN pg_catalog.pg_class c ON c.oid = d.objid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE d.deptype = 'e' AND d.classid = 'pg_catalog.pg_class'::regclass AND c.relkind IN ('r', 'p')"
    )
    if isinstance(bind, Connection):
        rows = list(bind.execute(query))
    else:
        with bind.connect() as connection:
            rows = list(connection.execute(query))
    owned: set[tuple[str | None, str]] = set()
    for schema, name, visible in rows:
        owned.add((schema, name))
        if visible:
            owned.add((None, name))
    return owned


def is_version_table(
    table: Table, version_table: str = DEFAULT_VERSION_TABLE, version_table_schema: str | None = None
) -> bool:
    """True for Alembic's own bookkeeping table, which no rule judges (it is not the team's schema).

    That is the configured ``version_table`` in ``version_table_schema``, or any table shaped like
    one: a single string column named ``version_num`` (what Alembic creates, whatever the table is
    called).  The shape matters because the CLI's audit does not run ``env.py`` and so cannot know
    a custom ``version_table`` name; no real table of a team's consists of that one column alone.
    """
    from sqlalchemy import String

    if table.name == version_table and table.schema == version_table_schema:
        return True
    columns = list(table.columns)
    return len(columns) == 1 and columns[0].name == "version_num" and isinstance(columns[0].type, String)


# ------------------------------------------------------------------------------------ AS502
def _columns(constraint: Any) -> tuple[str, ...]:
    return tuple(c.name for c in getattr(constraint, "columns", ()))


def _ddl_name(constraint: Constraint, dialect: Dialect) -> str | None:
    """The name ``constraint`` gets in DDL: explicit, ``conv()``, or from its MetaData's naming
    convention (callable tokens and truncation included) -- SQLAlchemy's own compiler decides."""
    from sqlalchemy.schema import AddConstraint

    explicit = constraint.name if isinstance(constraint.name, str) and constraint.name else None
    try:
        ddl = str(AddConstraint(constraint).compile(dialect=dialect))
    except Exception:  # a convention that needs a name the constraint lacks, an unresolvable FK target
        return explicit
    match = re.search(r'ADD CONSTRAINT ("(?:[^"]|"")+"|\S+)', ddl)
    if match is None:
        return explicit
    name = match.group(1)
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


@dataclass(frozen=True)
class _ModelNames:
    """What the models say about constraint names: per table, (kind, columns) -> DDL name, and the
    string templates of each models' ``MetaData`` naming convention."""

    names: Mapping[tuple[str | None, str], Mapping[tuple[str, tuple[str, ...]], str]]
    conventions: tuple[NamingConvention, ...]

    @classmethod
    def collect(cls, models: Sequence[MetaData], dialect: Dialect) -> _ModelNames:
        names: dict[tuple[str | None, str], dict[tuple[str, tuple[str, ...]], str]] = {}
        conventions: list[NamingConvention] = []
        for metadata in models:
            templates = {
                key: value
                for key, value in metadata.naming_convention.items()
                if key in CONVENTION_KEYS and key != "ix" and isinstance(value, str)
            }
            # A template our reader rejects still counts through the compiled names below.
            if templates:
                with contextlib.suppress(ValueError):
                    conventions.append(NamingConvention(templates))
            for table in metadata.tables.values():
                per_table = names.setdefault((table.schema, table.name), {})
                for constraint in table.constraints:
                    kind = constraint_kind(constraint)
                    name = _ddl_name(constraint, dialect) if kind else None
                    if kind and name:
                        per_table[(kind, _columns(constraint))] = name
        return cls(names, tuple(conventions))

    def declared(self, table: Table, kind: str, columns: tuple[str, ...]) -> str | None:
        return self.names.get((table.schema, table.name), {}).get((kind, columns))

    def accounts_for(self, name: str, table: Table, constraint: Any) -> bool:
        """The models name this constraint ``name`` (explicitly or by their convention), or some
        model constraint of the table carries that exact name, or a models' convention gives it."""
        if name in self.names.get((table.schema, table.name), {}).values():
            return True
        return any(_convention_gives(convention, name, constraint, table) for convention in self.conventions)


def _convention_gives(convention: NamingConvention, name: str, constraint: Any, table: Table) -> bool:
    try:
        return convention.name_for(constraint, table) == name
    except (KeyError, ValueError, TypeError, IndexError):  # a token this constraint cannot fill
        return False


def system_named_constraints(
    tables: Iterable[Table],
    config: Config,
    *,
    models: Sequence[MetaData] = (),
    dialect: Dialect | None = None,
) -> list[Finding]:
    """AS502: primary, foreign, unique and check constraints whose name the database invented.

    ``models`` (the project's ``MetaData``) vouch for names the team chose; ``dialect`` is the
    audited database's (it decides how a convention name is truncated; default PostgreSQL).
    """
    from sqlalchemy.dialects import postgresql

    if not config.is_enabled(RuleId.AS502):
        return []
    labels = {"pk": "primary key", "fk": "foreign key", "uq": "unique constraint", "ck": "check constraint"}
    model_names = _ModelNames.collect(models, dialect or postgresql.dialect())  # type: ignore[no-untyped-call]
    # Only PostgreSQL's generated names are recognised; SQLite invents none (an unnamed constraint
    # has no name there), so any name it holds was given by someone.
    invents_names = dialect is None or dialect.name == "postgresql"
    findings = []
    for table in tables:
        for constraint in sorted(table.constraints, key=lambda c: (type(c).__name__, str(c.name or ""))):
            kind = constraint_kind(constraint)
            if kind is None:
                continue
            columns = _columns(constraint)
            if kind == "pk" and not columns:
                continue  # a table without a primary key has an empty PK object: AS102's business
            name = constraint.name if isinstance(constraint.name, str) else None
            if name is not None and (
                not invents_names
                or not is_postgresql_default_name(
                    name, kind, table.name, columns, table_columns=[c.name for c in table.columns]
                )
                or _convention_gives(config.naming, name, constraint, table)
                or model_names.accounts_for(name, table, constraint)
            ):
                continue
            expected = model_names.declared(table, kind, columns)
            if expected is None and kind != "ck":
                expected = config.naming.name_for(constraint, table)
            label = labels[kind]
            what = f"{label} {name!r}" if name else f"unnamed {label}"
            on = f" on ({', '.join(columns)})" if columns else ""
            # A name in PostgreSQL's pattern is what it generates for an unnamed constraint; a team
            # may also have typed it (Mealie's revisions do): say what is known, not who named it.
            invented = (
                "the name PostgreSQL generates for an unnamed constraint" if name else "a name invented by the database"
            )
            message = f"{what}{on} has {invented}"
            if expected and expected != name:
                message += f"; rename it to {expected!r}"
            findings.append(
                config.finding(
                    RuleId.AS502,
                    message,
                    Location(
                        schema=table.schema,
                        table=table.name,
                        column=columns[0] if kind != "pk" and len(columns) == 1 else None,
                        constraint=name,
                    ),
                )
            )
    return findings


def audit_database(
    bind: Engine | Connection | str,
    config: Config,
    *,
    schemas: Sequence[str | None] = (None,),
    version_table: str = DEFAULT_VERSION_TABLE,
    version_table_schema: str | None = None,
    models: Sequence[MetaData] = (),
) -> list[Finding]:
    """Reflect ``bind`` and return the findings of every database-stage rule (unsuppressed:
    callers apply the exceptions register, as for every other stage).

    Alembic's version table (``version_table`` in ``version_table_schema``, or any table shaped
    like one, see :func:`is_version_table`) is never judged.  ``models``, the project's
    ``MetaData``, vouch for constraint names the team chose (AS502, see the module docstring).
    """
    metadata = reflect_database(bind, schemas=schemas)
    from sqlalchemy import exc as sa_exc

    from .models import lint_tables  # after reflection: connection errors come first

    wanted = set(schemas)
    # Reflection follows foreign keys into other schemas; judge only the schemas asked for.  A
    # foreign-key cycle (teams <-> users: CTFd, Dispatch) makes sorted_tables warn that it cannot
    # sort them, on the user's terminal, about our own call: the order is only for reading.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa_exc.SAWarning)
        ordered = metadata.sorted_tables
    tables = [t for t in ordered if t.schema in wanted and not is_version_table(t, version_table, version_table_schema)]
    dialect_name = str(metadata.info["dialect_name"])
    findings = list(lint_tables(tables, config, stage=Stage.DATABASE, dialect_name=dialect_name))
    findings += system_named_constraints(tables, config, models=models, dialect=metadata.info["dialect"])
    return findings
