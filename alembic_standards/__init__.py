"""alembic-standards: make a database schema follow its standards, automatically.

The package root stays cheap to import and imports nothing from Alembic: Alembic imports our
plugin module (``alembic_standards.plugin``) *while ``import alembic`` is still running*, and
Python imports this ``__init__`` first.  Everything that needs Alembic is loaded lazily, on first
attribute access (``alembic_standards.process_revision_directives``).

One exception, on Alembic 1.13-1.17 only (no plugin system there, so no circular import): importing
the package registers the comparators in Alembic's global registry, inert unless a run's
``autogenerate_plugins`` selects ``alembic_standards.*`` (:mod:`alembic_standards.compat`).  That
is what makes the same two ``env.py`` lines work on every supported Alembic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .compat import activate_legacy_comparators as _activate_legacy_comparators
from .findings import ExitCode, Finding, Location, Severity, StandardsError
from .naming import NAMING_CONVENTION, NamingConvention

if TYPE_CHECKING:
    from .directives import chain, process_revision_directives

    __version__: str

__all__ = [
    "NAMING_CONVENTION",
    "ExitCode",
    "Finding",
    "Location",
    "NamingConvention",
    "Severity",
    "StandardsError",
    "__version__",
    "chain",
    "process_revision_directives",
]

_LAZY = {"process_revision_directives": "directives", "chain": "directives"}


def _version() -> str:
    # Read on first use, not at import: importlib.metadata costs about 50 ms of every command's
    # start-up (a third of a cold `check` of 1,000 revisions, issue 15), and only --version,
    # doctor, SARIF output and the per-file cache need the version.
    from importlib import metadata

    try:
        return metadata.version("alembic-standards")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'alembic_standards' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


_activate_legacy_comparators()
