"""The ``alembic.plugins`` entry point: registers our autogenerate comparators.

Alembic imports this module *during* ``import alembic`` (reference §1.2): ``alembic.__version__``
does not exist yet, and importing ``alembic.autogenerate``, ``alembic.runtime.*``,
``alembic.config`` or ``alembic.command`` here fails and would break every ``import alembic`` in
the environment.  So this module stays tiny: ``setup()`` imports only ``alembic.util`` (safe), and
each registered function is a trampoline that imports the real implementation
(:mod:`alembic_standards.autogenerate`) on its first call, when Alembic is fully loaded.  Importing
``alembic`` therefore costs one small module more, nothing else.

The comparators are opt-in, like every plugin-level comparator.  In ``env.py``::

    context.configure(
        ...,
        # Line 1 -- the comparators (alembic_standards/autogenerate.py): every FK gets a covering
        # index, every PK/FK/unique/check/index a convention name, operations come as tables ->
        # indexes -> data, and a second autogenerate after upgrading is empty.  Keep
        # "alembic.autogenerate.*": without it Alembic compares nothing at all.
        autogenerate_plugins=["alembic.autogenerate.*", "alembic_standards.*"],
        # Line 2 -- the revision-time hook (alembic_standards/directives.py): refuses a revision
        # whose downgrade does not undo its upgrade and lays the file out in the template's
        # sections.  The comparators work without it.
        process_revision_directives=alembic_standards.process_revision_directives,
    )

Settings come from ``[tool.alembic_standards]`` in the pyproject.toml next to (or above) the
Alembic config file: ``naming_convention`` (the names used), ``concurrent_indexes = true``
(PostgreSQL: indexes on existing tables built ``CONCURRENTLY`` in an autocommit block),
``ignore = ["AS201"]`` (no FK indexes at all) and the exceptions register (an FK with a valid
AS201 exception gets no index).  ``context.configure(alembic_standards_config=Config(...) or
"path/to/pyproject.toml")`` overrides the discovery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.runtime.plugins import Plugin
    from alembic.util import PriorityDispatchResult

__all__ = ["setup"]


def _compare_table(*args: Any) -> PriorityDispatchResult:
    from .autogenerate import compare_table

    return compare_table(*args)


def _arrange(*args: Any) -> PriorityDispatchResult:
    from .autogenerate import arrange_operations

    return arrange_operations(*args)


def setup(plugin: Plugin) -> None:
    """Called by Alembic with a ``Plugin`` named after our entry point."""
    from alembic.util import DispatchPriority

    # LAST: run after Alembic's own index/constraint comparison for the table, so that we see
    # (and can reconcile) the ops it produced.
    plugin.add_autogenerate_comparator(_compare_table, "table", "alembic_standards", priority=DispatchPriority.LAST)
    # LAST on the top-level target: runs after every table has been compared and *before* Alembic
    # derives the downgrade with ``reverse_into``, so the downgrade is the exact reverse of the
    # arranged upgrade.
    plugin.add_autogenerate_comparator(
        _arrange, "autogenerate", "alembic_standards_layout", priority=DispatchPriority.LAST
    )
