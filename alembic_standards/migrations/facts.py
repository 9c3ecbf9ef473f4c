"""The data the checker's parts hand each other: what one revision file contributes.

Why a module of its own: extraction (:mod:`.extract`, :mod:`.per_file`) produces these facts, the
history-wide checks (:mod:`.history`) consume them, and the cache (:mod:`.cache`) stores them between
runs.  Keeping them here lets each of those import the data without importing the others' code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from ..config import ExceptionEntry
    from ..coverage import KeyColumns
    from ..findings import Finding
    from ..safety import Step


@dataclass(frozen=True)
class RevisionInfo:
    """A revision's place in the history, as written in its file."""

    revision: str | None
    down_revisions: tuple[str, ...]
    depends_on: tuple[str, ...]
    branch_labels: tuple[str, ...]
    path: Path
    line: int | None = None
    suppressions: bool = False
    """The file mentions ``alembic-standards:`` (an inline suppression may be there): only these
    files are read again for suppressions, which saves a second read of every file (issue 15)."""


@dataclass
class MigrationReport:
    """What :func:`check_migrations` found."""

    findings: list[Finding] = field(default_factory=list)
    input_errors: list[Finding] = field(default_factory=list)
    """Files that could not be read or parsed (AS800): the command exits with status 2."""
    irreversible: list[ExceptionEntry] = field(default_factory=list)
    """One entry (rule AS702, scoped to the revision) per revision marked ``irreversible = "reason"``."""
    revisions: list[RevisionInfo] = field(default_factory=list)


@dataclass
class _Revision:
    path: Path
    info: RevisionInfo
    findings: list[Finding]
    keys: dict[tuple[str | None, str], list[KeyColumns]]
    foreign_keys: list[_ForeignKey]
    raw_sql: list[str | None]
    """The upgrade's raw SQL (None when the text is computed): it may create indexes we cannot see."""
    names: _ConstraintNames = field(default_factory=lambda: _ConstraintNames())
    """The upgrade's constraints created unnamed, created by name and dropped by name (AS506)."""
    safety: list[Step] = field(default_factory=list)
    """The upgrade's steps as the safe-migration rules see them (AS1001-AS1011, judged history-wide)."""


@dataclass(frozen=True)
class _ForeignKey:
    schema: str | None
    table: str
    columns: tuple[str, ...]
    referred: str | None
    """What the key refers to, worded as the model linter words it: ``users.id`` (``users`` when
    the referred columns are not literal)."""
    line: int
    col: int


@dataclass(frozen=True)
class _Unnamed:
    """A constraint an upgrade creates without a name: the database (PostgreSQL) names it.

    ``kind`` is ``pk``/``fk``/``uq``/``ck``.  ``columns`` are the constrained columns; for a CHECK
    they are the identifiers of its literal condition (PostgreSQL names a one-column check after
    that column, any other after the table alone).
    """

    kind: str
    schema: str | None
    table: str
    columns: tuple[str, ...]
    referred: str | None
    line: int
    col: int


@dataclass(frozen=True)
class _NamedRef:
    """A constraint an upgrade creates or drops by an explicit, literal name."""

    name: str
    schema: str | None
    table: str | None
    line: int
    col: int


@dataclass
class _ConstraintNames:
    """What the generated-name check (AS506) needs from one revision's upgrade."""

    unnamed: list[_Unnamed] = field(default_factory=list)
    created: list[_NamedRef] = field(default_factory=list)
    dropped: list[_NamedRef] = field(default_factory=list)


@dataclass
class _FileResult:
    """Everything one file contributes to a report, before the history-wide checks."""

    revision: _Revision | None = None
    """None for a file that is not a revision (``__init__.py``, helpers) or cannot be read."""
    input_errors: list[Finding] = field(default_factory=list)
    irreversible: list[ExceptionEntry] = field(default_factory=list)
    stat: tuple[int, int] | None = None
    """(size, mtime_ns) of the bytes that were read; None when the file could not be read (not cached)."""
