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
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = [
    "ExitCode",
    "Finding",
    "Location",
    "Severity",
    "StandardsError",
]


class ExitCode(enum.IntEnum):
    """Documented exit codes of the ``alembic-standards`` command."""

    OK = 0
    """Nothing at or above the failing severity was found."""
    FINDINGS = 1
    """At least one finding at or above the failing severity."""
    USAGE = 2
    """Usage, configuration or input error (bad flag, bad config key, unreadable file...)."""


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


@dataclass(frozen=True)
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

    def render_as(self, path: Path | None) -> str:
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


@dataclass(frozen=True)
class Finding:
    """One violation of one rule at one place."""

    rule_id: str
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        loc = self.location
        return (
            str(loc.path or ""),
            loc.line or 0,
            loc.col or 0,
            loc.object_name or "",
            self.rule_id,
            self.message,
        )

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
