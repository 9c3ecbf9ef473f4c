"""Severity of the safe-migration rules (AS10xx) from the live size of the tables they name.

A blocking ``CREATE INDEX`` on a table of 200 rows holds its lock for a millisecond; on a table of
50 million rows, for minutes, with every write to it waiting.  The revision file alone cannot tell
the two apart, the database can: with ``check --database-url`` (and in the pytest check
``test_migrations_are_safe``) the tables the AS10xx findings name are measured and each finding is
re-graded -- ``info`` under the ``large_table`` threshold, ``error`` at or over it -- and its
message states the size.  Without a database the catalogue's severity stays.

Two halves, so that the decision is unit-tested without a server:

* :func:`scale_by_table_size` is pure: findings + a mapping of sizes + the threshold -> findings;
* :func:`read_table_sizes` measures the tables in one query on PostgreSQL: ``pg_class.reltuples``
  (the planner's row estimate, kept by ANALYZE and autovacuum; never a ``count(*)``, which would
  scan the very tables that are too large to scan) and ``pg_total_relation_size`` (heap, indexes
  and TOAST: what a rewrite copies and a validation reads).  A partitioned table is the sum of its
  partitions.  Other databases have no such statistics (and the AS10xx rules are PostgreSQL's):
  there nothing is read and nothing re-graded.

A table is large when it reaches *either* limit (rows or bytes): a few wide rows cost as much to
rewrite as many narrow ones.  Per-rule exceptions to the scaling are decisions, recorded here:

* AS1008 (breaking change) breaks the code already running whatever the size: never re-graded;
* AS1011 (NOT NULL column without a default) fails on a table with *any* row: large means one row.

A severity the team pinned in ``[tool.alembic_standards] severity`` is kept (their choice wins);
the message still states the size.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .findings import RuleId, Severity, StandardsError

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

    from sqlalchemy import Connection, Engine

    from .findings import Finding
    from .safety import TableKey  # (schema, table) as a finding names it; schema None: the search path's

__all__ = [
    "LargeTable",
    "TableSize",
    "format_bytes",
    "is_safety_rule",
    "read_table_sizes",
    "scale_by_table_size",
    "tables_named",
]

_SAFETY_FAMILY = re.compile(r"AS10\d\d")
"""The ID family of the safe-migration rules (``AS10xx`` in the catalogue)."""

_NEVER_SCALED = frozenset({RuleId.AS1008})
_LARGE_WITH_ANY_ROW = frozenset({RuleId.AS1011})


@dataclass(frozen=True)
class LargeTable:
    """``large_table = { rows = 100_000, size_mb = 10 }``: from here on a table is large.

    The defaults are measured (PostgreSQL 15, the test suite's server, narrow rows): a blocking
    CREATE INDEX / ADD FOREIGN KEY / SET NOT NULL / type rewrite held its lock for 37 / 36 / 6 /
    154 ms on 10,000 rows (0.9 MB), 231 / 342 / 30 / 824 ms on 100,000 rows (8 MB) and
    2.2 / 4.7 / 0.5 / 8.6 s on 1,000,000 rows (79 MB).  From about 100,000 rows or 10 MB, writes
    stall for the better part of a second or more: an error; below, a hiccup: information.
    """

    rows: int = 100_000
    bytes: int = 10 * 1024 * 1024

    def describe(self) -> str:
        return f"{self.rows:,} rows or {format_bytes(self.bytes)}"


@dataclass(frozen=True)
class TableSize:
    """One table as the database measures it."""

    rows: int | None
    """``pg_class.reltuples`` rounded; None when never estimated (not yet ANALYZEd or vacuumed)."""
    bytes: int
    """``pg_total_relation_size``: heap, indexes and TOAST."""

    def describe(self) -> str:
        rows = "row count not yet estimated (no ANALYZE)" if self.rows is None else f"about {self.rows:,} rows"
        return f"{rows}, {format_bytes(self.bytes)}"


def format_bytes(size: int) -> str:
    """``8 kB``, ``310 MB``, ``1.5 GB``: binary multiples under PostgreSQL's unit names (as
    ``pg_size_pretty`` prints them)."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            if unit == "bytes":
                return f"{size} bytes"
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def is_safety_rule(rule_id: str) -> bool:
    """True for the safe-migration rules (the AS10xx family)."""
    return _SAFETY_FAMILY.fullmatch(rule_id) is not None


def _key(finding: Finding) -> TableKey | None:
    table = finding.location.table
    if table is None or not is_safety_rule(finding.rule_id) or finding.rule_id in _NEVER_SCALED:
        return None
    return (finding.location.schema, table)


def tables_named(findings: Iterable[Finding]) -> set[TableKey]:
    """The tables whose size decides some of ``findings``' severity."""
    return {key for key in map(_key, findings) if key is not None}


def scale_by_table_size(
    findings: Iterable[Finding],
    sizes: Mapping[TableKey, TableSize],
    threshold: LargeTable,
    *,
    pinned: Collection[RuleId] = (),
    annotate: bool = True,
) -> list[Finding]:
    """Re-grade the AS10xx findings by the size of their table: under ``threshold`` ``info``, at
    or over it ``error``; the rules in ``pinned`` keep their severity.

    With ``annotate`` the message states the size (``... (orders: about 1,200,000 rows, 310 MB,
    large table)``).  A caller that matches messages afterwards (the baseline fingerprints them)
    grades first with ``annotate=False`` and annotates what it keeps: the grade is the same twice.
    A table the database does not hold keeps the catalogue's severity, and says so.
    Other findings pass through unchanged (the same objects).
    """
    out: list[Finding] = []
    for finding in findings:
        key = _key(finding)
        if key is None:
            out.append(finding)
            continue
        name = ".".join(part for part in key if part)
        size = sizes.get(key)
        if size is None:
            note = f"{name} is not in the database: severity not scaled"
            severity = finding.severity
        else:
            large = _is_large(finding.rule_id, size, threshold)
            if large is None:
                note = f"{name}: {size.describe()}: severity not scaled"
                severity = finding.severity
            else:
                note = f"{name}: {size.describe()}, {'large' if large else 'small'} table"
                severity = Severity.ERROR if large else Severity.INFO
            if finding.rule_id in pinned:
                severity = finding.severity
        message = f"{finding.message} ({note})" if annotate else finding.message
        out.append(dataclasses.replace(finding, severity=severity, message=message))
    return out


def _is_large(rule_id: RuleId, size: TableSize, threshold: LargeTable) -> bool | None:
    """Whether the statement the finding is about hurts on this table; None: cannot tell."""
    if rule_id in _LARGE_WITH_ANY_ROW:
        # Fails on one row; with no row estimate, an empty-looking size proves nothing either way.
        return None if size.rows is None else size.rows > 0
    by_rows = size.rows is not None and size.rows >= threshold.rows
    return by_rows or size.bytes >= threshold.bytes


# The planner's estimate per relation: reltuples is -1 until the first ANALYZE/VACUUM (PostgreSQL
# 14+; 0 before).  A partitioned table has neither rows nor storage of its own: its leaves are summed.
_SIZES_SQL = """
SELECT t.ord,
       sum(greatest(p.reltuples, 0))::bigint AS rows,
       bool_or(p.reltuples < 0) AS unestimated,
       sum(pg_total_relation_size(p.oid))::bigint AS bytes
FROM unnest(CAST(:schemas AS text[]), CAST(:names AS text[])) WITH ORDINALITY AS t(schema_name, table_name, ord)
JOIN pg_class c
  ON c.oid = to_regclass(coalesce(quote_ident(t.schema_name) || '.', '') || quote_ident(t.table_name))
CROSS JOIN LATERAL (
    SELECT relid FROM pg_partition_tree(c.oid) WHERE isleaf  -- a partitioned table's leaves
    UNION SELECT c.oid WHERE c.relkind = 'r'                  -- (empty for a plain table)
) AS leaf
JOIN pg_class p ON p.oid = leaf.relid
WHERE c.relkind IN ('r', 'p')
GROUP BY t.ord
"""


def read_table_sizes(bind: Engine | Connection | str, tables: Collection[TableKey]) -> dict[TableKey, TableSize] | None:
    """The size of each of ``tables`` that exists (one query); None when the database is not
    PostgreSQL (no size statistics: nothing to scale by).

    Connection and query errors are :class:`StandardsError` (the URL's password hidden).
    """
    from sqlalchemy import Engine, text
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from .audit import _engine_for
    from .redaction import display_url

    engine: Engine | None = None
    if isinstance(bind, str):
        engine = _engine_for(bind)
        target: Engine | Connection = engine
        shown = display_url(bind)
    else:
        target = bind
        shown = display_url(str((bind if isinstance(bind, Engine) else bind.engine).url))
    try:
        if target.dialect.name != "postgresql":
            return None
        if not tables:
            return {}
        ordered = sorted(tables, key=lambda key: (key[0] or "", key[1]))
        params = {"schemas": [schema for schema, _ in ordered], "names": [name for _, name in ordered]}
        opened = target.connect() if isinstance(target, Engine) else contextlib.nullcontext(target)
        with opened as connection:
            rows = connection.execute(text(_SIZES_SQL), params).all()
        return {
            ordered[int(row.ord) - 1]: TableSize(rows=None if row.unestimated else int(row.rows), bytes=int(row.bytes))
            for row in rows
        }
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise StandardsError(f"cannot read table sizes from {shown}: {first}") from None
    except SQLAlchemyError as exc:
        raise StandardsError(f"cannot read table sizes from {shown}: {exc}") from None
    finally:
        if engine is not None:
            engine.dispose()
