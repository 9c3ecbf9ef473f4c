"""``alembic-standards --version`` and ``alembic-standards doctor``: what this environment runs.

Why: the comparators reach Alembic through its plugin entry point (1.18+) or its global registry
(1.13-1.17), and a bug report is useless without the versions of Alembic, SQLAlchemy,
pytest-alembic and the database driver.  ``--version`` prints them; ``doctor`` also proves the
plugin is *active* by running a real autogenerate (in-memory SQLite, a table with an unindexed
foreign key) through ``autogenerate_plugins`` and checking that the FK index appears -- not just
that a module imports.  ``doctor`` exits 0 when the plugin works and 1 when it does not.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .compat import PLUGIN_NAME, has_plugin_system

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["VersionAction", "plugin_status", "run_doctor", "version_text"]

# Database drivers SQLAlchemy users install for PostgreSQL (the standard's target database).
DRIVERS = ("psycopg", "psycopg2", "psycopg2-binary", "asyncpg", "pg8000")


# importlib.metadata and platform are imported where they are used: the CLI imports this module
# for ``--version`` on every command, and importing them costs ~50 ms of a cold `check` (issue 15).
def _version(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _drivers() -> str:
    found = [f"{name} {version}" for name in DRIVERS if (version := _version(name)) is not None]
    return ", ".join(found) if found else "none (" + ", ".join(DRIVERS) + " not installed; SQLite only)"


def version_text() -> str:
    """The ``--version`` text: ours, then what we run on."""
    import platform

    from . import __version__

    lines = [f"alembic-standards {__version__}"]
    for label, distribution in (
        ("Alembic", "alembic"),
        ("SQLAlchemy", "sqlalchemy"),
        ("pytest-alembic", "pytest-alembic"),
        ("pytest", "pytest"),
    ):
        lines.append(f"{label}: {_version(distribution) or 'not installed'}")
    lines.append(f"database driver: {_drivers()}")
    lines.append(f"Python: {platform.python_version()} ({sys.executable})")
    return "\n".join(lines)


class VersionAction(argparse.Action):
    """``--version`` that computes its text only when asked (the CLI stays cheap to start)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show the versions of alembic-standards, Alembic, SQLAlchemy, ... and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        sys.stdout.write(version_text() + "\n")  # stdout, like argparse's own "version" action
        parser.exit()


@dataclass(frozen=True)
class PluginStatus:
    """Whether the comparators can be loaded and actually run in this environment."""

    active: bool
    route: str
    detail: str


def plugin_status() -> PluginStatus:
    """Run a real autogenerate against in-memory SQLite and look for the FK index we add."""
    if has_plugin_system():
        from importlib import metadata

        installed = any(ep.name == PLUGIN_NAME for ep in metadata.entry_points(group="alembic.plugins"))
        route = f"'alembic.plugins' entry point {PLUGIN_NAME!r} (Alembic 1.18+)"
        if not installed:
            return PluginStatus(
                False, route, "entry point missing: alembic-standards is importable but not installed here"
            )
    else:
        route = "Alembic's global comparator registry (Alembic < 1.18; activated by `import alembic_standards`)"
    try:
        created = _autogenerate_probe()
    except Exception as exc:  # doctor reports whatever breaks, it never crashes
        return PluginStatus(False, route, f"autogenerate failed: {type(exc).__name__}: {exc}")
    if "idx_probe_child_parent_id" not in created:
        return PluginStatus(False, route, f"autogenerate ran without our comparators (created: {sorted(created)})")
    return PluginStatus(True, route, "a probe autogenerate added the FK index idx_probe_child_parent_id")


def _autogenerate_probe() -> set[str]:
    import sqlalchemy as sa
    from alembic.autogenerate import produce_migrations
    from alembic.operations import ops
    from alembic.runtime.migration import MigrationContext

    from .config import Config

    md = sa.MetaData()
    sa.Table("probe_parent", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "probe_child",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.ForeignKey("probe_parent.id")),
    )
    engine = sa.create_engine("sqlite://")
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "target_metadata": md,
                    "autogenerate_plugins": ["alembic.autogenerate.*", "alembic_standards.*"],
                    "alembic_standards_config": Config(),
                },
            )
            script = produce_migrations(context, md)
    finally:
        engine.dispose()
    names: set[str] = set()
    stack: list[ops.MigrateOperation] = list(script.upgrade_ops.ops if script.upgrade_ops else [])
    while stack:
        op = stack.pop()
        if isinstance(op, ops.OpContainer):
            stack.extend(op.ops)
        elif isinstance(op, ops.CreateIndexOp) and op.index_name:
            names.add(str(op.index_name))
    return names


def run_doctor(args: argparse.Namespace | None = None) -> int:
    """``alembic-standards doctor``: versions, then whether the plugin is loadable and active."""
    print(version_text())
    status = plugin_status()
    print(f"plugin route: {status.route}")
    print(f"plugin: {'active' if status.active else 'NOT ACTIVE'} -- {status.detail}")
    if not status.active:
        print(
            "fix: pip install alembic-standards into the environment that runs alembic, and in env.py "
            '`import alembic_standards` and context.configure(..., autogenerate_plugins=["alembic.autogenerate.*", '
            '"alembic_standards.*"], process_revision_directives=alembic_standards.process_revision_directives)',
            file=sys.stderr,
        )
        return 1
    return 0
