"""The static checker for revision files that already exist: AST only, never imported.

``alembic-standards check`` (and the pytest checks) run this over every revision under the
configured versions directories.  A revision file is Python that runs on import -- it may call
``os.system`` at module level, connect to a database, or simply not import outside its project --
so it is *parsed*, never imported or executed.

What is read from each file (:mod:`.extract`, judged by :mod:`.per_file`):

* the module docstring (AS801), the revision identifiers and their annotations (AS802), the
  ``irreversible = "reason"`` marker (AS705; valid markers are returned as exceptions-register
  entries);
* ``upgrade()`` / ``downgrade()`` (AS701, AS802, AS803) and, in source order, every operation
  they perform: ``op.<name>(...)`` however ``op`` was imported, ``batch_op.<name>(...)`` inside
  ``with op.batch_alter_table(...)``, operations in helper functions of the same file (followed
  through calls), both arms of dialect-conditional branches, loop bodies (names computed at run
  time make an operation undecidable), ``op.execute`` / ``connection.execute`` raw SQL
  (undecidable);
* inside operations: constraints and indexes without a name (AS501), plain-string names longer
  than 63 bytes (AS504), foreign keys and the keys that index them (AS201, checked against the
  keys created by the same revision and every revision before it, following ``down_revision``
  and ``depends_on`` through merges), and constraints created unnamed or dropped by name (AS506:
  a later revision that drops a constraint by the name PostgreSQL generated for an ancestor's
  unnamed constraint breaks a fresh replay once a naming convention is set).

Safe migrations (AS1001-AS1011): the upgrade's operations and raw SQL become
:class:`~alembic_standards.safety.Step` records (:mod:`.safety_steps`), kept with each file's facts,
and :mod:`.history` judges them against the tables the revision's ancestors created
(:func:`alembic_standards.safety.check` decides; ``env.py`` is parsed for a lock timeout).

The parts: :mod:`.files` lists the files, :mod:`.extract` turns a syntax tree into operations,
:mod:`.per_file` judges one file, :mod:`.history` judges the history (AS201, AS506) from the
per-file facts (:mod:`.facts`), and :mod:`.cache` keeps those facts between runs.  This module
wires them together and is the public API (``check_migrations`` and the names in ``__all__``).

The downgrade rules (AS702-AS704) are decided by :mod:`alembic_standards.reversal`, the same
matcher the revision hook uses, and the section order (AS804) by :mod:`alembic_standards.layout`
(a schema step that follows the data step it depends on -- ``alter_column(nullable=False)`` after
its backfill -- is left where it is).  What cannot be decided is said once per revision (AS704).
Data changed through an ORM session on ``op.get_bind()`` counts as a step the downgrade must undo.

Nothing is skipped without a word, and no input makes the checker hang or raise: a file that
does not parse, is empty (what an interrupted ``alembic revision`` leaves), is larger than
:data:`MAX_FILE_BYTES`, nests deeper than Python's parser can, or could not be read (a directory
that cannot be listed, a broken or looping link, a FIFO) is an input error (AS800, exit status 2);
the others are still checked.  Time is linear in a file's size: each helper body is walked once
per file (and followed at most :data:`MAX_HELPER_DEPTH` deep, beyond which AS704 says so), and the
downgrade's effects are indexed rather than compared with every upgrade step.

Each file's results (its own findings and the facts the history-wide checks need) are kept in a
JSON cache (``.alembic_standards_cache/``, :mod:`.cache`), so a re-run parses only the files that
changed; AS201 and AS506 across revisions are recomputed from those facts on every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import Finding, Location, RuleId
from .cache import CACHE_DIR_ENV, CACHE_DIR_NAME, _ResultCache
from .extract import MAX_FILE_BYTES, MAX_HELPER_DEPTH

# The operation extractor, re-exported for tests/test_reversal.py (it compares the operations read
# from source with Alembic's own op objects).
from .extract import _Reader as _Reader
from .facts import MigrationReport, RevisionInfo, _Revision
from .files import _revision_files, iter_revision_files
from .history import check_history
from .per_file import _read_revision

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence
    from pathlib import Path

    from ..config import Config
    from ..safety import InUse

__all__ = [
    "CACHE_DIR_ENV",
    "CACHE_DIR_NAME",
    "MAX_FILE_BYTES",
    "MAX_HELPER_DEPTH",
    "MigrationReport",
    "RevisionInfo",
    "check_migrations",
    "iter_revision_files",
]


def check_migrations(
    paths: Sequence[Path],
    config: Config,
    *,
    cache: bool | str | os.PathLike[str] = True,
    in_use: InUse | None = None,
) -> MigrationReport:
    """Check every revision file under ``paths`` (default: ``config.migrations``) without importing it.

    ``cache``: True (the default) keeps each file's per-file results in ``.alembic_standards_cache/``
    next to the configuration's ``pyproject.toml`` (or in ``config.root`` without one; the
    ``ALEMBIC_STANDARDS_CACHE_DIR`` environment variable overrides that place), so that an unchanged
    file is not parsed again; a path puts the cache there; False neither reads nor writes a cache.
    The findings are the same either way (see :class:`_ResultCache`).

    ``in_use``: the tables and columns the current models map (the caller reads them from the
    models; this module never imports them); with it, a head revision that drops or renames one of
    them is reported (AS1008).
    """
    files, unreadable = _revision_files(paths or config.migrations)
    store = _ResultCache.open(config, cache)
    report = MigrationReport()
    # Anything we were asked to read and could not is an input error (exit 2), never a silent pass.
    report.input_errors.extend(config.finding(RuleId.AS800, why, Location(path=path)) for path, why in unreadable)
    parsed: list[_Revision] = []
    for path in files:
        result = store.get(path) if store is not None else None
        if result is None:
            result = _read_revision(path, config)
            if store is not None:
                store.put(path, result)
        report.input_errors.extend(result.input_errors)
        report.irreversible.extend(result.irreversible)
        if result.revision is not None:
            parsed.append(result.revision)
            report.revisions.append(result.revision.info)
    if store is not None:
        store.save()
    # History-wide: recomputed on every run from the per-file extracts, cached or not.
    check_history(parsed, config, in_use)
    enabled = config.enabled
    for revision in parsed:
        report.findings.extend([f for f in revision.findings if f.rule_id in enabled])  # config.is_enabled, inlined
    report.findings.sort(key=Finding.sort_key)
    report.input_errors.sort(key=Finding.sort_key)
    return report


# ---------------------------------------------------------------------------------------------
# Reading one file
# ---------------------------------------------------------------------------------------------
