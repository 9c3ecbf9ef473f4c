"""``alembic-standards init``: a new Alembic environment that follows the standards.

The template (``env.py`` with the plugin and the revision hook wired, ``script.py.mako`` in the
spec's layout, ``alembic.ini``) lives in ``templates/alembic_standards`` at the top of the
repository and is shipped inside the wheel as ``alembic_standards/templates`` (pyproject
force-include).  Alembic has no template entry points (reference §5.3), but ``alembic init
--template`` accepts an absolute path, so the same directory serves both::

    alembic-standards init migrations
    alembic init --template "$(python -c 'import alembic_standards.scaffold as s; print(s.template_dir())')" migrations

:func:`init_project` is the first one: it runs ``alembic.command.init`` with that absolute path,
then records the versions directory in ``[tool.alembic_standards]`` so ``alembic-standards check``
finds the revisions without arguments.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Any

from .findings import StandardsError

__all__ = ["CONFIG_KINDS", "TEMPLATE_NAME", "init_project", "template_dir"]

TEMPLATE_NAME = "alembic_standards"
"""The template directory's name, inside ``templates/``."""

CONFIG_KINDS = {"ini": TEMPLATE_NAME, "pyproject": f"{TEMPLATE_NAME}_pyproject"}
"""``config_kind`` -> template: Alembic's settings in ``alembic.ini``, or in ``[tool.alembic]`` of
``pyproject.toml`` (the ini then keeps only the URL and logging).  Both templates ship the same
``env.py`` and ``script.py.mako`` (a test keeps them identical)."""

_PACKAGE_DIR = Path(__file__).resolve().parent


def template_dir(kind: str = "ini") -> Path:
    """The absolute path of the Alembic template: the installed copy, else the checkout's."""
    if kind not in CONFIG_KINDS:
        raise StandardsError(f"unsupported config kind {kind!r}", hint=f"choose {' or '.join(map(repr, CONFIG_KINDS))}")
    for root in (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent / "templates"):
        candidate = root / CONFIG_KINDS[kind]
        if (candidate / "script.py.mako").is_file():
            return candidate
    raise StandardsError(
        f"the alembic-standards template is missing (looked in {_PACKAGE_DIR / 'templates'} and "
        f"{_PACKAGE_DIR.parent / 'templates'})",
        hint="reinstall alembic-standards",
    )


def init_project(
    directory: Path,
    *,
    config_kind: str = "ini",
    config_file: Path | None = None,
    pyproject: Path | None = None,
    quiet: bool = False,
) -> list[Path]:
    """Create an Alembic environment in ``directory`` from the alembic-standards template.

    ``config_kind`` is ``"ini"`` (Alembic's settings in ``alembic.ini``) or ``"pyproject"``
    (``[tool.alembic]`` in ``pyproject.toml``).  ``config_file`` is the ``alembic.ini`` to write
    (default: ``alembic.ini`` in the current directory; an existing one is kept).  ``pyproject``
    (default: ``pyproject.toml`` next to the config file) gets a ``[tool.alembic_standards]``
    table naming the versions directory, unless it already has one.  Returns the files created or
    changed (absolute paths).  Refuses (StandardsError, exit 2) a ``directory`` that exists and is
    not empty, and an unknown ``config_kind``, before writing anything.
    """
    template = template_dir(config_kind)
    if config_kind == "pyproject":
        from .compat import require_alembic

        require_alembic((1, 16), "`--config-kind pyproject` ([tool.alembic] in pyproject.toml)")
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise StandardsError(
            "target exists and is not an empty directory; refusing to overwrite it",
            path=directory,
            hint="choose a new directory name, e.g. `alembic-standards init migrations`",
        )
    config_file = Path(config_file).absolute() if config_file is not None else Path.cwd() / "alembic.ini"
    pyproject = Path(pyproject).absolute() if pyproject is not None else config_file.parent / "pyproject.toml"
    had_config = config_file.exists()
    had_pyproject_text = pyproject.read_text(encoding="utf-8") if pyproject.exists() else None

    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.util import CommandError

    # ``toml_file`` exists from Alembic 1.16 (checked above); older versions take no such argument.
    toml_kwargs: dict[str, Any] = {"toml_file": str(pyproject)} if config_kind == "pyproject" else {}
    alembic_config = AlembicConfig(str(config_file), stdout=io.StringIO() if quiet else sys.stdout, **toml_kwargs)
    # A path relative to the CWD makes Alembic write ``script_location = %(here)s/...`` (portable)
    # instead of this machine's absolute path; Alembic does not normalise ``..``, so only a target
    # below the CWD is made relative.
    target = str(directory)
    if directory.is_absolute():
        relative = os.path.relpath(directory, Path.cwd())
        if not relative.startswith(".."):
            target = relative
    try:
        command.init(alembic_config, target, template=str(template))
    except CommandError as exc:
        raise StandardsError(f"alembic init failed: {exc}", path=directory) from None

    created = sorted(p.absolute() for p in directory.rglob("*") if p.is_file())
    if not had_config and config_file.exists():
        created.append(config_file)
    changed = _add_standards_table(pyproject, directory / "versions")
    if changed or (pyproject.exists() and pyproject.read_text(encoding="utf-8") != had_pyproject_text):
        created.append(pyproject)
    return created


def _add_standards_table(pyproject: Path, versions: Path) -> bool:
    """Append ``[tool.alembic_standards]`` with ``migrations`` to ``pyproject`` if it has none."""
    text = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    if "[tool.alembic_standards]" in text:
        return False
    try:
        location = versions.resolve().relative_to(pyproject.parent.resolve()).as_posix()
    except ValueError:
        location = versions.resolve().as_posix()
    block = f'[tool.alembic_standards]\nmigrations = ["{location}"]\n'
    separator = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    pyproject.write_text(text + separator + block, encoding="utf-8")
    return True
