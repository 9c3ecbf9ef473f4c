"""Alembic 1.13 to 1.20: one behaviour on every supported version, and never a silent no-op.

Why this module exists: Alembic grew its plugin system (the ``alembic.plugins`` entry point and
``context.configure(autogenerate_plugins=[...])``) in 1.18.  Before that, ``autogenerate_plugins``
is accepted and silently ignored, and autogenerate writes plain Alembic output -- no FK indexes, no
names -- with exit code 0.  This module makes the same two ``env.py`` lines work everywhere:

* **Alembic 1.18+**: Alembic loads :mod:`alembic_standards.plugin` through the entry point and
  selects it by the ``autogenerate_plugins`` patterns.  Nothing here is registered.
* **Alembic 1.13-1.17**: :func:`activate_legacy_comparators` (called when ``alembic_standards`` is
  imported -- ``env.py`` does, for line 2) registers two functions in Alembic's global comparator
  registry (``alembic.autogenerate.comparators``, the documented pre-1.18 extension point).  They
  are inert unless the run's ``autogenerate_plugins`` selects ``alembic_standards.*`` exactly as
  Alembic 1.18+ would (:func:`plugin_selected` mirrors its pattern rules), so a project that did
  not opt in sees no change, and one that did gets the same generated migration as on 1.20.1
  (``tests/test_compat.py`` compares the text).  Registration order gives the same sequence as
  the plugin's ``DispatchPriority.LAST``: the "table" function is appended after Alembic's own
  index/FK/comment comparison of the table, and the "schema" function after Alembic's
  ``_autogen_for_tables`` (so every table has been compared) and before ``reverse_into``.

**Never fail silently** (:func:`require_comparators`): each autogenerate run records, per
``MigrationContext``, whether Alembic's own comparison and ours ran.  The revision hook
(``alembic_standards.process_revision_directives``) calls :func:`require_comparators`, which
refuses -- ``CommandError``, so the CLI prints ``FAILED: ...``, exits 255 and writes no file --
an autogenerate run in which either did not, naming the cause (old Alembic, plugin not installed
in that environment, pattern missing) and the fix.

Import-light on purpose: :mod:`alembic_standards.plugin` imports this module while ``import
alembic`` is still running (Alembic 1.18+), so nothing from Alembic is imported at module level.
"""

from __future__ import annotations

import re
import sys
import weakref
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import CodeType, FrameType

    from alembic.autogenerate.api import AutogenContext
    from alembic.operations import ops
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import Table

__all__ = [
    "ALEMBIC_BUILTIN_PLUGIN",
    "DEFAULT_PLUGINS",
    "PLUGIN_NAME",
    "PLUGIN_SYSTEM_VERSION",
    "ComparisonTrace",
    "PriorityDispatchResult",
    "activate_legacy_comparators",
    "alembic_version",
    "has_plugin_system",
    "plugin_selected",
    "record",
    "require_alembic",
    "require_comparators",
]

PLUGIN_NAME = "alembic_standards.autogenerate"
"""Our entry-point name in the ``alembic.plugins`` group (what ``alembic_standards.*`` selects)."""

ALEMBIC_BUILTIN_PLUGIN = "alembic.autogenerate.schemas"
"""Alembic's builtin comparison (1.18+): without it no table is compared at all."""

DEFAULT_PLUGINS = ("alembic.autogenerate.*",)
"""What Alembic selects when ``autogenerate_plugins`` is not given (1.18+)."""

PLUGIN_SYSTEM_VERSION = (1, 18)

_PLUGIN_MODULE = "alembic.runtime.plugins"
"""Alembic's plugin registry (1.18+; absent before)."""

CONFIGURE_LINE = 'autogenerate_plugins=["alembic.autogenerate.*", "alembic_standards.*"]'


# ------------------------------------------------------------------ versions


def _version_tuple(text: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


@cache
def alembic_version() -> tuple[int, ...]:
    """The installed Alembic's version.

    ``alembic.__version__`` when Alembic is already imported (the usual case: env.py, the
    revision hook), else its distribution metadata -- ``__version__`` does not exist yet while
    Alembic loads its plugins, and this must not import Alembic.  Reading the metadata scans
    ``sys.path`` (about 3 ms per process), so it is only the fallback; both give the same version
    (tests/test_compat.py).
    """
    module = sys.modules.get("alembic")
    loaded = getattr(module, "__version__", None)
    if isinstance(loaded, str):
        return _version_tuple(loaded)
    from importlib import metadata  # here: importing it is ~50 ms of every command's start-up

    try:
        return _version_tuple(metadata.version("alembic"))
    except metadata.PackageNotFoundError:  # pragma: no cover - alembic is a hard dependency
        return ()


def has_plugin_system() -> bool:
    """True on Alembic 1.18+ (``alembic.plugins`` entry points, ``autogenerate_plugins``)."""
    if _PLUGIN_MODULE in sys.modules:
        # Alembic 1.18+ is importing us from that very module (``import alembic`` loads its
        # plugins): it exists, so the plugin system does -- no version read needed, which saves
        # the metadata scan every ``import alembic`` would otherwise pay (see alembic_version).
        return True
    if "alembic" not in sys.modules:
        # Nothing has imported Alembic (`alembic-standards check` on revision files, a pre-commit
        # hook): whether the installed Alembic has the plugin module is read from where it is
        # installed, without importing it or reading its metadata (importlib.metadata was a
        # third of a cold check of 1,000 revisions: issue 15).  Same answer as the version
        # (tests/test_compat.py).
        installed = _plugin_module_installed()
        if installed is not None:
            return installed
    return alembic_version() >= PLUGIN_SYSTEM_VERSION


def _plugin_module_installed() -> bool | None:
    """Whether the installed ``alembic`` package has ``runtime/plugins.py`` (None: cannot tell)."""
    import importlib.util
    import os

    try:
        spec = importlib.util.find_spec("alembic")
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not locations:
        return None
    return any(os.path.isfile(os.path.join(location, "runtime", "plugins.py")) for location in locations)


def require_alembic(minimum: tuple[int, ...], feature: str) -> None:
    """Refuse (``StandardsError``, exit 2) a feature the installed Alembic does not have."""
    if alembic_version() < minimum:
        from .findings import StandardsError

        wanted = ".".join(str(part) for part in minimum)
        raise StandardsError(
            f"{feature} needs Alembic {wanted} or later; this environment has Alembic {_alembic_version_text()}",
            hint=f"pip install 'alembic>={wanted}'",
        )


class _LegacyDispatchResult(Enum):
    """Stand-in for ``alembic.util.PriorityDispatchResult`` on Alembic < 1.18, whose global
    comparator registry ignores return values."""

    CONTINUE = 1
    STOP = 2


if TYPE_CHECKING:
    from alembic.util import PriorityDispatchResult


def __getattr__(name: str) -> Any:
    # ``PriorityDispatchResult`` is resolved on first use, not at import: importing alembic.util
    # here would start ``import alembic``, which (1.18+) imports our plugin module, which imports
    # this half-initialised module.
    if name == "PriorityDispatchResult":
        if has_plugin_system():
            from alembic.util import PriorityDispatchResult as result

            return result
        return _LegacyDispatchResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ------------------------------------------------------------------ plugin selection


def _pattern(expression: str) -> re.Pattern[str]:
    """An ``autogenerate_plugins`` expression as Alembic 1.18+ reads it (``runtime/plugins.py``):
    dotted identifiers, ``*`` matching one or more segments."""
    regex = ""
    for token in expression.split("."):
        if token == "*":
            regex += r"\..+?"
        elif token.isidentifier():
            regex += r"\." + re.escape(token)
        else:
            from alembic.util import CommandError

            raise CommandError(f"Invalid plugin expression {expression!r} in autogenerate_plugins")
    return re.compile(f"^{regex[2:]}$")


def plugin_selected(expressions: Sequence[str], name: str) -> bool:
    """Would Alembic 1.18+ enable plugin ``name`` for these ``autogenerate_plugins``?
    (An exclusion, ``~pattern``, wins over any inclusion.)"""
    included = False
    for expression in expressions:
        if expression.startswith("~"):
            if _pattern(expression[1:]).match(name):
                return False
        elif _pattern(expression).match(name):
            included = True
    return included


def _expressions(migration_context: MigrationContext) -> list[str]:
    given = migration_context.opts.get("autogenerate_plugins")
    if given is None:
        return list(DEFAULT_PLUGINS)
    return [str(expression) for expression in given]


# ------------------------------------------------------------------ what ran


@dataclass
class ComparisonTrace:
    """What ran during one autogenerate run (one ``MigrationContext``)."""

    alembic_compared: bool = False
    standards_compared: bool = False


# Keyed weakly by the MigrationContext (the object both the comparators and the revision hook
# see): one entry per autogenerate run, gone with the run.  Not the context's ``opts`` dict:
# EnvironmentContext shares that dict between the contexts of a multi-database env.py.
_TRACES: weakref.WeakKeyDictionary[Any, ComparisonTrace] = weakref.WeakKeyDictionary()


def record(autogen_context: AutogenContext, *, alembic: bool = False, standards: bool = False) -> None:
    """Note that Alembic's comparison (``alembic``) or ours (``standards``) ran in this run."""
    migration_context = autogen_context.migration_context
    trace = _TRACES.get(migration_context)
    if trace is None:
        trace = _TRACES[migration_context] = ComparisonTrace()
    trace.alembic_compared |= alembic
    trace.standards_compared |= standards


def trace_of(migration_context: MigrationContext) -> ComparisonTrace:
    return _TRACES.get(migration_context) or ComparisonTrace()


# ------------------------------------------------------------------ Alembic < 1.18


def _legacy_selected(autogen_context: AutogenContext) -> bool:
    return plugin_selected(_expressions(autogen_context.migration_context), PLUGIN_NAME)


def _legacy_compare_table(
    autogen_context: AutogenContext,
    modify_table_ops: ops.ModifyTableOps,
    schema: str | None,
    tname: str,
    conn_table: Table | None,
    metadata_table: Table | None,
) -> None:
    if _legacy_selected(autogen_context):
        from .plugin import _compare_table

        if alembic_version() < REFLECTED_NAMES_AS_CONV_VERSION:
            _reflected_names_as_conv(modify_table_ops, conn_table)
        _compare_table(autogen_context, modify_table_ops, schema, tname, conn_table, metadata_table)


REFLECTED_NAMES_AS_CONV_VERSION = (1, 16)
"""From Alembic 1.16 the names it reflects from the database are ``conv`` (rendered ``op.f('...')``)."""


def _reflected_names_as_conv(modify_table_ops: ops.ModifyTableOps, conn_table: Table | None) -> None:
    """Alembic 1.13-1.15: mark names that come from the database as final (``conv``), as 1.16+
    does, so a drop renders ``op.f('idx_x')`` -- and its downgrade recreates ``op.f('idx_x')`` --
    exactly as on 1.20.1.  Only Alembic's objects for this run are touched: the ops, and the table
    Alembic reflected (the downgrade of a dropped table is rendered from it), never the models."""
    from alembic.operations import ops
    from sqlalchemy.sql.elements import conv

    def final(name: Any) -> Any:
        return conv(name) if isinstance(name, str) and not isinstance(name, conv) else name

    for op in modify_table_ops.ops:
        if isinstance(op, ops.DropIndexOp):
            op.index_name = final(op.index_name)
        elif isinstance(op, ops.DropConstraintOp):
            op.constraint_name = final(op.constraint_name)
    if conn_table is not None:
        for constraint in conn_table.constraints:
            constraint.name = final(constraint.name)
        for index in conn_table.indexes:
            index.name = final(index.name)


def _legacy_compare_schema(autogen_context: AutogenContext, upgrade_ops: ops.UpgradeOps, schemas: Any) -> None:
    # Before 1.18 Alembic's comparison always runs; the trace still follows the patterns, so a
    # list without "alembic.autogenerate.*" is refused here exactly as on 1.18+ (where it
    # compares nothing) -- a project's env.py must not work only until the next Alembic upgrade.
    record(
        autogen_context,
        alembic=plugin_selected(_expressions(autogen_context.migration_context), ALEMBIC_BUILTIN_PLUGIN),
    )
    if _legacy_selected(autogen_context):
        from .plugin import _arrange

        _arrange(autogen_context, upgrade_ops)


@cache
def activate_legacy_comparators() -> bool:
    """On Alembic < 1.18, register the comparators in Alembic's global registry (once per
    process; ``functools.cache`` is the guard).  Returns True when it registered them."""
    if has_plugin_system():
        return False
    from alembic.autogenerate import comparators

    comparators.dispatch_for("table")(_legacy_compare_table)
    comparators.dispatch_for("schema")(_legacy_compare_schema)
    return True


# ------------------------------------------------------------------ the refusal


def _autogenerate_running() -> bool:
    """True while Alembic runs an autogenerate (``revision --autogenerate`` or ``check``).

    ``RevisionContext.run_autogenerate`` (public in ``alembic.autogenerate.api`` since 1.0, the
    function both ``command.revision`` and ``command.check`` call) is on the stack exactly then;
    a ``revision`` without ``--autogenerate`` under ``revision_environment = true`` runs
    ``run_no_autogenerate`` instead.  Pinned by tests/test_compat.py.
    """
    from alembic.autogenerate.api import RevisionContext

    return called_from(RevisionContext.run_autogenerate.__code__)


def called_from(code: CodeType) -> bool:
    """True when a function whose code object is ``code`` is on the calling stack.

    Why a stack walk: the revision hook must know whether it runs inside an autogenerate, and
    whether inside ``alembic check``, and Alembic 1.13 to 1.20 (sources read: 1.13.0, 1.20.1)
    gives a ``process_revision_directives`` hook no supported way to ask:

    * the hook receives ``(context, revision, directives)``; none of them names the command;
    * ``command.check`` and ``command.revision(autogenerate=True)`` (without ``-m``) build their
      ``RevisionContext`` from the very same ``command_args`` (message None, autogenerate True,
      sql False, head "head", ...), and that object is reachable only through
      ``EnvironmentContext.context_opts["revision_context"]``, an undocumented constructor
      keyword -- as private as a frame and less telling;
    * ``context.config.cmd_opts`` exists only under the ``alembic`` CLI (``cmd_opts.cmd[0]`` is
      the command function, used first by ``directives._running_check``), never for a
      programmatic ``command.check(config)``/``command.revision(config, autogenerate=True)``,
      which pytest-alembic and our own tests use.

    The code objects compared are those of public functions (``alembic.command.check``,
    ``RevisionContext.run_autogenerate``), so nothing private of Alembic is read; only CPython's
    ``sys._getframe``, which every supported Python has.  Pinned by tests/test_compat.py and
    tests/test_directives.py.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False


def _entry_point_installed() -> bool:
    from importlib import metadata

    return any(ep.name == PLUGIN_NAME for ep in metadata.entry_points(group="alembic.plugins"))


def _alembic_version_text() -> str:
    return ".".join(str(part) for part in alembic_version())


def require_comparators(context: MigrationContext) -> None:
    """Refuse (``CommandError``) an autogenerate run in which our comparators or Alembic's own
    comparison did not run; do nothing outside autogenerate."""
    trace = trace_of(context)
    if trace.alembic_compared and trace.standards_compared:
        return
    if not _autogenerate_running():
        return
    from alembic.util import CommandError

    raise CommandError(_diagnosis(context, trace))


def _diagnosis(context: MigrationContext, trace: ComparisonTrace) -> str:
    expressions = _expressions(context)
    head = "alembic-standards refused the revision: "
    fix_line = f"Fix: in env.py, context.configure(..., {CONFIGURE_LINE}, ...)."
    if not trace.standards_compared:
        if not plugin_selected(expressions, PLUGIN_NAME):
            if context.opts.get("autogenerate_plugins") is None:
                cause = "autogenerate_plugins is not passed to context.configure()"
            else:
                cause = f"autogenerate_plugins={expressions!r} does not select 'alembic_standards.*'"
            return (
                f"{head}its comparators did not run ({cause}), so this migration would lack the FK "
                f"indexes and constraint names the standard requires.\n{fix_line}"
            )
        if has_plugin_system() and not _entry_point_installed():
            return (
                f"{head}its comparators did not run: the alembic-standards package is importable "
                "but not installed in this environment (no 'alembic.plugins' entry point "
                f"{PLUGIN_NAME!r}), so Alembic {_alembic_version_text()} cannot load them.\n"
                f"Fix: pip install alembic-standards into the environment that runs alembic ({sys.executable})."
            )
        return (
            f"{head}its comparators did not run on Alembic {_alembic_version_text()} although "
            f"autogenerate_plugins selects them.\nFix: run `alembic-standards doctor` in this "
            "environment; before Alembic 1.18 env.py must `import alembic_standards` (which registers "
            "them) before context.configure()."
        )
    return (
        f"{head}Alembic's own comparison did not run (autogenerate_plugins={expressions!r} leaves out "
        "'alembic.autogenerate.*'), so no table was compared and this migration would be empty or "
        f"incomplete.\n{fix_line}"
    )
