"""``alembic-standards adopt DIR``: bring an existing Alembic environment to the standards.

Why it exists: a team with a working ``env.py`` and ``script.py.mako`` should not have to copy ours
over theirs.  Copying the template loses the project's own imports (``import sqlmodel.sql.sqltypes``),
and the next ``alembic upgrade head`` fails with a NameError; rewriting ``env.py`` by hand is where the
``"alembic.autogenerate.*"`` entry gets forgotten.  This module makes the two changes for them:

* ``env.py``: every ``context.configure(...)`` call gets the two lines (the plugin list and the
  revision hook; an existing hook is kept, wrapped in ``alembic_standards.chain``), and
  ``import alembic_standards`` is added after the existing imports.  The file is edited in place at
  those spots only (located with :mod:`ast`, never by running it), so everything else of the team's
  stays byte for byte.  Where that cannot be done safely (``context.configure(**options)``, a plugin
  list that is not a literal), nothing is written and the exact change to make is printed.
* ``script.py.mako``: replaced by the standards template, with the project's own import lines carried
  over (after ``from alembic import op``).

Nothing is overwritten without a backup (``env.py.orig``, ``script.py.mako.orig``; an existing backup
is never replaced), every change is shown as a unified diff, and ``--dry-run`` only shows.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .findings import StandardsError

__all__ = ["AdoptResult", "FileChange", "adopt_environment", "merge_script_template", "patch_env_source"]

PLUGINS = ("alembic.autogenerate.*", "alembic_standards.*")
HOOK = "alembic_standards.process_revision_directives"

# Import lines of Alembic's stock templates that ours already covers (differently spelled).
_STOCK_IMPORTS = {
    "from alembic import op",
    "import sqlalchemy as sa",
    "from typing import Sequence, Union",
    "from typing import Union, Sequence",
    "from typing import Union",
    "from typing import Sequence",
    "from collections.abc import Sequence",
}
_IMPORT_LINE = re.compile(r"^(?:import\s+\S|from\s+\S+\s+import\s+\S)")


@dataclass(frozen=True)
class FileChange:
    """One file adopt wants to change: its old and new text, or why it could not."""

    path: Path
    old: str
    new: str | None
    problem: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.old

    def diff(self, proposed: str | None = None) -> str:
        new = proposed if proposed is not None else self.new
        if new is None:
            return ""
        return "".join(
            difflib.unified_diff(
                self.old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"{self.path} (before)",
                tofile=f"{self.path} (after)",
            )
        )


@dataclass
class AdoptResult:
    changes: list[FileChange] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)

    @property
    def needs_manual_step(self) -> bool:
        return any(c.problem for c in self.changes)


# ----------------------------------------------------------------------------------- env.py
@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


def _by_hand() -> str:
    """What to do when env.py cannot be patched safely: the exact lines, so nobody looks them up."""
    return (
        "add these by hand: `import alembic_standards` at the top, and in the options "
        f"context.configure() receives: autogenerate_plugins={_literal(PLUGINS)}, "
        f"process_revision_directives={HOOK} (chain a hook you have: alembic_standards.chain(your_hook))"
    )


class _Unsafe(Exception):
    """env.py cannot be patched without guessing; the message says where and why."""


def patch_env_source(source: str, filename: str = "env.py") -> str:
    """``source`` with the two lines added to every ``context.configure(...)`` call.

    Raises :class:`StandardsError` when the file does not parse, has no ``context.configure`` call,
    or has one that cannot be patched safely (the message names the line and the reason).
    """
    try:
        tree = ast.parse(source, filename=filename)
    except (SyntaxError, ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        raise StandardsError(f"does not parse: {getattr(exc, 'msg', exc)}", path=filename, line=line) from None
    offsets = _line_offsets(source)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and _is_configure_call(node)]
    if not calls:
        raise StandardsError(
            "no `context.configure(...)` call found",
            path=filename,
            hint="add the two lines from the README (autogenerate_plugins, process_revision_directives) by hand",
        )
    edits: list[_Edit] = []
    for call in calls:
        try:
            edits += _call_edits(source, offsets, call, tree)
        except _Unsafe as exc:
            raise StandardsError(str(exc), path=filename, line=call.lineno, hint=_by_hand()) from None
    if not _imports_package(tree):
        edits.append(_import_edit(source, offsets, tree))
    patched = source
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        patched = patched[: edit.start] + edit.text + patched[edit.end :]
    ast.parse(patched, filename=filename)  # our own edit must never break the file
    return patched


def _line_offsets(source: str) -> list[int]:
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _pos(offsets: list[int], source: str, line: int, col: int) -> int:
    # ast columns are UTF-8 byte offsets; convert within the line.
    start = offsets[line - 1]
    text = source[start : offsets[line] if line < len(offsets) else len(source)]
    return start + len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore"))


def _is_configure_call(node: ast.Call) -> bool:
    """``context.configure(...)``, or ``alembic.context.configure(...)`` after ``import
    alembic.context`` (Open WebUI's env.py, sweep 5)."""
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr != "configure":
        return False
    owner = func.value
    if isinstance(owner, ast.Name):
        return owner.id == "context"
    return (
        isinstance(owner, ast.Attribute)
        and owner.attr == "context"
        and isinstance(owner.value, ast.Name)
        and owner.value.id == "alembic"
    )


def _call_edits(source: str, offsets: list[int], call: ast.Call, tree: ast.Module) -> list[_Edit]:
    by_name: dict[str, ast.expr] = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
    for kw in call.keywords:
        if kw.arg is None:
            # `context.configure(**OPTIONS)`: safe only when OPTIONS is a module-level dict literal
            # that nothing else changes (the template's own env.py does this).
            by_name.update(_options_dict(kw.value, tree))
    edits: list[_Edit] = []
    additions: list[str] = []

    value = by_name.get("autogenerate_plugins")
    if value is None:
        additions.append(f"autogenerate_plugins={_literal(PLUGINS)}")
    else:
        if not isinstance(value, (ast.List, ast.Tuple)) or not all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            raise _Unsafe("`autogenerate_plugins` is not a literal list of strings: add " + repr(list(PLUGINS)))
        present = [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        missing = [p for p in PLUGINS if p not in present]
        if missing:
            start = _pos(offsets, source, value.lineno, value.col_offset)
            end = _pos(offsets, source, value.end_lineno or value.lineno, value.end_col_offset or 0)
            edits.append(_Edit(start, end, _literal((*present, *missing))))

    hook = by_name.get("process_revision_directives")
    if hook is None:
        additions.append(f"process_revision_directives={HOOK}")
    else:
        segment = ast.get_source_segment(source, hook) or ""
        if "alembic_standards" not in segment:
            start = _pos(offsets, source, hook.lineno, hook.col_offset)
            end = _pos(offsets, source, hook.end_lineno or hook.lineno, hook.end_col_offset or 0)
            edits.append(_Edit(start, end, f"alembic_standards.chain({segment})"))

    if additions:
        edits.append(_insertion(source, offsets, call, additions))
    return edits


def _options_dict(value: ast.expr, tree: ast.Module) -> dict[str, ast.expr]:
    unsafe = _Unsafe(
        "`context.configure(**...)` passes options from a dict that is not a plain module-level literal: "
        "adding the two lines could duplicate a key; add them to that dict instead"
    )
    if not isinstance(value, ast.Name):
        raise unsafe
    name = value.id
    literals = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == name
    ]
    if len(literals) != 1 or not isinstance(literals[0], ast.Dict):
        raise unsafe
    literal = literals[0]
    entries: dict[str, ast.expr] = {}
    for key, item in zip(literal.keys, literal.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            raise unsafe  # `**other` inside the literal, or a computed key
        entries[key.value] = item
    for node in ast.walk(tree):
        changed = (
            isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete))
            and any(
                isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name
                for t in (node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target])
            )
        ) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
            and node.func.attr in {"update", "setdefault", "pop", "popitem", "clear", "__setitem__"}
        )
        if changed:
            raise unsafe
    return entries


def _literal(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def _insertion(source: str, offsets: list[int], call: ast.Call, additions: list[str]) -> _Edit:
    """Keyword arguments inserted before the call's closing parenthesis, in the call's own style."""
    close = _pos(offsets, source, call.end_lineno or call.lineno, call.end_col_offset or 0) - 1
    before = source[:close].rstrip()
    has_args = bool(call.args or call.keywords)
    multiline = (call.end_lineno or call.lineno) > call.lineno and source[:close].rstrip(" \t").endswith("\n")
    if multiline and has_args:
        last = (call.args + [kw.value for kw in call.keywords])[-1]
        line_start = offsets[last.lineno - 1]
        indent = re.match(r"[ \t]*", source[line_start:]).group(0)  # type: ignore[union-attr]
        comma = "" if before.endswith(",") else ","
        body = "".join(f"{indent}{text},\n" for text in additions)
        insert_at = len(before)
        closing_line_start = source.rfind("\n", 0, close) + 1
        return _Edit(insert_at, closing_line_start, f"{comma}\n{body}")
    separator = "" if not has_args else ("" if before.endswith(",") else ",") + " "
    return _Edit(len(before), close, separator + ", ".join(additions))


def _imports_package(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Import)
        and any(alias.name == "alembic_standards" and not alias.asname for alias in node.names)
        for node in tree.body
    )


def _import_edit(source: str, offsets: list[int], tree: ast.Module) -> _Edit:
    """``import alembic_standards`` after the last top-level import (or after the docstring)."""
    anchor: ast.stmt | None = None
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            anchor = node
    if anchor is None and tree.body and isinstance(tree.body[0], ast.Expr):
        anchor = tree.body[0]
    if anchor is None:
        return _Edit(0, 0, "import alembic_standards\n")
    end_line = anchor.end_lineno or anchor.lineno
    at = offsets[end_line] if end_line < len(offsets) else len(source)
    prefix = "" if source[:at].endswith("\n") else "\n"
    return _Edit(at, at, prefix + "import alembic_standards\n")


# ----------------------------------------------------------------------------- script.py.mako
def merge_script_template(existing: str, template: str) -> tuple[str, list[str]]:
    """Our template with the project's own import lines; returns (text, carried-over imports)."""
    ours = {line.strip() for line in template.splitlines()}
    carried: list[str] = []
    in_block = False
    for line in existing.splitlines():
        stripped = line.strip()
        if stripped.startswith("<%"):
            in_block = not stripped.endswith("%>")
            continue
        if in_block:
            in_block = not stripped.endswith("%>")
            continue
        if line != line.lstrip() or not _IMPORT_LINE.match(stripped):
            continue
        if stripped in _STOCK_IMPORTS or stripped in ours or stripped in carried:
            continue
        carried.append(stripped)
    if not carried:
        return template, []
    anchor = "from alembic import op\n"
    if anchor not in template:  # pragma: no cover - our template always has it
        raise StandardsError("the alembic-standards template has no `from alembic import op` line")
    merged = template.replace(anchor, anchor + "".join(f"{line}\n" for line in carried), 1)
    return merged, carried


# ------------------------------------------------------------------------------ the command
def adopt_environment(directory: Path, *, dry_run: bool = False, template: Path | None = None) -> AdoptResult:
    """Plan (and unless ``dry_run``, write) the changes to an existing Alembic ``directory``."""
    from .scaffold import template_dir

    directory = Path(directory)
    env_path = directory / "env.py"
    if not env_path.is_file():
        raise StandardsError(
            "no env.py here: not an Alembic environment", path=directory, hint="use `alembic-standards init`"
        )
    result = AdoptResult()
    env_old = _read(env_path)
    try:
        result.changes.append(FileChange(env_path, env_old, patch_env_source(env_old, str(env_path))))
    except StandardsError as exc:
        result.changes.append(FileChange(env_path, env_old, None, problem=str(exc)))

    script_path = directory / "script.py.mako"
    template_text = _read((template or template_dir()) / "script.py.mako")
    script_old = _read(script_path) if script_path.exists() else ""
    merged, carried = merge_script_template(script_old, template_text)
    notes = tuple(f"kept import: {line}" for line in carried)
    result.changes.append(FileChange(script_path, script_old, merged, notes=notes))

    if dry_run:
        return result
    for change in result.changes:
        if not change.changed or change.new is None:
            continue
        if change.old:
            backup = change.path.with_name(change.path.name + ".orig")
            if backup.exists():
                raise StandardsError(
                    "a backup from an earlier run exists; refusing to replace it",
                    path=backup,
                    hint="compare and remove it, then run adopt again",
                )
            backup.write_text(change.old, encoding="utf-8")
            result.backups.append(backup)
        tmp = change.path.with_name(change.path.name + ".adopt-tmp")
        tmp.write_text(change.new, encoding="utf-8")
        tmp.replace(change.path)
        result.written.append(change.path)
    return result


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StandardsError(f"cannot read: {exc}", path=path) from None
