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
  database invents names.  :func:`alembic_standards.naming.is_system_name` decides.

Reflection is *bulk*: ``MetaData.reflect`` in SQLAlchemy 2.x calls the inspector's
``get_multi_*`` methods, a fixed number of catalog queries per schema whatever the number of tables
(``tests/test_audit.py`` counts the statements to pin that).  Nothing here issues a query per table.

Connection problems (bad URL, missing driver, unreachable server, wrong password) become a
:class:`~alembic_standards.findings.StandardsError` with the URL's password hidden, so the CLI
prints one clear line and exits 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .findings import Location, StandardsError
from .naming import is_system_name
from .rules import Stage

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy import Connection, Engine, MetaData, Table

    from .config import Config
    from .findings import Finding

__all__ = ["audit_database", "is_version_table", "reflect_database", "system_named_constraints"]

#: Alembic's default version table (``context.configure(version_table=...)`` changes it).
DEFAULT_VERSION_TABLE = "alembic_version"


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL is shown as given (it has no parseable password)
        return url


def _engine_for(url: str) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StandardsError(
            f"invalid database URL {url!r}: {exc}", hint="e.g. postgresql+psycopg://user:pass@host/dbname"
        ) from None
    database = parsed.database or ""
    # SQLite creates a missing file on connect; an audit must neither write nor judge an empty file.
    file_db = database not in ("", ":memory:") and not database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and file_db and not Path(database).is_file():
        raise StandardsError(f"cannot read database {url}: no such file {database!r}")
    try:
        return create_engine(parsed)
    except NoSuchModuleError as exc:
        raise StandardsError(
            f"database URL {_display_url(url)}: {exc}",
            hint="install the driver for this database, e.g. alembic-standards[postgresql]",
        ) from None
    except (ArgumentError, ValueError) as exc:
        raise StandardsError(
            f"invalid database URL {url!r}: {exc}", hint="e.g. postgresql+psycopg://user:pass@host/dbname"
        ) from None
    except ImportError as exc:
        raise StandardsError(f"database URL {_display_url(url)}: driver not installed ({exc})") from None


def reflect_database(bind: Engine | Connection | str, *, schemas: Sequence[str | None] = (None,)) -> MetaData:
    """Reflect every table of ``schemas`` (None = the default schema) into one ``MetaData``.

    ``metadata.info["dialect_name"]`` records the database's dialect (``postgresql``, ``sqlite``...).
    """
    from sqlalchemy import Engine, MetaData
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    engine: Engine | None = None
    if isinstance(bind, str):
        engine = _engine_for(bind)
        target: Engine | Connection = engine
        shown = _display_url(bind)
    else:
        target = bind
        shown = _display_url(str((bind if isinstance(bind, Engine) else bind.engine).url))
    metadata = MetaData()
    # The dialect decides what some rules can judge (SQLite has no UUID or timestamptz type).
    metadata.info["dialect_name"] = target.dialect.name
    try:
        for schema in schemas:
            # views=False: views have no constraints or indexes to judge.
            metadata.reflect(bind=target, schema=schema, views=False)
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise StandardsError(f"cannot read database {shown}: {first}") from None
    except SQLAlchemyError as exc:
        raise StandardsError(f"cannot read database {shown}: {exc}") from None
    finally:
        if engine is not None:
            engine.dispose()
    return metadata


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


def system_named_constraints(tables: Iterable[Table], config: Config) -> list[Finding]:
    """AS502: primary, foreign, unique and check constraints whose name the database invented."""
    from sqlalchemy import CheckConstraint, ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint
    from sqlalchemy.sql.schema import ColumnCollectionConstraint

    if not config.is_enabled("AS502"):
        return []
    kinds: tuple[tuple[type, str, str], ...] = (
        (PrimaryKeyConstraint, "pk", "primary key"),
        (ForeignKeyConstraint, "fk", "foreign key"),
        (UniqueConstraint, "uq", "unique constraint"),
        (CheckConstraint, "ck", "check constraint"),
    )
    findings = []
    for table in tables:
        for constraint in sorted(table.constraints, key=lambda c: (type(c).__name__, str(c.name or ""))):
            for cls, kind, label in kinds:
                if not isinstance(constraint, cls) or not isinstance(constraint, ColumnCollectionConstraint):
                    continue
                columns = [c.name for c in constraint.columns]
                if kind == "pk" and not columns:
                    break  # a table without a primary key has an empty PK object: AS102's business
                name = constraint.name if isinstance(constraint.name, str) else None
                if not is_system_name(name, table.name, kind, columns):
                    break
                expected = config.naming.name_for(constraint, table) if kind != "ck" else None
                what = f"{label} {name!r}" if name else f"unnamed {label}"
                on = f" on ({', '.join(columns)})" if columns else ""
                message = f"{what}{on} has a name invented by the database"
                if expected:
                    message += f"; rename it to {expected!r}"
                findings.append(
                    config.finding(
                        "AS502",
                        message,
                        Location(
                            schema=table.schema,
                            table=table.name,
                            column=columns[0] if kind != "pk" and len(columns) == 1 else None,
                            constraint=name,
                        ),
                    )
                )
                break
    return findings


def audit_database(
    bind: Engine | Connection | str,
    config: Config,
    *,
    schemas: Sequence[str | None] = (None,),
    version_table: str = DEFAULT_VERSION_TABLE,
    version_table_schema: str | None = None,
) -> list[Finding]:
    """Reflect ``bind`` and return the findings of every database-stage rule (unsuppressed:
    callers apply the exceptions register, as for every other stage).

    Alembic's version table (``version_table`` in ``version_table_schema``, or any table shaped
    like one, see :func:`is_version_table`) is never judged.
    """
    metadata = reflect_database(bind, schemas=schemas)
    from .models import lint_tables  # after reflection: connection errors come first

    wanted = set(schemas)
    # Reflection follows foreign keys into other schemas; judge only the schemas asked for.
    tables = [
        t
        for t in metadata.sorted_tables
        if t.schema in wanted and not is_version_table(t, version_table, version_table_schema)
    ]
    dialect_name = str(metadata.info["dialect_name"])
    findings = list(lint_tables(tables, config, stage=Stage.DATABASE, dialect_name=dialect_name))
    findings += system_named_constraints(tables, config)
    return findings
