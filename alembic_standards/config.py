"""Configuration: ``[tool.alembic_standards]`` in ``pyproject.toml``.

One configuration object feeds every stage, so that selecting, ignoring or re-grading a rule
means the same thing in autogenerate, the CLI and the pytest checks.  Unknown keys are errors
(with the file, the line and a close match), because a misspelt ``ignore`` that is silently
dropped turns a CI gate off without anyone noticing.

Example::

    [tool.alembic_standards]
    metadata = "app.models:Base.metadata"      # or a list of import paths
    migrations = ["migrations/versions"]       # versions directories, relative to this file
    select = ["AS"]                            # IDs, prefixes (AS2) or short names
    ignore = ["AS204"]
    fail_on = "error"                          # error | warning | info
    severity = { AS601 = "error" }
    naming_convention = { ix = "ix_%(table_name)s_%(column_0_N_name)s" }
    pk_index = "allow"                         # allow | forbid | require  (see AS103)
    owner_columns = ["user_id"]                # AS601
    concurrent_indexes = false                 # CREATE INDEX CONCURRENTLY on existing PG tables
    safe_migrations = false                    # autogenerate the lock-safe forms (implies the above)
    large_table = { rows = 100_000, size_mb = 10 }  # AS10xx graded by live table size (--database-url)

    [[tool.alembic_standards.exceptions]]
    rule = "AS101"
    table = "log_entries"
    reason = "Log entries need sequential IDs for ordering and pagination."
    expires = 2027-06-30                       # optional (TOML date or "YYYY-MM-DD")
    ticket = "DB-12"                           # optional

    [[tool.alembic_standards.exceptions]]
    rule = "AS1009"
    path = "migrations/versions/sqlite"        # a file or directory: findings there only
    reason = "This history runs on SQLite, which has no lock_timeout."
"""

from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .findings import Finding, Location, RuleId, Severity, StandardsError
from .lazy_re import LazyPattern
from .naming import CONVENTION_KEYS, NamingConvention
from .rules import RULES, resolve_rule_ids
from .table_sizes import LargeTable

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

# Start-up cost (issue 15): tomllib and datetime (about 19 M instructions) are imported when a
# pyproject.toml is read or a date is used, difflib and reprlib (about 5 M) when an error is
# worded; a check with no configuration file needs none of them.

__all__ = ["DEFAULT_BASELINE_NAME", "Config", "ExceptionEntry", "TestingConfig", "find_pyproject", "load_config"]

PkIndexPolicy = Literal["forbid", "allow", "require"]

DEFAULT_BASELINE_NAME = "alembic-standards-baseline.json"
"""The baseline's file name next to ``pyproject.toml`` (here, not in :mod:`.baseline`: resolving
the path must not import the module that reads the file, which a run without one never needs)."""

_TOP_KEYS = (
    "metadata",
    "migrations",
    "select",
    "ignore",
    "fail_on",
    "severity",
    "naming_convention",
    "pk_index",
    "owner_columns",
    "status_columns",
    "timestamp_columns",
    "concurrent_indexes",
    "safe_migrations",
    "exceptions",
    "testing",
    "baseline",
    "since_revision",
    "large_table",
)
_EXCEPTION_KEYS = (
    "rule",
    "table",
    "column",
    "constraint",
    "revision",
    "schema",
    "path",
    "reason",
    "expires",
    "ticket",
)
# ``%(name)<flags><width>.<precision>`` in a naming template: any digit or ``*`` after the key.
_FORMAT_WIDTH = LazyPattern(
    r"%(?:\([^)]*\))?[-#0 +]*(?:[1-9]\d*|\*)(?:\.(?:\d+|\*))?"  # width (and precision)
    r"|%(?:\([^)]*\))?[-#0 +]*\.(?:\d+|\*)"  # precision alone
)
_LARGE_TABLE_KEYS = ("rows", "size_mb")
_TESTING_KEYS = ("checks", "skip_revisions", "skip_tables", "minimum_downgrade_revision")


@dataclass(frozen=True)
class ExceptionEntry:
    """One documented exception: a rule that does not apply to one object, and why."""

    rule: RuleId
    reason: str
    table: str | None = None
    column: str | None = None
    constraint: str | None = None
    revision: str | None = None
    schema: str | None = None
    expires: dt.date | None = None
    ticket: str | None = None
    source: Location = field(default_factory=Location)
    """Where it was declared (pyproject line, or the model's file:line)."""
    lines: tuple[int, int] | None = None
    """An inline suppression's scope: lines ``first..last`` of ``source.path`` (None: not inline)."""
    path: Path | None = None
    """A file or directory (absolute) the entry is limited to: it covers a finding only in that
    file or in a file under that directory (``path = "migrations/versions/sqlite"`` in pyproject)."""

    def matches(self, rule_id: RuleId, location: Location) -> bool:
        """True when this entry is about ``rule_id`` at ``location`` (unset fields match anything)."""
        if self.rule != rule_id:
            return False
        if self.path is not None and (location.path is None or not _within(location.path, self.path)):
            return False
        if self.lines is not None:
            return (
                location.path is not None
                and location.line is not None
                and self.lines[0] <= location.line <= self.lines[1]
                and _same_file(location.path, self.source.path)
            )
        pairs = (
            (self.table, location.table),
            (self.column, location.column),
            (self.constraint, location.constraint),
            (self.revision, location.revision),
            (self.schema, location.schema),
        )
        return all(want is None or want == got for want, got in pairs)

    def is_expired(self, today: dt.date | None = None) -> bool:
        if self.expires is None:
            return False
        import datetime as dt

        return self.expires < (today or dt.date.today())


def _within(path: Path, scope: Path) -> bool:
    """Whether ``path`` is ``scope`` or lies under it (``scope`` absolute).

    Compared as written first (made absolute, ``..`` folded: no look-up of the file system), then,
    only when that says no, through ``resolve()``: a scope reached through a symbolic link, or a
    finding's path spelt through one, still matches.  A path that cannot be resolved (a link loop)
    does not match.
    """
    text, scope_text = os.path.abspath(path), os.fspath(scope)
    if text == scope_text or text.startswith(scope_text.rstrip(os.sep) + os.sep):
        return True
    try:
        real, real_scope = Path(text).resolve(), scope.resolve()
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        return False
    return real == real_scope or real_scope in real.parents


def _same_file(a: Path, b: Path | None) -> bool:
    if b is None:
        return False
    if a == b:
        return True
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


@dataclass(frozen=True)
class TestingConfig:
    """``[tool.alembic_standards.testing]``: which pytest checks run and what they skip."""

    __test__ = False  # not a pytest test class

    checks: tuple[str, ...] | None = None
    """Names of the checks to run (None = all)."""
    skip_revisions: Mapping[str, str] = field(default_factory=dict)
    """revision id -> reason."""
    skip_tables: Mapping[str, str] = field(default_factory=dict)
    """table name -> reason."""
    minimum_downgrade_revision: str | None = None


@dataclass(frozen=True)
class Config:
    """The resolved configuration."""

    root: Path = field(default_factory=Path.cwd)
    """Directory relative paths are resolved against (where pyproject.toml lives)."""
    path: Path | None = None
    """The pyproject.toml read, or None for defaults."""
    enabled: frozenset[RuleId] = frozenset(RULES)
    severities: Mapping[RuleId, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.ERROR
    naming: NamingConvention = field(default_factory=NamingConvention)
    metadata: tuple[str, ...] = ()
    migrations: tuple[Path, ...] = ()
    pk_index: PkIndexPolicy = "allow"
    """AS103; "allow" by default: the spec's own template writes ``index=True`` on the key."""
    owner_columns: tuple[str, ...] = ("user_id",)
    status_columns: tuple[str, ...] = ("status", "state", "kind", "frequency")
    timestamp_columns: tuple[str, str] = ("created_at", "updated_at")
    concurrent_indexes: bool = False
    safe_migrations: bool = False
    """Autogenerate writes the lock-safe forms on existing PostgreSQL tables and the revision hook
    refuses what has none (AS10xx).  Off by default: it changes the generated files and their
    transactions (autocommit blocks commit what came before them).  It implies
    ``concurrent_indexes``; see :attr:`indexes_concurrently`."""
    exceptions: tuple[ExceptionEntry, ...] = ()
    testing: TestingConfig = field(default_factory=TestingConfig)
    baseline: Path | None = None
    """The baseline file (``baseline = "..."``, relative to the root); None: the default name there."""
    since_revision: str | None = None
    """Revisions up to and including this one are exempt from per-file migration rules."""
    large_table: LargeTable = field(default_factory=LargeTable)
    """From which live size (rows or bytes) an AS10xx finding is an error, below it info."""
    migration_convention: frozenset[str] = frozenset()
    """The kinds of object (``pk``, ``fk``, ``uq``, ``ck``, ``ix``) the revisions' unnamed ones are
    named by when they run: the models' ``naming_convention``, which Alembic applies to every
    ``op.*`` call through env.py's ``target_metadata``.  Not read from pyproject.toml: ``check``
    sets it from the models it loads (empty when it loads none: every unnamed object is AS501)."""

    @property
    def baseline_path(self) -> Path:
        return self.baseline if self.baseline is not None else self.root / DEFAULT_BASELINE_NAME

    @property
    def indexes_concurrently(self) -> bool:
        """Build indexes on existing PostgreSQL tables ``CONCURRENTLY`` (either key asks for it)."""
        return self.concurrent_indexes or self.safe_migrations

    def is_enabled(self, rule_id: RuleId) -> bool:
        return rule_id in self.enabled

    def severity_of(self, rule_id: RuleId) -> Severity:
        return self.severities.get(rule_id) or RULES[rule_id].severity

    @functools.cached_property
    def _severity_by_rule(self) -> dict[RuleId, Severity]:
        # severity_of for every rule, looked up once per configuration: finding() runs per finding.
        return {rule_id: self.severity_of(rule_id) for rule_id in RULES}

    def finding(self, rule_id: RuleId, message: str, location: Location | None = None) -> Finding:
        """Build a finding for ``rule_id`` with the configured severity."""
        severity = self._severity_by_rule.get(rule_id)
        return Finding(rule_id, severity or self.severity_of(rule_id), message, location)

    def fails(self, findings: Sequence[Finding]) -> bool:
        """True when any finding is at or above ``fail_on``."""
        # Compared once, not per finding; a tuple, as Enum.__hash__ is Python (`in` on a tuple is by identity).
        failing = tuple(severity for severity in Severity if self.fail_on <= severity)
        return any(f.severity in failing for f in findings)


def parse_date(value: object) -> dt.date | None:
    """An exception's ``expires``: a TOML date/datetime or a ``YYYY-MM-DD`` string; None otherwise."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has ``[tool.alembic_standards]``,
    else the nearest ``pyproject.toml`` at all, else None."""
    here = (start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    first: Path | None = None
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            first = first or candidate
            try:
                # Bytes, not text: a file that is not UTF-8 is reported by load_config (naming
                # it and the line) when it is the one chosen, never as a traceback here.
                if b"alembic_standards" in candidate.read_bytes():
                    return candidate
            except OSError:
                continue
    return first


def load_config(path: Path | str | None = None, *, start: Path | None = None) -> Config:
    """Load the configuration from ``path`` (a pyproject.toml), or discover it from ``start``/CWD.

    Without any pyproject.toml the defaults apply (root = ``start`` or CWD).
    """
    if path is None:
        found = find_pyproject(start)
        if found is None:
            return Config(root=(start or Path.cwd()).resolve())
        path = found
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StandardsError(f"cannot read configuration: {exc.strerror}", path=path) from None
    text = _decode(raw, path)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    # A value nested deeper than the interpreter's recursion limit makes tomllib (and repr)
    # raise RecursionError; that is bad input like any other, reported with the file, not a crash
    # of the CLI or of `alembic revision` (whose hook loads this same configuration).
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib reports the position only inside the message before Python 3.14.
        position = re.search(r"\(at line (\d+)", str(exc))
        line = int(position.group(1)) if position else (text.count("\n") + 1 if "end of document" in str(exc) else None)
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise StandardsError(f"invalid TOML: {message}", path=path, line=line) from None
    except RecursionError:
        raise _too_deep(path, text) from None
    tool = doc.get("tool", {})
    if not isinstance(tool, dict):
        line = _first_line(text, r"^[ \t]*(\[\[[ \t]*)?\"?tool\"?[ \t]*(=|\]\])")
        raise StandardsError(
            f"`tool` must be a table (PEP 518), got {_toml_type(tool)}",
            path=path,
            line=line,
        )
    section = tool.get("alembic_standards", {})
    if not isinstance(section, dict):
        raise StandardsError("[tool.alembic_standards] must be a table", path=path)
    try:
        return _Parser(section, path, path.parent.resolve(), text).parse()
    except RecursionError:
        raise _too_deep(path, text) from None


def _toml_type(value: object) -> str:
    """How a TOML user names the type of a value tomllib returned ("a string", not "str")."""
    import datetime as dt

    names: Mapping[type, str] = {
        str: "a string",
        int: "an integer",
        float: "a float",
        bool: "a boolean",
        list: "an array",
        dt.date: "a date",
        dt.datetime: "a date-time",
        dt.time: "a time",
    }
    return names.get(type(value), type(value).__name__)


def _decode(raw: bytes, path: Path) -> str:
    """The file as text; TOML is UTF-8 by definition, so anything else is an input error."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise StandardsError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {column}); TOML files must be UTF-8",
            path=path,
            line=line,
        ) from None


def _show(value: object) -> str:
    """``repr`` for an error message, bounded: a huge or deeply nested value is shortened
    (``[[[...]]]``, ``'aaaa...aaaa'``) instead of flooding the terminal or recursing."""
    import reprlib

    short = reprlib.Repr()
    short.maxstring = short.maxother = 80
    short.maxlevel = 3
    return short.repr(value)


def _first_line(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _too_deep(path: Path, text: str) -> StandardsError:
    return StandardsError(
        "invalid TOML: arrays or inline tables nested too deeply", path=path, line=_deepest_line(text)
    )


def _deepest_line(text: str) -> int | None:
    """Best effort: the line where ``[``/``{`` nesting (outside strings and comments) peaks."""
    depth = best = 0
    line = 1
    best_line: int | None = None
    quote: str | None = None
    comment = False
    for char in text:
        if char == "\n":
            line += 1
            comment = False
            continue
        if comment:
            continue
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif char in "]}":
            depth = max(depth - 1, 0)
    return best_line


class _Parser:
    """Reads one ``[tool.alembic_standards]`` table of the file ``path`` (whose text finds lines)."""

    def __init__(self, data: Mapping[str, Any], path: Path, root: Path, text: str) -> None:
        self.data = data
        self.path = path
        self.root = root
        self.text = text
        self._exception_lines: list[int] | None = None

    # -- errors
    def error(self, key: str, message: str, hint: str | None = None) -> StandardsError:
        return StandardsError(
            f"[tool.alembic_standards] {key}: {message}", path=self.path, line=self._line_of(key), hint=hint
        )

    def _line_of(self, dotted: str) -> int | None:
        """Best-effort line of ``dotted`` (``a.b[2].c``): the leaf key, else its nearest parent."""
        section = max(self.text.find("[tool.alembic_standards"), 0)
        for leaf in reversed([p for p in re.split(r"[.\[\]]", dotted) if p and not p.isdigit()]):
            pattern = re.compile(
                rf"^[ \t]*\"?{re.escape(leaf)}\"?[ \t]*=|[{{,][ \t]*{re.escape(leaf)}[ \t]*=", re.MULTILINE
            )
            match = pattern.search(self.text, section)
            if match is not None:
                return self.text.count("\n", 0, match.start()) + 1
        return None

    def _unknown(self, where: str, keys: Mapping[str, Any], allowed: Sequence[str]) -> None:
        for key in keys:
            if key not in allowed:
                import difflib

                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(allowed)}"
                raise self.error(f"{where}{key}", "unknown key", hint)

    # -- typed getters
    def _str_list(self, key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise self.error(key, f"expected a string or a list of strings, got {type(value).__name__}")

    def _bool(self, key: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise self.error(key, f"expected true or false, got {_show(value)}")

    def _rules(self, key: str, value: Any) -> set[RuleId]:
        try:
            return resolve_rule_ids(self._str_list(key, value))
        except KeyError as exc:
            raise self.error(key, str(exc.args[0])) from None

    def _severity(self, key: str, value: Any) -> Severity:
        if not isinstance(value, str):
            raise self.error(key, f"expected a severity string, got {_show(value)}")
        try:
            return Severity.parse(value)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def _date(self, key: str, value: Any) -> dt.date:
        date = parse_date(value)
        if date is None:
            raise self.error(key, f"expected a date (YYYY-MM-DD), got {_show(value)}")
        return date

    # -- the whole table
    def parse(self) -> Config:
        data = self.data
        self._unknown("", data, _TOP_KEYS)
        kwargs: dict[str, Any] = {"root": self.root, "path": self.path}

        enabled = set(RULES)
        if "select" in data:
            enabled = self._rules("select", data["select"])
        if "ignore" in data:
            enabled -= self._rules("ignore", data["ignore"])
        kwargs["enabled"] = frozenset(enabled)

        if "severity" in data:
            table = data["severity"]
            if not isinstance(table, dict):
                raise self.error("severity", 'expected a table of RULE = "severity"')
            severities: dict[RuleId, Severity] = {}
            for selector, value in table.items():
                for rule_id in self._rules(f"severity.{selector}", [selector]):
                    severities[rule_id] = self._severity(f"severity.{selector}", value)
            kwargs["severities"] = severities
        if "fail_on" in data:
            kwargs["fail_on"] = self._severity("fail_on", data["fail_on"])
        if "naming_convention" in data:
            table = data["naming_convention"]
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise self.error("naming_convention", 'expected a table of key = "template" strings')
            self._unknown("naming_convention.", table, sorted(CONVENTION_KEYS))
            for key, template in table.items():
                # A printf width or precision is meaningless in an identifier (names are cut at
                # 63 characters anyway) and a large one (%(table_name)999999999s) would allocate
                # gigabytes at every use: refuse it here.
                wide = _FORMAT_WIDTH.search(template.replace("%%", ""))
                if wide is not None:
                    raise self.error(
                        f"naming_convention.{key}",
                        f"bad template {_show(template)}: field width or precision {wide.group(0)!r} is not allowed",
                    )
                try:
                    NamingConvention({key: template}).name(
                        key, "t", ["c"], referred_table="r", referred_columns=["id"], constraint_name="n"
                    )
                except (KeyError, ValueError, TypeError) as exc:
                    raise self.error(f"naming_convention.{key}", f"bad template {_show(template)}: {exc}") from None
            kwargs["naming"] = NamingConvention(dict(table))
        if "metadata" in data:
            kwargs["metadata"] = self._str_list("metadata", data["metadata"])
            for spec in kwargs["metadata"]:
                if ":" not in spec:
                    raise self.error(
                        "metadata", f"{spec!r} is not 'module:attribute'", 'e.g. "app.models:Base.metadata"'
                    )
        if "migrations" in data:
            kwargs["migrations"] = tuple(self.root / p for p in self._str_list("migrations", data["migrations"]))
        if "pk_index" in data:
            value = data["pk_index"]
            if value not in ("forbid", "allow", "require"):
                raise self.error("pk_index", f'expected "forbid", "allow" or "require", got {_show(value)}')
            kwargs["pk_index"] = value
        for key in ("owner_columns", "status_columns"):
            if key in data:
                kwargs[key] = self._str_list(key, data[key])
        if "timestamp_columns" in data:
            cols = self._str_list("timestamp_columns", data["timestamp_columns"])
            if len(cols) != 2:
                raise self.error("timestamp_columns", "expected exactly two names: [created, updated]")
            kwargs["timestamp_columns"] = (cols[0], cols[1])
        if "concurrent_indexes" in data:
            kwargs["concurrent_indexes"] = self._bool("concurrent_indexes", data["concurrent_indexes"])
        if "safe_migrations" in data:
            kwargs["safe_migrations"] = self._bool("safe_migrations", data["safe_migrations"])
            if kwargs["safe_migrations"] and kwargs.get("concurrent_indexes") is False:
                # Decision: a contradiction is an error, not a silent winner -- safe migrations
                # cannot build an index on an existing table the blocking way.
                raise self.error(
                    "concurrent_indexes",
                    "concurrent_indexes = false contradicts safe_migrations = true (which builds indexes concurrently)",
                    "remove concurrent_indexes",
                )
        if "exceptions" in data:
            kwargs["exceptions"] = self._exceptions(data["exceptions"])
        if "testing" in data:
            kwargs["testing"] = self._testing(data["testing"])
        for key in ("baseline", "since_revision"):
            if key in data:
                value = data[key]
                if not isinstance(value, str) or not value.strip():
                    raise self.error(key, f"expected a non-empty string, got {value!r}")
                kwargs[key] = self.root / value if key == "baseline" else value.strip()
        if "large_table" in data:
            kwargs["large_table"] = self._large_table(data["large_table"])
        return Config(**kwargs)

    def _large_table(self, value: Any) -> LargeTable:
        if not isinstance(value, dict):
            raise self.error("large_table", "expected a table, e.g. { rows = 100_000, size_mb = 10 }")
        self._unknown("large_table.", value, _LARGE_TABLE_KEYS)
        limits: dict[str, int] = {}
        for key, scale in (("rows", 1), ("size_mb", 1024 * 1024)):
            if key not in value:
                continue
            number = value[key]
            # bool is an int in Python, and `rows = true` is a typo, not a limit of one row.
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise self.error(f"large_table.{key}", f"expected a whole number >= 0, got {_show(number)}")
            limits["bytes" if key == "size_mb" else key] = number * scale
        return LargeTable(**limits)

    def _exceptions(self, value: Any) -> tuple[ExceptionEntry, ...]:
        if not isinstance(value, list):
            raise self.error("exceptions", "expected an array of tables ([[tool.alembic_standards.exceptions]])")
        out = []
        for number, item in enumerate(value, start=1):
            where = f"exceptions[{number}]"
            if not isinstance(item, dict):
                raise self.error(where, "expected a table")
            self._unknown(f"{where}.", item, _EXCEPTION_KEYS)
            rule = item.get("rule")
            if not isinstance(rule, str):
                raise self.error(f"{where}.rule", "every exception names the rule it is about")
            try:
                rule_id = resolve_rule_ids([rule])
            except KeyError as exc:
                raise self.error(f"{where}.rule", str(exc.args[0])) from None
            if len(rule_id) != 1:
                raise self.error(f"{where}.rule", f"{rule!r} matches several rules; name exactly one")
            strings: dict[str, str | None] = {}
            for key in ("table", "column", "constraint", "revision", "schema", "path", "ticket", "reason"):
                v = item.get(key)
                if v is not None and not isinstance(v, str):
                    raise self.error(f"{where}.{key}", f"expected a string, got {_show(v)}")
                strings[key] = v
            expires = self._date(f"{where}.expires", item["expires"]) if "expires" in item else None
            scope = strings.pop("path")
            if scope is not None and not scope.strip():
                raise self.error(f"{where}.path", "expected a file or directory, relative to this pyproject.toml")
            out.append(
                ExceptionEntry(
                    rule=next(iter(rule_id)),
                    reason=(strings.pop("reason") or "").strip(),
                    expires=expires,
                    source=Location(path=self.path, line=self._line_of_exception(number)),
                    table=strings["table"],
                    column=strings["column"],
                    constraint=strings["constraint"],
                    revision=strings["revision"],
                    schema=strings["schema"],
                    ticket=strings["ticket"],
                    # Not required to exist: a scope that matches nothing is reported (AS903).
                    path=Path(os.path.abspath(self.root / scope)) if scope is not None else None,
                )
            )
        return tuple(out)

    def _line_of_exception(self, number: int) -> int | None:
        if self._exception_lines is None:
            # Found once for all entries (per entry, a file with thousands of them took minutes).
            lines: list[int] = []
            line, position = 1, 0
            pattern = re.compile(r"^[ \t]*\[\[tool\.alembic_standards\.exceptions\]\]", re.MULTILINE)
            for match in pattern.finditer(self.text):
                line += self.text.count("\n", position, match.start())
                position = match.start()
                lines.append(line)
            self._exception_lines = lines
        if len(self._exception_lines) >= number:
            return self._exception_lines[number - 1]
        return None

    def _testing(self, value: Any) -> TestingConfig:
        if not isinstance(value, dict):
            raise self.error("testing", "expected a table")
        self._unknown("testing.", value, _TESTING_KEYS)
        kwargs: dict[str, Any] = {}
        if "checks" in value:
            kwargs["checks"] = self._str_list("testing.checks", value["checks"])
        for key in ("skip_revisions", "skip_tables"):
            if key in value:
                table = value[key]
                if not isinstance(table, dict) or not all(isinstance(v, str) and v.strip() for v in table.values()):
                    raise self.error(f"testing.{key}", 'expected a table of name = "reason" (a reason is required)')
                kwargs[key] = dict(table)
        if "minimum_downgrade_revision" in value:
            rev = value["minimum_downgrade_revision"]
            if not isinstance(rev, str):
                raise self.error("testing.minimum_downgrade_revision", "expected a revision id string")
            kwargs["minimum_downgrade_revision"] = rev
        return TestingConfig(**kwargs)
