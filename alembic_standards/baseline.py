"""The baseline: findings a team has accepted for now, so that only new ones fail.

Why it exists: a legacy codebase meets this tool with hundreds of findings, and "fix them all before
the first green build" means the tool is never switched on.  ``check --write-baseline`` records
every current finding in a committed JSON file; later runs report only findings the baseline does
not hold.  Unlike most baselines it only shrinks: an entry that no longer matches anything is itself
reported (a fixed problem must leave the file), and ``--write-baseline`` prunes it.

Why fingerprints and not line numbers: adding a column above a model, moving a class or reformatting
a revision must not resurrect a finding.  A fingerprint is built from the rule, the stage, the
*object* the finding is about (``schema.table.column`` or constraint for models and databases; the
revision id, else the file's project-relative path, for revision files) and the message with its
line and column references removed.  Identical fingerprints are counted, so two equal findings in one
table need two baseline slots.  A finding whose fingerprint has no entry left still takes an entry of
the same rule, stage and object whose message states the same fact (:attr:`Finding.fact`, its
parenthesised details aside): a remedy reworded by a later version of this tool does not turn a team's
accepted findings into new ones and their entries into stale ones.

This module imports neither Alembic nor SQLAlchemy.
"""

from __future__ import annotations

import collections
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import DEFAULT_BASELINE_NAME
from .fileio import NotRegularFile, read_regular_file
from .findings import Finding, Location, RuleId, Severity, StandardsError

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence

__all__ = [
    "BASELINE_FORMAT",
    "DEFAULT_BASELINE_NAME",
    "STALE_RULE_ID",
    "Baseline",
    "BaselineEntry",
    "BaselineResult",
    "fingerprint",
]

BASELINE_FORMAT = 1
"""Version of the file's schema; a file with another version is refused, never guessed at."""
STALE_RULE_ID = RuleId.AS905
"""The finding reported for a baseline entry that no longer matches anything."""

# A baseline file is small (one entry per accepted finding); anything far larger is not ours.
_MAX_BYTES = 64 * 1024 * 1024

# Line/column references inside messages ("created at line 12", "models.py:40:5") change with every
# unrelated edit; they are not the finding's substance.
_LINE_REFS = re.compile(r"(?:\b(?:line|lines)\s+\d+(?:\s*[-\u2013]\s*\d+)?)|(?<=\.py):\d+(?::\d+)?")


def _normalise_message(message: str) -> str:
    return _LINE_REFS.sub(lambda m: "line N" if m.group(0)[0].isalpha() else "", message)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def object_key(location: Location, root: Path) -> str:
    """What a finding is about, independent of where in a file it is reported.

    Schema objects win over files (a model finding names both its table and its source line; the
    table is what the finding concerns).  A revision finding is keyed on its revision id, so a
    renamed revision file keeps its baseline; without one, on the project-relative path.
    """
    if location.table is not None:
        return location.object_name or location.table
    if location.revision is not None:
        return f"revision:{location.revision}"
    if location.path is not None:
        return f"file:{_relative(location.path, root)}"
    return ""


_PARENTHESISED = re.compile(r"\s*\([^()]*\)")


def _fact_key(rule_id: str, stage: str, obj: str, message: str) -> tuple[str, str, str, str]:
    """An entry's or a finding's fact (the message before its remedy, see :attr:`Finding.fact`), where.

    Parenthesised details are left out, innermost first: the object they detail is in ``obj``, and
    a detail that moved behind the remedy (AS904's expressions, once ``(lower)`` in the fact) is
    still the same fact."""
    fact = _normalise_message(message).partition("; ")[0]
    while True:
        shorter = _PARENTHESISED.sub("", fact)
        if shorter == fact:
            return (rule_id, stage, obj, fact)
        fact = shorter


def fingerprint(finding: Finding, stage: str, root: Path) -> str:
    """A stable identifier for ``finding`` (see the module docstring for what goes into it)."""
    import hashlib
    import json  # here, not at import: a run without a baseline never needs them (issue 15)

    payload = json.dumps(
        [finding.rule_id, stage, object_key(finding.location, root), _normalise_message(finding.message)],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class BaselineEntry:
    """One accepted finding (``count`` equal ones)."""

    fingerprint: str
    rule_id: RuleId
    stage: str
    object: str
    message: str
    count: int = 1

    def as_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "rule": self.rule_id,
            "stage": self.stage,
            "object": self.object,
            "message": self.message,
            "count": self.count,
        }


@dataclass(frozen=True)
class BaselineResult:
    """What applying a baseline did to one run's findings."""

    new: list[Finding]
    """Findings the baseline does not hold: these are reported."""
    suppressed: collections.Counter[RuleId]
    """How many findings the baseline held, by rule ID (for the summary line)."""
    stale: list[BaselineEntry]
    """Entries (or surplus counts of entries) that matched nothing in a stage that ran."""

    def summary(self) -> str:
        """``baseline: 12 suppressed (AS201 8, AS804 4)``, or "" when the baseline held nothing."""
        total = sum(self.suppressed.values())
        if not total and not self.stale:
            return ""
        by_rule = ", ".join(f"{rule} {n}" for rule, n in sorted(self.suppressed.items()))
        text = f"baseline: {total} suppressed" + (f" ({by_rule})" if by_rule else "")
        if self.stale:
            text += f", {sum(e.count for e in self.stale)} stale"
        return text


@dataclass
class Baseline:
    """The accepted findings of a project, read from and written to one JSON file."""

    path: Path
    entries: dict[str, BaselineEntry] = field(default_factory=dict)

    # ------------------------------------------------------------------ reading and writing
    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Read ``path``; a missing file is an empty baseline, a malformed one a StandardsError."""
        try:
            _, raw = read_regular_file(path, _MAX_BYTES)
        except FileNotFoundError:
            return cls(path)
        except (NotRegularFile, IsADirectoryError):
            raise StandardsError("baseline is not a regular file", path=path) from None
        except OSError as exc:
            raise StandardsError(f"cannot read the baseline: {exc.strerror or exc}", path=path) from None
        if len(raw) > _MAX_BYTES:
            raise StandardsError(f"baseline is larger than {_MAX_BYTES} bytes", path=path)
        import json

        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise StandardsError(f"baseline is not UTF-8 ({exc.reason} at byte {exc.start})", path=path) from None
        except json.JSONDecodeError as exc:
            raise StandardsError(f"baseline is not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
        except RecursionError:
            raise StandardsError("baseline is nested too deeply to be ours", path=path) from None
        return cls(path, _parse_entries(data, path))

    def dumps(self) -> str:
        """The file's text: stable order, one entry per object, so diffs review well."""
        import json

        entries = sorted(self.entries.values(), key=lambda e: (e.stage, e.rule_id, e.object, e.message))
        document = {
            "format": BASELINE_FORMAT,
            "generator": "alembic-standards check --write-baseline",
            "entries": [e.as_json() for e in entries],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def write(self) -> None:
        """Replace the file atomically: an interrupted write never leaves half a baseline."""
        import tempfile

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".baseline-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(self.dumps())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # ------------------------------------------------------------------ building and applying
    @classmethod
    def from_findings(cls, path: Path, findings: Iterable[tuple[str, Finding]], root: Path) -> Baseline:
        """A baseline holding exactly ``findings`` (pairs of stage name and finding)."""
        counts: collections.Counter[str] = collections.Counter()
        first: dict[str, BaselineEntry] = {}
        for stage, finding in findings:
            key = fingerprint(finding, stage, root)
            counts[key] += 1
            if key not in first:
                first[key] = BaselineEntry(
                    fingerprint=key,
                    rule_id=finding.rule_id,
                    stage=stage,
                    object=object_key(finding.location, root),
                    message=_normalise_message(finding.message),
                )
        entries = {key: _with_count(entry, counts[key]) for key, entry in first.items()}
        return cls(path, entries)

    def apply(
        self,
        findings: Iterable[tuple[str, Finding]],
        root: Path,
        *,
        stages_ran: Collection[str],
        restated: Iterable[tuple[str, Finding]] = (),
        merged_from: Mapping[int, Sequence[Finding]] | None = None,
    ) -> BaselineResult:
        """Split ``findings`` into new ones and baselined ones; find the stale entries.

        An entry is stale only when its stage ran in this invocation: a baseline entry for the live
        database is not stale in a run without ``--database-url``, merely not looked at.
        ``restated``: findings a stage made and the report leaves out because another stage states
        the same fact (the audit's twin of a model finding); never reported, they still hold the
        entries an earlier version recorded for them, which are therefore not stale.
        ``merged_from``: by ``id()``, the per-table findings a finding about a shared declaration
        replaced (see ``models.lint_metadata``); it is baselined when its own entry, or an entry for
        each of those, is there (a baseline written before the merge).  What matches no fingerprint
        then takes an entry stating the same fact (see the module docstring).
        """
        remaining = {key: entry.count for key, entry in self.entries.items()}
        unmatched: list[tuple[str, Finding, bool]] = []
        suppressed: collections.Counter[RuleId] = collections.Counter()
        for stage, finding in findings:
            key = fingerprint(finding, stage, root)
            if remaining.get(key, 0) > 0:
                remaining[key] -= 1
                suppressed[finding.rule_id] += 1
            elif merged_from and self._take_parts(merged_from.get(id(finding), ()), stage, root, remaining):
                suppressed[finding.rule_id] += 1
            else:
                unmatched.append((stage, finding, True))
        for stage, finding in restated:
            key = fingerprint(finding, stage, root)
            if remaining.get(key, 0) > 0:
                remaining[key] -= 1
            else:
                unmatched.append((stage, finding, False))
        # Second pass, once every exact match has taken its entry: the same fact, another remedy.
        by_fact: dict[tuple[str, str, str, str], list[str]] = {}
        if unmatched:
            for entry_key, entry in self.entries.items():
                if remaining[entry_key] > 0:
                    fact = _fact_key(entry.rule_id, entry.stage, entry.object, entry.message)
                    by_fact.setdefault(fact, []).append(entry_key)
        new: list[Finding] = []
        for stage, finding, reported in unmatched:
            fact = _fact_key(finding.rule_id, stage, object_key(finding.location, root), finding.message)
            taken = next((k for k in by_fact.get(fact, ()) if remaining[k] > 0), None)
            if taken is not None:
                remaining[taken] -= 1
                if reported:
                    suppressed[finding.rule_id] += 1
            elif reported:
                new.append(finding)
        ran = set(stages_ran)
        stale = [
            _with_count(self.entries[key], left)
            for key, left in remaining.items()
            if left > 0 and self.entries[key].stage in ran
        ]
        stale.sort(key=lambda e: (e.stage, e.rule_id, e.object))
        return BaselineResult(new=new, suppressed=suppressed, stale=stale)

    @staticmethod
    def _take_parts(parts: Sequence[Finding], stage: str, root: Path, remaining: dict[str, int]) -> bool:
        """Take one entry for each of ``parts`` when every one has an entry left; else take none."""
        wanted = collections.Counter(fingerprint(part, stage, root) for part in parts)
        if not wanted or any(remaining.get(key, 0) < count for key, count in wanted.items()):
            return False
        for key, count in wanted.items():
            remaining[key] -= count
        return True

    def stale_findings(self, stale: Iterable[BaselineEntry], root: Path) -> list[Finding]:
        """One finding per stale entry, pointing at the baseline file."""
        shown = Path(_relative(self.path, root))
        return [
            Finding(
                rule_id=STALE_RULE_ID,
                severity=Severity.ERROR,
                message=(
                    f"baseline entry {entry.rule_id} on {entry.object or '<project>'} "
                    f"({entry.stage}) matches no finding any more"
                    + (f" ({entry.count} of them)" if entry.count > 1 else "")
                    + "; run `alembic-standards check --write-baseline` to remove it"
                ),
                location=Location(path=shown),
            )
            for entry in stale
        ]


def _with_count(entry: BaselineEntry, count: int) -> BaselineEntry:
    return BaselineEntry(entry.fingerprint, entry.rule_id, entry.stage, entry.object, entry.message, count)


def _parse_entries(data: object, path: Path) -> dict[str, BaselineEntry]:
    if not isinstance(data, dict):
        raise StandardsError("baseline must be a JSON object", path=path)
    version = data.get("format")
    if version != BASELINE_FORMAT:
        raise StandardsError(
            f"baseline format {version!r} is not understood (this version reads format {BASELINE_FORMAT})",
            path=path,
            hint="regenerate it with `alembic-standards check --write-baseline`",
        )
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list):
        raise StandardsError("baseline has no `entries` list", path=path)
    entries: dict[str, BaselineEntry] = {}
    for index, raw in enumerate(raw_entries):
        entry = _parse_entry(raw, path, index)
        if entry.fingerprint in entries:
            previous = entries[entry.fingerprint]
            entry = _with_count(entry, previous.count + entry.count)
        entries[entry.fingerprint] = entry
    return entries


def _parse_entry(raw: object, path: Path, index: int) -> BaselineEntry:
    where = f"baseline entry {index + 1}"
    if not isinstance(raw, dict):
        raise StandardsError(f"{where} is not an object", path=path)
    values: Mapping[str, object] = raw
    strings = {}
    for key in ("fingerprint", "rule", "stage", "object", "message"):
        value = values.get(key)
        if not isinstance(value, str):
            raise StandardsError(f"{where}: `{key}` must be a string", path=path)
        strings[key] = value
    count = values.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise StandardsError(f"{where}: `count` must be a positive integer", path=path)
    unknown = sorted(set(values) - {"fingerprint", "rule", "stage", "object", "message", "count"})
    if unknown:
        raise StandardsError(f"{where}: unknown key(s) {', '.join(unknown)}", path=path)
    try:
        # The exact ID, as written by --write-baseline: a name or a prefix is not an entry.
        rule_id = RuleId(strings["rule"])
    except ValueError:
        raise StandardsError(f"{where}: unknown rule {strings['rule']!r}", path=path) from None
    return BaselineEntry(
        fingerprint=strings["fingerprint"],
        rule_id=rule_id,
        stage=strings["stage"],
        object=strings["object"],
        message=strings["message"],
        count=count,
    )
