"""Output formats for findings: human text, JSON, SARIF 2.1.0 and GitHub workflow annotations.

Every stage reports :class:`~alembic_standards.findings.Finding` objects; this module turns a list
of them into text for one consumer and nothing else (no rule logic, no exit-code policy), so the
CLI, the pytest checks and any other caller print findings identically.

Decisions recorded here:

* Paths are printed relative to ``root`` (the CLI passes the working directory, like ruff and
  mypy do) so that terminals and editors can open ``path:line:col``; paths outside ``root`` stay
  absolute.  JSON/SARIF/GitHub use forward slashes on every platform.
* A finding about a schema object without a file (the live-database audit) is located by its
  object name (``schema.table.column``): in text as the location, in SARIF as a *logical* location,
  in GitHub annotations as a prefix of the message (an annotation without ``file`` is attached to
  the workflow run instead of a line).
* The SARIF run lists the *whole* catalogue in ``tool.driver.rules`` (not only the rules that
  fired) so ``ruleIndex`` values are stable across runs and GitHub code scanning shows the help
  of every rule.
* Output is deterministic: findings are sorted by :meth:`Finding.sort_key`.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .findings import Finding, Location, Severity
from .rules import RULES

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "DOCS_URL",
    "FORMATS",
    "SARIF_SCHEMA_URI",
    "format_findings",
    "format_github",
    "format_json",
    "format_sarif",
    "format_text",
    "summary",
    "use_color",
]

FORMATS = ("text", "json", "sarif", "github")

DOCS_URL = "https://github.com/alembic-standards/alembic-standards/blob/main/docs/rules/"
"""Where ``docs/rules/<ID>.md`` is published; SARIF ``helpUri`` points there."""

INFORMATION_URI = "https://github.com/alembic-standards/alembic-standards"

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}

# ANSI SGR codes; colour is only ever used on a terminal (see use_color).
_BOLD = "1"
_COLOR = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def use_color(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _sgr(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _sorted(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


# The errors Path.is_symlink() answers False to (pathlib's _IGNORED_ERRNOS).
_NOT_A_LINK = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


class _Paths:
    """Finding paths made relative to ``root``, once per file for one report.

    ``Path.resolve`` costs a system call per path component, and 2,000 findings name the same
    few directories and files again and again: each file is resolved once, through its
    directory's resolution (one ``lstat`` for the file itself, to follow it if it is a link, as
    ``resolve`` does).  Kept for this report only: a later one may see a different file system.

    The common case (a plain file in a directory inside ``root``) is done on strings: the
    directory's relative form is computed once with ``Path`` and each file only appends its
    name, which saves the ``Path`` objects, ``relative_to`` and hashing per file (about 60 k
    instructions per file, 6 % of a cold check of 1,000 revisions).  Anything else (a link, a
    directory outside ``root``, a name such as ``..``) takes the general ``Path`` way.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root.resolve() if root is not None else None
        self._files: dict[str, str] = {}
        self._directories: dict[str, str | None] = {}

    def _shown_path(self, path: Path) -> Path:
        """The general way: ``path`` relative to ``root`` when inside it, else as given."""
        assert self.root is not None
        try:
            if path.name in ("", ".", "..") or path.is_symlink():
                return path.resolve().relative_to(self.root)
            return (path.parent.resolve() / path.name).relative_to(self.root)
        except (ValueError, OSError, RuntimeError):  # outside root; a symlink loop (Python < 3.13)
            return path

    def _directory_prefix(self, directory: str) -> str | None:
        """What a plain file in ``directory`` is shown under (``"a/b/"``, or ``""`` for ``root``
        itself); None when the directory is not inside ``root`` or cannot be resolved."""
        assert self.root is not None
        try:
            relative = Path(directory or ".").resolve().relative_to(self.root)
        except (ValueError, OSError, RuntimeError):
            return None
        return str(relative) + os.sep if relative.parts else ""

    def shown(self, path: Path) -> str:
        """``path`` relative to ``root`` when inside it, else as given (as text)."""
        text = str(path)
        if self.root is None:
            return text
        shown = self._files.get(text)
        if shown is None:
            directory, name = os.path.split(text)
            if directory in self._directories:
                prefix = self._directories[directory]
            else:
                prefix = self._directories[directory] = self._directory_prefix(directory)
            plain = prefix is not None and name not in ("", ".", "..")
            if plain:
                try:
                    plain = not stat.S_ISLNK(os.lstat(text).st_mode)
                except OSError as exc:  # a missing file is no link (Path.is_symlink); others: the general way
                    plain = exc.errno in _NOT_A_LINK
            shown = f"{prefix}{name}" if plain else str(self._shown_path(path))
            self._files[text] = shown
        return shown

    def posix(self, path: Path) -> str:
        """:meth:`shown`, with forward slashes (JSON, SARIF, GitHub)."""
        shown = self.shown(path)
        return shown if os.sep == "/" else shown.replace(os.sep, "/")


# ---------------------------------------------------------------------------------------- text
def format_text(findings: Sequence[Finding], *, root: Path | None = None, color: bool = False) -> str:
    """One ``path:line:col: ID message`` line per finding (object name when there is no file)."""
    lines = []
    paths = _Paths(root)
    for finding in _sorted(findings):
        loc = finding.location
        where = loc.render_as(paths.shown(loc.path) if loc.path is not None else None)
        rule: str = finding.rule_id
        if color:
            where, rule = _sgr(where, _BOLD, color), _sgr(rule, f"{_BOLD};{_COLOR[finding.severity]}", color)
        # Concatenated, not an f-string: formatting a RuleId runs its Python __format__ per finding.
        lines.append(where + ": " + rule + " " + finding.message)
    return "".join(line + "\n" for line in lines)


def summary(findings: Sequence[Finding]) -> str:
    """The closing line (printed on stderr by the CLI): counts by severity."""
    if not findings:
        return "All checks passed."
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    parts = [
        f"{counts[s]} {s.value}{'' if counts[s] == 1 or s is Severity.INFO else 's'}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts[s]
    ]
    noun = "finding" if len(findings) == 1 else "findings"
    return f"Found {len(findings)} {noun} ({', '.join(parts)})."


# ---------------------------------------------------------------------------------------- json
def _json_record(finding: Finding, paths: _Paths) -> dict[str, Any]:
    loc = finding.location
    return {
        "rule": finding.rule_id,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": paths.posix(loc.path) if loc.path is not None else None,
        "line": loc.line,
        "col": loc.col,
        "schema": loc.schema,
        "table": loc.table,
        "column": loc.column,
        "constraint": loc.constraint,
        "revision": loc.revision,
    }


def format_json(findings: Sequence[Finding], *, root: Path | None = None) -> str:
    """A JSON array of findings; every key is always present (null when unknown)."""
    import json  # here, not at start-up: text output does not need it (about 7 M instructions)

    paths = _Paths(root)
    return json.dumps([_json_record(f, paths) for f in _sorted(findings)], indent=2) + "\n"


# ---------------------------------------------------------------------------------------- sarif
def _sarif_rules() -> list[dict[str, Any]]:
    out = []
    for rule in RULES.values():
        out.append(
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.rationale},
                "helpUri": f"{DOCS_URL}{rule.id}.md",
                "help": {"text": rule.explain(), "markdown": rule.markdown()},
                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                "properties": {"tags": sorted(stage.value for stage in rule.stages)},
            }
        )
    return out


def _logical_locations(loc: Location) -> list[dict[str, Any]]:
    name = loc.object_name
    if name is None:
        if loc.revision is None:
            return []
        return [{"name": loc.revision, "fullyQualifiedName": f"revision {loc.revision}", "kind": "module"}]
    if loc.column:
        kind, leaf = "column", loc.column
    elif loc.constraint:
        kind, leaf = "constraint", loc.constraint
    else:
        kind, leaf = "table", loc.table or name
    return [{"name": leaf, "fullyQualifiedName": name, "kind": kind}]


def _sarif_result(finding: Finding, index: dict[str, int], paths: _Paths) -> dict[str, Any]:
    loc = finding.location
    location: dict[str, Any] = {}
    if loc.path is not None:
        rel = paths.posix(loc.path)
        artifact: dict[str, Any]
        if Path(rel).is_absolute():
            artifact = {"uri": Path(rel).as_uri()}
        else:
            # Relative URIs resolve against %SRCROOT% (GitHub maps it to the checkout).
            artifact = {"uri": rel, "uriBaseId": "%SRCROOT%"}
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if loc.line is not None:
            region: dict[str, int] = {"startLine": loc.line}
            if loc.col is not None:
                region["startColumn"] = loc.col
            physical["region"] = region
        location["physicalLocation"] = physical
    logical = _logical_locations(loc)
    if logical:
        location["logicalLocations"] = logical
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": finding.message},
    }
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if location:
        result["locations"] = [location]
    return result


def format_sarif(findings: Sequence[Finding], *, root: Path | None = None, version: str | None = None) -> str:
    """A SARIF 2.1.0 log with one run (what ``github/codeql-action/upload-sarif`` accepts)."""
    import json

    if version is None:
        from . import __version__ as version
    rules = _sarif_rules()
    paths = _Paths(root)
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "alembic-standards",
                "version": version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "results": [_sarif_result(f, index, paths) for f in _sorted(findings)],
        "columnKind": "unicodeCodePoints",
    }
    if root is not None:
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}}
    log = {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


# ---------------------------------------------------------------------------------------- github
def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping for the message part.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # Property values additionally escape ':' and ','.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: Sequence[Finding], *, root: Path | None = None) -> str:
    """``::error file=…,line=…,col=…,title=ID::message`` workflow commands, one per finding."""
    lines = []
    paths = _Paths(root)
    for finding in _sorted(findings):
        loc = finding.location
        props: list[str] = []
        message = finding.message
        if loc.path is not None:
            props.append(f"file={_escape_property(paths.posix(loc.path))}")
            if loc.line is not None:
                props.append(f"line={loc.line}")
                if loc.col is not None:
                    props.append(f"col={loc.col}")
        elif loc.object_name is not None:
            message = f"{loc.object_name}: {message}"
        props.append(f"title={_escape_property(finding.rule_id)}")
        lines.append(f"::{_GITHUB_LEVEL[finding.severity]} {','.join(props)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


def format_findings(fmt: str, findings: Sequence[Finding], *, root: Path | None = None, color: bool = False) -> str:
    """Dispatch on ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "text":
        return format_text(findings, root=root, color=color)
    if fmt == "json":
        return format_json(findings, root=root)
    if fmt == "sarif":
        return format_sarif(findings, root=root)
    if fmt == "github":
        return format_github(findings, root=root)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
