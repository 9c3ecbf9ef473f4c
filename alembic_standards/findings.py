"""Findings, locations, severities and the one failure type.

Every stage of the pipeline (autogenerate, the migration checker, the model linter, the live-database
audit and the pytest checks) reports in the same vocabulary, so one formatter, one exit-code policy
and one exceptions register serve them all.  This module holds that vocabulary and nothing else: it
imports neither Alembic nor SQLAlchemy, so it is cheap to import from anywhere (including the
Alembic plugin module, which is loaded while ``import alembic`` is still running).
"""

from __future__ import annotations

import contextlib
import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "ExitCode",
    "Finding",
    "Location",
    "RuleId",
    "Severity",
    "StandardsError",
]

SUPPRESSION_MARKER: Final = "alembic-standards:"
"""What starts an inline suppression comment (:mod:`.suppressions`).  Defined here so that the
checker can tell which files mention one without importing the suppressions module (issue 15)."""


class ExitCode(enum.IntEnum):
    """Documented exit codes of the ``alembic-standards`` command."""

    OK = 0
    """Nothing at or above the failing severity was found."""
    FINDINGS = 1
    """At least one finding at or above the failing severity."""
    USAGE = 2
    """Usage, configuration or input error (bad flag, bad config key, unreadable file...)."""


@enum.unique
class RuleId(str, enum.Enum):
    """The ID of a catalogued rule (:mod:`alembic_standards.rules`): ``RuleId.AS201``.

    Code names a rule only through this enum, so a typo (``RuleId.AS2O1``, or a bare ``"AS2O1"``
    passed where a ``RuleId`` is expected) is a mypy error instead of a rule silently switched
    off.  Text from users (``select``/``ignore``, ``--select``, ``explain``, exceptions, inline
    suppressions, baseline files) is turned into a ``RuleId`` where it is read, by
    :func:`alembic_standards.rules.get_rule` / ``resolve_rule_ids``, which name the unknown ID.

    It subclasses ``str`` (Python 3.10 has no ``StrEnum``) so that a member *is* its ID at run
    time: it equals and hashes like ``"AS201"``, and ``str()``, f-strings, ``format`` and JSON all
    give ``AS201`` (``__str__``/``__format__`` are pinned because ``Enum`` changed them in 3.12),
    and ``repr`` is ``'AS201'``, as it was when IDs were plain strings.
    Members are added in the same change as the catalogue entry (a test checks the two agree).
    """

    AS101 = "AS101"
    AS102 = "AS102"
    AS103 = "AS103"
    AS201 = "AS201"
    AS202 = "AS202"
    AS203 = "AS203"
    AS204 = "AS204"
    AS205 = "AS205"
    AS301 = "AS301"
    AS302 = "AS302"
    AS303 = "AS303"
    AS401 = "AS401"
    AS402 = "AS402"
    AS403 = "AS403"
    AS404 = "AS404"
    AS501 = "AS501"
    AS502 = "AS502"
    AS503 = "AS503"
    AS504 = "AS504"
    AS505 = "AS505"
    AS506 = "AS506"
    AS601 = "AS601"
    AS701 = "AS701"
    AS702 = "AS702"
    AS703 = "AS703"
    AS704 = "AS704"
    AS705 = "AS705"
    AS800 = "AS800"
    AS801 = "AS801"
    AS802 = "AS802"
    AS803 = "AS803"
    AS804 = "AS804"
    AS901 = "AS901"
    AS902 = "AS902"
    AS903 = "AS903"
    AS904 = "AS904"
    AS905 = "AS905"
    AS1001 = "AS1001"
    AS1002 = "AS1002"
    AS1003 = "AS1003"
    AS1004 = "AS1004"
    AS1005 = "AS1005"
    AS1006 = "AS1006"
    AS1007 = "AS1007"
    AS1008 = "AS1008"
    AS1009 = "AS1009"
    AS1010 = "AS1010"
    AS1011 = "AS1011"

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        # As the plain string it replaces: lists of IDs printed by scripts and tests read as before.
        return repr(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(self.value, format_spec)


@enum.unique
class Severity(enum.Enum):
    """How bad a finding is. Ordered: ``INFO < WARNING < ERROR``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Parse ``"error"``/``"warning"``/``"info"`` (case-insensitive); ValueError otherwise."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (choose from {choices})") from None


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


# Location and Finding are made for every finding (thousands in a large history): their
# ``__init__`` is written out, storing the fields straight into the instance ``__dict__``, instead
# of the generated frozen one (one ``object.__setattr__`` call per field).  Same fields, same
# behaviour (``dataclasses.replace``/``fields``/eq/hash/repr as before); about half the cost of
# making one (some 6 k instructions per finding).


@dataclass(frozen=True, init=False)
class Location:
    """Where a finding points.

    A finding in a file has ``path`` (and usually ``line``/``col``, 1-based); a finding about a
    schema object has ``table`` and optionally ``column``/``constraint``.  Both may be set: a model
    finding names the table *and* the ``file:line`` of the model class or column.
    """

    path: Path | None = None
    line: int | None = None
    col: int | None = None
    schema: str | None = None
    table: str | None = None
    column: str | None = None
    constraint: str | None = None
    revision: str | None = None

    def __init__(
        self,
        path: Path | None = None,
        line: int | None = None,
        col: int | None = None,
        schema: str | None = None,
        table: str | None = None,
        column: str | None = None,
        constraint: str | None = None,
        revision: str | None = None,
    ) -> None:
        fields = self.__dict__
        fields["path"] = path
        fields["line"] = line
        fields["col"] = col
        fields["schema"] = schema
        fields["table"] = table
        fields["column"] = column
        fields["constraint"] = constraint
        fields["revision"] = revision

    @property
    def object_name(self) -> str | None:
        """``schema.table.column`` (or ``.constraint``) for messages, None if no object is named."""
        if self.table is None:
            return None
        parts = [p for p in (self.schema, self.table) if p]
        if self.column:
            parts.append(self.column)
        elif self.constraint:
            parts.append(self.constraint)
        return ".".join(parts)

    def render(self, relative_to: Path | None = None) -> str:
        """``path:line:col`` when a file is known, else the object name, else ``<unknown>``."""
        path = self.path
        if path is not None and relative_to is not None:
            with contextlib.suppress(ValueError):
                path = path.resolve().relative_to(relative_to.resolve())
        return self.render_as(path)

    def render_as(self, path: Path | str | None) -> str:
        """:meth:`render` with the file already shown as ``path`` (e.g. made relative once per
        file by a report of thousands of findings, rather than once per finding)."""
        if self.path is not None and path is not None:
            text = str(path)
            if self.line is not None:
                text += f":{self.line}"
                if self.col is not None:
                    text += f":{self.col}"
            return text
        return self.object_name or "<unknown>"


@dataclass(frozen=True, init=False)
class Finding:
    """One violation of one rule at one place."""

    rule_id: RuleId
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)

    def __init__(self, rule_id: RuleId, severity: Severity, message: str, location: Location | None = None) -> None:
        fields = self.__dict__
        # A bare "AS201" from a caller not yet converted still works, and an uncatalogued ID
        # fails here, where it is made, not later in a report or a baseline.
        fields["rule_id"] = rule_id if type(rule_id) is RuleId else RuleId(rule_id)
        fields["severity"] = severity
        fields["message"] = message
        fields["location"] = Location() if location is None else location

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        loc = self.location
        return (
            str(loc.path or ""),
            loc.line or 0,
            loc.col or 0,
            (loc.object_name or "") if loc.table is not None else "",  # no property call for a file's finding
            self.rule_id,
            self.message,
        )

    @property
    def fact(self) -> str:
        """What the message states, without how to fix it: every message states its fact before the
        first ``"; "`` and the remedy after it ("... is not covered by an index; add index=True on the
        column").  The remedy may differ by stage or be reworded; the fact is what identifies a
        finding across both (the combined report, the baseline)."""
        return self.message.partition("; ")[0]

    def render(self, relative_to: Path | None = None) -> str:
        """The human one-liner: ``path:line:col: ID message``."""
        return f"{self.location.render(relative_to)}: {self.rule_id} {self.message}"


class StandardsError(Exception):
    """The one failure type of alembic-standards: bad input, bad configuration, refused revision.

    It carries readable context (the file and line when known, and a hint) so that every entry
    point can print ``path:line: message`` without a traceback and exit with a documented code.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
        exit_code: ExitCode = ExitCode.USAGE,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint
        self.exit_code = exit_code
        super().__init__(str(self))

    def __str__(self) -> str:
        prefix = ""
        if self.path is not None:
            prefix = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        text = prefix + self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text
