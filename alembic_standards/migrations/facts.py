"""The data the checker's parts hand each other: what one revision file contributes.

Why a module of its own: extraction (:mod:`.extract`, :mod:`.per_file`) produces these facts, the
history-wide checks (:mod:`.history`) consume them, and the cache (:mod:`.cache`) stores them between
runs.  Keeping them here lets each of those import the data without importing the others' code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

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

    def __init__(
        self,
        revision: str | None,
        down_revisions: tuple[str, ...],
        depends_on: tuple[str, ...],
        branch_labels: tuple[str, ...],
        path: Path,
        line: int | None = None,
        suppressions: bool = False,
    ) -> None:
        # The fields in one step, as reversal.Change does (one per revision of every check: issue
        # 15); tests/test_dataclass_inits.py holds it to the fields above.
        object.__setattr__(
            self,
            "__dict__",
            {
                "revision": revision,
                "down_revisions": down_revisions,
                "depends_on": depends_on,
                "branch_labels": branch_labels,
                "path": path,
                "line": line,
                "suppressions": suppressions,
            },
        )


@dataclass
class MigrationReport:
    """What :func:`check_migrations` found."""

    findings: list[Finding] = field(default_factory=list)
    input_errors: list[Finding] = field(default_factory=list)
    """Files that could not be read or parsed (AS800): the command exits with status 2."""
    irreversible: list[ExceptionEntry] = field(default_factory=list)
    """One entry (rule AS702, scoped to the revision) per revision marked ``irreversible = "reason"``."""
    revisions: list[RevisionInfo] = field(default_factory=list)


# The records below are internal: made per file, read by the history-wide checks and the cache,
# never compared or copied.  Plain classes and NamedTuples, not dataclasses: defining a dataclass
# costs about 3.7 M instructions at import (it generates and compiles its methods), a NamedTuple a
# fifth of that, and building one is two to five times cheaper (issue 15: a cold check defines
# these on every run and builds several per revision).


class _Revision:
    """What one revision file contributes to the history-wide checks."""

    __slots__ = ("findings", "foreign_keys", "info", "keys", "names", "path", "raw_sql", "safety")

    def __init__(
        self,
        path: Path,
        info: RevisionInfo,
        findings: list[Finding],
        keys: dict[tuple[str | None, str], list[KeyColumns]],
        foreign_keys: list[_ForeignKey],
        raw_sql: list[str | None],
        names: _ConstraintNames | None = None,
        safety: list[Step] | None = None,
    ) -> None:
        self.path = path
        self.info = info
        self.findings = findings
        self.keys = keys
        self.foreign_keys = foreign_keys
        self.raw_sql = raw_sql
        """The upgrade's raw SQL (None when the text is computed): it may create indexes we cannot see."""
        self.names = names if names is not None else _ConstraintNames()
        """The upgrade's constraints created unnamed, created by name and dropped by name (AS506)."""
        self.safety = safety if safety is not None else []
        """The upgrade's steps as the safe-migration rules see them (AS1001-AS1011, judged history-wide)."""


class _ForeignKey(NamedTuple):
    schema: str | None
    table: str
    columns: tuple[str, ...]
    referred: str | None
    """What the key refers to, worded as the model linter words it: ``users.id`` (``users`` when
    the referred columns are not literal)."""
    line: int
    col: int


class _Unnamed(NamedTuple):
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


class _NamedRef(NamedTuple):
    """A constraint an upgrade creates or drops by an explicit, literal name."""

    name: str
    schema: str | None
    table: str | None
    line: int
    col: int


class _ConstraintNames:
    """What the generated-name check (AS506) needs from one revision's upgrade."""

    __slots__ = ("created", "dropped", "unnamed")

    def __init__(
        self,
        unnamed: list[_Unnamed] | None = None,
        created: list[_NamedRef] | None = None,
        dropped: list[_NamedRef] | None = None,
    ) -> None:
        self.unnamed = unnamed if unnamed is not None else []
        self.created = created if created is not None else []
        self.dropped = dropped if dropped is not None else []


class _FileResult:
    """Everything one file contributes to a report, before the history-wide checks."""

    __slots__ = ("input_errors", "irreversible", "revision", "stat")

    def __init__(
        self,
        revision: _Revision | None = None,
        input_errors: list[Finding] | None = None,
        irreversible: list[ExceptionEntry] | None = None,
        stat: tuple[int, int] | None = None,
    ) -> None:
        self.revision = revision
        """None for a file that is not a revision (``__init__.py``, helpers) or cannot be read."""
        self.input_errors = input_errors if input_errors is not None else []
        self.irreversible = irreversible if irreversible is not None else []
        self.stat = stat
        """(size, mtime_ns) of the bytes that were read; None when the file could not be read (not cached)."""
