"""The per-file result cache: an unchanged revision file is not parsed again.

Why: parsing is the checker's floor, and CI re-runs and pre-commit see mostly unchanged files.  The
stored form is a versioned, named JSON schema (:data:`SCHEMA_VERSION`): every object has named keys,
every value is type-checked when read, and anything not understood -- an older schema, a foreign
writer, a truncated or hand-edited entry -- is a cache miss (the file is read again), never a crash
and never a wrong finding.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..config import ExceptionEntry
from ..coverage import KeyColumns
from ..fileio import read_regular_file
from ..findings import Finding, Location, Severity
from ..rules import RULES
from .facts import RevisionInfo, _FileResult, _ForeignKey, _Revision

if TYPE_CHECKING:
    from ..config import Config


CACHE_DIR_NAME: Final = ".alembic_standards_cache"
CACHE_DIR_ENV: Final = "ALEMBIC_STANDARDS_CACHE_DIR"
_CACHE_FORMAT: Final = 1
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
            document = json.loads(data)
        except (OSError, ValueError, RecursionError):
            return {}
        if (
            not isinstance(document, dict)
            or document.get("format") != _CACHE_FORMAT
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
            if not isinstance(entry, dict) or (entry.get("size"), entry.get("mtime_ns")) != (
                status.st_size,
                status.st_mtime_ns,
            ):
                return None
            return _decode_result(path, entry["result"], (status.st_size, status.st_mtime_ns))
        except (KeyError, IndexError, TypeError, ValueError, RecursionError):
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
        document = {"format": _CACHE_FORMAT, "fingerprint": self.fingerprint, "files": files}
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
        "format": _CACHE_FORMAT,
        "version": __version__,
        "python": [sys.implementation.cache_tag, list(sys.version_info[:3])],
        "code": code,
        # The configuration that per-file checks read: Config.finding (severities), is_enabled,
        # and the naming convention (suggested names).  Anything else is history-wide or paths.
        "enabled": sorted(config.enabled),
        "severities": sorted((rule, severity.value) for rule, severity in config.severities.items()),
        "naming": [sorted(config.naming.templates.items()), config.naming.limit],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


# -- JSON encoding of a _FileResult -------------------------------------------------------------
# Findings and locations are stored without their path: it is the file's own path, re-attached
# when the entry is read (an entry found under another path is never used).


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
            "info": [info.revision, info.down_revisions, info.depends_on, info.branch_labels, info.line],
            "findings": [_encode_finding(path, f) for f in revision.findings],
            "keys": [
                [schema, table, [[k.columns, k.kind, k.name, k.predicate] for k in keys]]
                for (schema, table), keys in revision.keys.items()
            ],
            "foreign_keys": [
                [fk.schema, fk.table, fk.columns, fk.referred, fk.line, fk.col] for fk in revision.foreign_keys
            ],
            "raw_sql": revision.raw_sql,
        }
    return out


def _encode_finding(path: Path, finding: Finding) -> list[Any]:
    loc = finding.location
    if loc.path != path:
        raise _Uncacheable
    return [
        finding.rule_id,
        finding.severity.value,
        finding.message,
        loc.line,
        loc.col,
        loc.schema,
        loc.table,
        loc.column,
        loc.constraint,
        loc.revision,
    ]


def _encode_entry(path: Path, entry: ExceptionEntry) -> list[Any]:
    if entry.expires is not None or entry.source != Location(path=path, line=entry.source.line):
        raise _Uncacheable
    return [
        entry.rule,
        entry.reason,
        entry.table,
        entry.column,
        entry.constraint,
        entry.revision,
        entry.schema,
        entry.ticket,
        entry.source.line,
    ]


def _decode_result(path: Path, data: Any, stat: tuple[int, int]) -> _FileResult:
    """The inverse of :func:`_encode_result`; TypeError/ValueError/KeyError on anything unexpected."""
    if not isinstance(data, dict):
        raise TypeError("result")
    result = _FileResult(
        input_errors=[_decode_finding(path, f) for f in _list(data["errors"])],
        irreversible=[_decode_entry(path, e) for e in _list(data["irreversible"])],
        stat=stat,
    )
    revision = data["revision"]
    if revision is None:
        return result
    if not isinstance(revision, dict):
        raise TypeError("revision")
    rev_id, down, depends, labels, line = _list(revision["info"], 5)
    keys: dict[tuple[str | None, str], list[KeyColumns]] = {}
    for item in _list(revision["keys"]):
        schema, table, found = _list(item, 3)
        keys[(_opt_str(schema), _str(table))] = [_decode_key(k) for k in _list(found)]
    foreign_keys = []
    for item in _list(revision["foreign_keys"]):
        schema, table, columns, referred, fk_line, fk_col = _list(item, 6)
        foreign_keys.append(
            _ForeignKey(_opt_str(schema), _str(table), _strs(columns), _opt_str(referred), _int(fk_line), _int(fk_col))
        )
    result.revision = _Revision(
        path=path,
        info=RevisionInfo(
            revision=_opt_str(rev_id),
            down_revisions=_strs(down),
            depends_on=_strs(depends),
            branch_labels=_strs(labels),
            path=path,
            line=_opt_int(line),
        ),
        findings=[_decode_finding(path, f) for f in _list(revision["findings"])],
        keys=keys,
        foreign_keys=foreign_keys,
        raw_sql=[_opt_str(sql) for sql in _list(revision["raw_sql"])],
    )
    return result


def _decode_finding(path: Path, data: Any) -> Finding:
    rule_id, severity, message, line, col, schema, table, column, constraint, revision = _list(data, 10)
    if rule_id not in RULES:
        raise ValueError(f"unknown rule {rule_id!r}")
    location = Location(
        path=path,
        line=_opt_int(line),
        col=_opt_int(col),
        schema=_opt_str(schema),
        table=_opt_str(table),
        column=_opt_str(column),
        constraint=_opt_str(constraint),
        revision=_opt_str(revision),
    )
    return Finding(_str(rule_id), Severity(_str(severity)), _str(message), location)


def _decode_entry(path: Path, data: Any) -> ExceptionEntry:
    rule, reason, table, column, constraint, revision, schema, ticket, line = _list(data, 9)
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    return ExceptionEntry(
        rule=_str(rule),
        reason=_str(reason),
        table=_opt_str(table),
        column=_opt_str(column),
        constraint=_opt_str(constraint),
        revision=_opt_str(revision),
        schema=_opt_str(schema),
        ticket=_opt_str(ticket),
        source=Location(path=path, line=_opt_int(line)),
    )


def _decode_key(data: Any) -> KeyColumns:
    columns, kind, name, predicate = _list(data, 4)
    if kind not in ("index", "primary_key", "unique"):
        raise ValueError(f"unknown key kind {kind!r}")
    return KeyColumns(tuple(_opt_str(c) for c in _list(columns)), kind, _opt_str(name), _opt_str(predicate))


def _list(value: Any, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
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


def _int(value: Any) -> int:
    if type(value) is not int:  # not bool
        raise TypeError("expected an integer")
    return value


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)
