"""The per-file result cache: an unchanged revision file is not parsed again.

Why: parsing is the checker's floor, and CI re-runs and pre-commit see mostly unchanged files.  The
stored form is a versioned, named JSON schema (:data:`SCHEMA_VERSION`): every object has named keys,
every value is type-checked when read, and anything not understood -- an older schema, a foreign
writer, a truncated or hand-edited entry -- is a cache miss (the file is read again), never a crash
and never a wrong finding.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..config import ExceptionEntry
from ..coverage import KeyColumns
from ..fileio import read_regular_file
from ..findings import Finding, Location, RuleId, Severity
from ..rules import RULES
from ..safety import step_from_json, step_to_json
from .facts import RevisionInfo, _ConstraintNames, _FileResult, _ForeignKey, _NamedRef, _Revision, _Unnamed

if TYPE_CHECKING:
    from ..config import Config


CACHE_DIR_NAME: Final = ".alembic_standards_cache"
CACHE_DIR_ENV: Final = "ALEMBIC_STANDARDS_CACHE_DIR"
SCHEMA: Final = "alembic-standards/migrations-cache"
"""What a cache document says it is: a JSON file of any other origin is not read."""
SCHEMA_VERSION: Final = 4
"""Bumped whenever a stored object gains, loses or changes a key.  Version 1 stored positional
lists (a finding decoded from exactly ten items): it is read as a miss, like any unknown version.
Version 3 added each revision's safety steps; version 4 whether a file mentions an inline suppression."""
MAX_CACHE_BYTES: Final = 256 * 1024 * 1024
"""A cache file larger than this is ignored (about 100 times what 1,000 revisions need)."""
_RACY_NS: Final = 2_000_000_000
"""Files modified less than this long before the run are not cached (see :meth:`_ResultCache.put`)."""
_CODE: Final = (
    "migrations/__init__.py",
    "migrations/extract.py",
    "migrations/facts.py",
    "migrations/per_file.py",
    "reversal.py",
    "layout.py",
    "naming.py",
    "coverage.py",
    "config.py",
    "findings.py",
    "rules.py",
    "safety.py",
    "migrations/safety_steps.py",
)
"""The modules whose code decides a file's per-file results."""
_CACHEDIR_TAG: Final = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by alembic-standards.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


class _Uncacheable(Exception):
    """A result that the cache format cannot represent exactly: it is simply not cached."""


class _ResultCache:
    """Per-file results of earlier runs, so that an unchanged revision file is not parsed again.

    Why: parsing is the checker's floor (``ast.parse`` of 1,000 revisions costs about what a warm
    ``alembic history`` costs in total), and CI re-runs and pre-commit see mostly unchanged files,
    the way ``__pycache__`` serves ``alembic history`` and ``.ruff_cache`` serves ruff.

    * One JSON file per *fingerprint*: the package version, the Python implementation, the size
      and mtime of the checker's own modules (an editable install changes code without changing
      its version) and the configuration that per-file results depend on (enabled rules,
      severities, naming convention).  Another configuration uses another file.
    * In it, per file: the absolute path, the size and mtime_ns of the bytes read, and the
      extracted facts -- the file's own findings, its revision identifiers, the keys and foreign
      keys it creates, its raw SQL, its irreversible marker.  The history-wide check (AS201 across
      revisions) is recomputed from these on every run; it is never cached.
    * JSON, never pickle or byte code: reading a cache file can build only strings, numbers and
      lists, and every value is type-checked while it is turned back into findings.  A cache that
      cannot be read, does not parse or holds anything unexpected is ignored (and rewritten);
      one that cannot be written is only a missed speed-up.  Neither is ever an error.
    * A file whose mtime is within two seconds of the run is not stored: an edit in the same
      timestamp tick (coarse file systems) would otherwise keep its size and mtime and go unseen.
    """

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.file = directory / f"migrations-{fingerprint[:16]}.json"
        self.started_ns = time.time_ns()
        self.entries: dict[str, Any] = self._load()
        self.seen: set[str] = set()
        self.dirty = False

    @classmethod
    def open(cls, config: Config, cache: bool | str | os.PathLike[str]) -> _ResultCache | None:
        if cache is False:
            return None
        if cache is True:
            override = os.environ.get(CACHE_DIR_ENV)
            base = config.path.parent if config.path is not None else config.root
            directory = Path(override) if override else Path(base) / CACHE_DIR_NAME
        else:
            directory = Path(cache)
        return cls(Path(os.path.abspath(directory)), _fingerprint(config))

    def _load(self) -> dict[str, Any]:
        # Only a regular file, not through a link, and not past a size bound: a cache path made a
        # link to /dev/zero or a FIFO must not read forever or block (it is ignored, then replaced).
        try:
            _, data = read_regular_file(self.file, MAX_CACHE_BYTES, follow=False)
            if len(data) > MAX_CACHE_BYTES:
                return {}
            import json  # here, not at import: a --no-cache run never needs it (issue 15)

            document = json.loads(data)
        except (OSError, ValueError, RecursionError):
            return {}
        if (
            not isinstance(document, dict)
            or document.get("schema") != SCHEMA
            or document.get("version") != SCHEMA_VERSION
            or document.get("fingerprint") != self.fingerprint
            or not isinstance(document.get("files"), dict)
        ):
            return {}
        files: dict[str, Any] = document["files"]
        return files

    def get(self, path: Path) -> _FileResult | None:
        """The cached result for ``path`` if the file is unchanged, else None."""
        name = os.fspath(path)
        key = os.path.abspath(name)
        self.seen.add(key)
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            status = os.stat(name)
        except OSError:
            return None
        try:
            record = _record(entry, _ENTRY)
            if (record["size"], record["mtime_ns"]) != (status.st_size, status.st_mtime_ns):
                return None
            return _decode_result(path, record["result"], (status.st_size, status.st_mtime_ns))
        except (TypeError, ValueError, RecursionError):
            del self.entries[key]  # corrupt: forget it, the file is read again
            self.dirty = True
            return None

    def put(self, path: Path, result: _FileResult) -> None:
        key = os.path.abspath(path)
        self.seen.add(key)
        try:
            if result.stat is None or self.started_ns - result.stat[1] < _RACY_NS:
                raise _Uncacheable
            entry = {"size": result.stat[0], "mtime_ns": result.stat[1], "result": _encode_result(path, result)}
        except _Uncacheable:
            if self.entries.pop(key, None) is not None:
                self.dirty = True
            return
        self.entries[key] = entry
        self.dirty = True

    def save(self) -> None:
        """Write the cache back if anything changed (atomically: a reader never sees half a file)."""
        if not self.dirty:
            return
        files = {k: v for k, v in self.entries.items() if k in self.seen or os.path.exists(k)}
        document = {"schema": SCHEMA, "version": SCHEMA_VERSION, "fingerprint": self.fingerprint, "files": files}
        temporary: str | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for name, text in (
                (".gitignore", "# Automatically created by alembic-standards.\n*\n"),
                ("CACHEDIR.TAG", _CACHEDIR_TAG),
            ):
                marker = self.directory / name
                if not marker.exists():
                    marker.write_text(text, encoding="utf-8")
            import json
            import tempfile  # pulls in shutil, bz2, lzma, random: only when a cache is written

            handle, temporary = tempfile.mkstemp(prefix=".migrations-", suffix=".tmp", dir=self.directory)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out, separators=(",", ":"))
            os.replace(temporary, self.file)
            temporary = None
        except OSError:
            pass  # read-only checkout, full disk...: the next run parses again, nothing else changes
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


def _fingerprint(config: Config) -> str:
    """What, besides a file's bytes, decides its per-file results."""
    from .. import __version__

    here = Path(__file__).parent.parent  # the alembic_standards package
    code: list[object] = []
    for name in _CODE:
        try:
            status = (here / name).stat()
            code.append([name, status.st_size, status.st_mtime_ns])
        except OSError:
            code.append([name, None, None])
    parts = {
        "schema": [SCHEMA, SCHEMA_VERSION],
        "version": __version__,
        "python": [sys.implementation.cache_tag, list(sys.version_info[:3])],
        "code": code,
        # The configuration that per-file checks read: Config.finding (severities), is_enabled,
        # the naming convention (suggested names) and what the models' convention names (AS501).
        # Anything else is history-wide or paths.
        "enabled": sorted(config.enabled),
        "severities": sorted((rule, severity.value) for rule, severity in config.severities.items()),
        "naming": [sorted(config.naming.templates.items()), config.naming.limit],
        "migration_convention": sorted(config.migration_convention),
    }
    import hashlib
    import json

    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


# -- JSON encoding of a _FileResult -------------------------------------------------------------
# Every stored object is a JSON object with exactly the keys named below: one key more or less, a
# list where an object belongs, a value of the wrong type, an unknown rule or severity, and the
# entry is a cache miss (TypeError/ValueError, caught by :meth:`_ResultCache.get`).  Findings and
# locations are stored without their path: it is the file's own path, re-attached when the entry
# is read (an entry found under another path is never used).

_ENTRY: Final = frozenset({"size", "mtime_ns", "result"})
_RESULT: Final = frozenset({"errors", "irreversible", "revision"})
_REVISION: Final = frozenset({"info", "findings", "keys", "foreign_keys", "raw_sql", "names", "safety"})
_INFO: Final = frozenset({"revision", "down_revisions", "depends_on", "branch_labels", "line", "suppressions"})
_FINDING: Final = frozenset(
    {"rule", "severity", "message", "line", "col", "schema", "table", "column", "constraint", "revision"}
)
_EXCEPTION: Final = frozenset(
    {"rule", "reason", "table", "column", "constraint", "revision", "schema", "ticket", "line"}
)
_TABLE_KEYS: Final = frozenset({"schema", "table", "keys"})
_KEY: Final = frozenset({"columns", "kind", "name", "predicate"})
_FOREIGN_KEY: Final = frozenset({"schema", "table", "columns", "referred", "line", "col"})
_NAMES: Final = frozenset({"unnamed", "created", "dropped"})
_UNNAMED: Final = frozenset({"kind", "schema", "table", "columns", "referred", "line", "col"})
_NAMED_REF: Final = frozenset({"name", "schema", "table", "line", "col"})
_KINDS: Final = frozenset({"fk", "uq", "ck", "pk"})


def _encode_result(path: Path, result: _FileResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "errors": [_encode_finding(path, f) for f in result.input_errors],
        "irreversible": [_encode_entry(path, e) for e in result.irreversible],
        "revision": None,
    }
    revision = result.revision
    if revision is not None:
        info = revision.info
        if revision.path != path or info.path != path:
            raise _Uncacheable
        out["revision"] = {
            "info": {
                "revision": info.revision,
                "down_revisions": info.down_revisions,
                "depends_on": info.depends_on,
                "branch_labels": info.branch_labels,
                "line": info.line,
                "suppressions": info.suppressions,
            },
            "findings": [_encode_finding(path, f) for f in revision.findings],
            "keys": [
                {
                    "schema": schema,
                    "table": table,
                    "keys": [
                        {"columns": k.columns, "kind": k.kind, "name": k.name, "predicate": k.predicate} for k in keys
                    ],
                }
                for (schema, table), keys in revision.keys.items()
            ],
            "foreign_keys": [
                {
                    "schema": fk.schema,
                    "table": fk.table,
                    "columns": fk.columns,
                    "referred": fk.referred,
                    "line": fk.line,
                    "col": fk.col,
                }
                for fk in revision.foreign_keys
            ],
            "raw_sql": revision.raw_sql,
            "safety": [step_to_json(step) for step in revision.safety],
            "names": {
                "unnamed": [
                    {
                        "kind": u.kind,
                        "schema": u.schema,
                        "table": u.table,
                        "columns": u.columns,
                        "referred": u.referred,
                        "line": u.line,
                        "col": u.col,
                    }
                    for u in revision.names.unnamed
                ],
                "created": [_encode_ref(r) for r in revision.names.created],
                "dropped": [_encode_ref(r) for r in revision.names.dropped],
            },
        }
    return out


def _encode_ref(ref: _NamedRef) -> dict[str, Any]:
    return {"name": ref.name, "schema": ref.schema, "table": ref.table, "line": ref.line, "col": ref.col}


def _encode_finding(path: Path, finding: Finding) -> dict[str, Any]:
    loc = finding.location
    if loc.path != path:
        raise _Uncacheable
    return {
        "rule": finding.rule_id,
        "severity": finding.severity.value,
        "message": finding.message,
        "line": loc.line,
        "col": loc.col,
        "schema": loc.schema,
        "table": loc.table,
        "column": loc.column,
        "constraint": loc.constraint,
        "revision": loc.revision,
    }


def _encode_entry(path: Path, entry: ExceptionEntry) -> dict[str, Any]:
    if entry.expires is not None or entry.source != Location(path=path, line=entry.source.line):
        raise _Uncacheable
    return {
        "rule": entry.rule,
        "reason": entry.reason,
        "table": entry.table,
        "column": entry.column,
        "constraint": entry.constraint,
        "revision": entry.revision,
        "schema": entry.schema,
        "ticket": entry.ticket,
        "line": entry.source.line,
    }


def _decode_result(path: Path, data: Any, stat: tuple[int, int]) -> _FileResult:
    """The inverse of :func:`_encode_result`; TypeError/ValueError on anything unexpected."""
    record = _record(data, _RESULT)
    result = _FileResult(
        input_errors=[_decode_finding(path, f) for f in _list(record["errors"])],
        irreversible=[_decode_entry(path, e) for e in _list(record["irreversible"])],
        stat=stat,
    )
    if record["revision"] is None:
        return result
    revision = _record(record["revision"], _REVISION)
    info = _record(revision["info"], _INFO)
    keys: dict[tuple[str | None, str], list[KeyColumns]] = {}
    for item in _list(revision["keys"]):
        table_keys = _record(item, _TABLE_KEYS)
        keys[(_opt_str(table_keys["schema"]), _str(table_keys["table"]))] = [
            _decode_key(k) for k in _list(table_keys["keys"])
        ]
    foreign_keys = []
    for item in _list(revision["foreign_keys"]):
        fk = _record(item, _FOREIGN_KEY)
        foreign_keys.append(
            _ForeignKey(
                _opt_str(fk["schema"]),
                _str(fk["table"]),
                _strs(fk["columns"]),
                _opt_str(fk["referred"]),
                _int(fk["line"]),
                _int(fk["col"]),
            )
        )
    result.revision = _Revision(
        path=path,
        info=RevisionInfo(
            revision=_opt_str(info["revision"]),
            down_revisions=_strs(info["down_revisions"]),
            depends_on=_strs(info["depends_on"]),
            branch_labels=_strs(info["branch_labels"]),
            path=path,
            line=_opt_int(info["line"]),
            suppressions=_bool(info["suppressions"]),
        ),
        findings=[_decode_finding(path, f) for f in _list(revision["findings"])],
        keys=keys,
        foreign_keys=foreign_keys,
        raw_sql=[_opt_str(sql) for sql in _list(revision["raw_sql"])],
        names=_decode_names(revision["names"]),
        safety=[step_from_json(step) for step in _list(revision["safety"])],
    )
    return result


def _decode_names(data: Any) -> _ConstraintNames:
    names = _record(data, _NAMES)
    unnamed = []
    for item in _list(names["unnamed"]):
        u = _record(item, _UNNAMED)
        if u["kind"] not in _KINDS:
            raise ValueError(f"unknown constraint kind {u['kind']!r}")
        unnamed.append(
            _Unnamed(
                _str(u["kind"]),
                _opt_str(u["schema"]),
                _str(u["table"]),
                _strs(u["columns"]),
                _opt_str(u["referred"]),
                _int(u["line"]),
                _int(u["col"]),
            )
        )
    return _ConstraintNames(
        unnamed=unnamed,
        created=[_decode_ref(r) for r in _list(names["created"])],
        dropped=[_decode_ref(r) for r in _list(names["dropped"])],
    )


def _decode_ref(data: Any) -> _NamedRef:
    ref = _record(data, _NAMED_REF)
    return _NamedRef(
        _str(ref["name"]), _opt_str(ref["schema"]), _opt_str(ref["table"]), _int(ref["line"]), _int(ref["col"])
    )


def _decode_finding(path: Path, data: Any) -> Finding:
    finding = _record(data, _FINDING)
    if finding["rule"] not in RULES:
        raise ValueError(f"unknown rule {finding['rule']!r}")
    location = Location(
        path=path,
        line=_opt_int(finding["line"]),
        col=_opt_int(finding["col"]),
        schema=_opt_str(finding["schema"]),
        table=_opt_str(finding["table"]),
        column=_opt_str(finding["column"]),
        constraint=_opt_str(finding["constraint"]),
        revision=_opt_str(finding["revision"]),
    )
    return Finding(
        RuleId(_str(finding["rule"])), Severity(_str(finding["severity"])), _str(finding["message"]), location
    )


def _decode_entry(path: Path, data: Any) -> ExceptionEntry:
    entry = _record(data, _EXCEPTION)
    if entry["rule"] not in RULES:
        raise ValueError(f"unknown rule {entry['rule']!r}")
    return ExceptionEntry(
        rule=RuleId(_str(entry["rule"])),
        reason=_str(entry["reason"]),
        table=_opt_str(entry["table"]),
        column=_opt_str(entry["column"]),
        constraint=_opt_str(entry["constraint"]),
        revision=_opt_str(entry["revision"]),
        schema=_opt_str(entry["schema"]),
        ticket=_opt_str(entry["ticket"]),
        source=Location(path=path, line=_opt_int(entry["line"])),
    )


def _decode_key(data: Any) -> KeyColumns:
    key = _record(data, _KEY)
    if key["kind"] not in ("index", "primary_key", "unique"):
        raise ValueError(f"unknown key kind {key['kind']!r}")
    columns = tuple(_opt_str(c) for c in _list(key["columns"]))
    return KeyColumns(columns, key["kind"], _opt_str(key["name"]), _opt_str(key["predicate"]))


def _record(value: Any, keys: frozenset[str]) -> dict[str, Any]:
    """``value`` if it is a JSON object with exactly ``keys``: a stored object of another shape
    (an older schema, another writer) is not guessed at."""
    if type(value) is not dict or value.keys() != keys:
        raise TypeError("unexpected object")
    return value


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise TypeError("expected a list")
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("expected a string")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(_str(v) for v in _list(value))


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError("expected true or false")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:  # not bool
        raise TypeError("expected an integer")
    return value


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)
