"""Which revision findings a run reports: old history exempt, or only the files that changed.

Why a separate step after the checker instead of checking fewer files: the history-wide rule (AS201,
"foreign key created with no index in the same or an earlier revision") needs every revision to know
which indexes exist.  Checking ``new_rev.py`` alone would report the FK whose index an older revision
made.  So the checker always reads the whole history (cheaply, through its per-file cache) and this
module then *selects* what is reported:

* ``since_revision`` (``--since REV``): revisions up to and including REV are exempt from the
  per-file rules (layout, typing, style, downgrade: every migration-stage rule except the
  history-wide AS201 and the input error AS800); they still provide history facts.
* a subset of files (``check path/to/rev.py`` or ``--changed-since GIT_REF``): only findings located
  in those files are reported, and exceptions that concern other files are not called unused.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from .findings import RuleId, StandardsError
from .rules import RULES, Stage

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

    from .findings import Finding
    from .migrations import RevisionInfo

__all__ = [
    "HISTORY_WIDE_RULES",
    "changed_files",
    "exempt_old_revisions",
    "revisions_up_to",
    "within_files",
]

HISTORY_WIDE_RULES = frozenset({RuleId.AS201, RuleId.AS506, RuleId.AS800})
"""Migration rules judged over the whole history (or meaning "the check is incomplete"): never exempt."""


def _per_file_rules() -> frozenset[str]:
    return frozenset(r.id for r in RULES.values() if Stage.MIGRATIONS in r.stages) - HISTORY_WIDE_RULES


def revisions_up_to(revisions: Sequence[RevisionInfo], since: str) -> set[str]:
    """``since`` (a full id or a unique prefix, as Alembic accepts) and all its ancestors.

    Ancestry follows ``down_revision`` and ``depends_on``, through merges.  An unknown or ambiguous
    identifier is a StandardsError naming the candidates.
    """
    by_id = {r.revision: r for r in revisions if r.revision}
    if since in by_id:
        start = since
    else:
        candidates = sorted(rid for rid in by_id if rid.startswith(since))
        if not candidates:
            raise StandardsError(
                f"since_revision {since!r} is not a revision of this history",
                hint="use an id from `alembic history`",
            )
        if len(candidates) > 1:
            raise StandardsError(f"since_revision {since!r} is ambiguous: {', '.join(candidates[:5])}")
        start = candidates[0]
    seen: set[str] = set()
    stack = [start]
    while stack:  # iterative: a 10,000-revision chain must not recurse
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        info = by_id.get(current)
        if info is not None:
            stack.extend(info.down_revisions)
            stack.extend(info.depends_on)
    return seen & set(by_id)


def exempt_old_revisions(findings: Iterable[Finding], exempt: Collection[str]) -> list[Finding]:
    """``findings`` without the per-file findings located in an exempt revision."""
    per_file = _per_file_rules()
    return [
        f
        for f in findings
        if not (f.rule_id in per_file and f.location.revision is not None and f.location.revision in exempt)
    ]


def within_files(findings: Iterable[Finding], files: Collection[Path]) -> list[Finding]:
    """Findings located in one of ``files`` (compared resolved)."""
    wanted = {_resolved(p) for p in files}
    cache: dict[Path, Path] = {}
    out = []
    for finding in findings:
        path = finding.location.path
        if path is None:
            continue
        if path not in cache:
            cache[path] = _resolved(path)
        if cache[path] in wanted:
            out.append(finding)
    return out


def changed_files(ref: str, root: Path) -> set[Path]:
    """Files changed since ``ref`` (committed, staged, unstaged) plus untracked ones, as absolute paths.

    Asks ``git``; not a repository, an unknown ref or no git at all is a StandardsError.
    """
    if ref.startswith("-"):
        raise StandardsError(f"--changed-since {ref!r}: not a git revision")
    top = _git(["rev-parse", "--show-toplevel"], root).strip()
    diff = _git(["diff", "--name-only", "-z", "--no-renames", ref, "--"], root)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    base = Path(top)
    # `git diff` names paths from the top of the work tree, `git ls-files` from the working directory.
    return {_resolved(base / n) for n in diff.split("\0") if n} | {
        _resolved(root / n) for n in untracked.split("\0") if n
    }


def _git(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60, env=env)
    except FileNotFoundError:
        raise StandardsError("--changed-since needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise StandardsError(f"git {' '.join(args)} did not answer within 60 s") from None
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise StandardsError(f"git {args[0]}: {message}", path=cwd)
    return done.stdout


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
