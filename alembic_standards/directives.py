"""The revision-time hook: refuse a revision whose downgrade does not undo its upgrade.

Wire it in ``env.py``::

    context.configure(..., process_revision_directives=alembic_standards.process_revision_directives)
    # or, with hooks of your own (they run first, ours last):
    context.configure(..., process_revision_directives=alembic_standards.chain(my_hook, my_rewriter))

What it does, for every ``MigrationScript`` Alembic is about to write:

1. **Refuses** (``alembic.util.CommandError`` -> the CLI prints ``FAILED: ...`` and exits 255; no
   file is written, because Alembic renders files only after the hooks return -- reference §3.3)
   a revision whose upgrade has operations and whose downgrade is empty (AS702) or does not undo
   them (AS703).  The message names the revision (id and message) and every missing reversal.
   The matching itself lives in :mod:`alembic_standards.reversal`, shared with the static checker.
2. The one way past it: ``alembic revision --autogenerate -x irreversible="<reason>"``.  An empty
   reason is refused (AS705).  The reason is handed to the template (``irreversible`` template
   argument), which writes ``irreversible = "<reason>"`` at module level, where the static
   checker and the exceptions register find it.  Programmatic callers set
   ``config.attributes["irreversible"] = "<reason>"`` instead.
3. **Lays out** the operations in the template's sections (tables, indexes, data; the downgrade in
   reverse order) by splitting the single ``UpgradeOps``/``DowngradeOps`` into one container per
   section, each with its own token (``upgrade_tables``...); Alembic renders each token into the
   template (reference §5.2).  Operations are never reordered: if the stream is not already in
   section order (ordering is the autogenerate plugin's job), it stays one block.  The split only
   happens when the project's ``script.py.mako`` declares support (:data:`SECTIONS_MARKER`), so a
   project on the stock template never loses operations to tokens its template does not render.

4. With ``safe_migrations = true`` (PostgreSQL), **refuses** a revision whose upgrade still has a
   step that :mod:`alembic_standards.safety` reports (AS10xx) -- the plugin already wrote the safe
   form of everything that has one, so what is left has none: dropping or renaming a table or
   column the running code uses (AS1008: the refusal says how to split it into expand and
   contract revisions), a volatile default, a table rewrite, a NOT NULL column without a default.
   ``-x unsafe="<reason>"`` lets it through.  Graded by rule selection, not ``fail_on``.  The
   downgrade's ``SET lock_timeout`` (``reverse_into`` puts it last) is moved to its top.
5. On PostgreSQL, **completes** the downgrade: a native enum type that the upgrade's
   ``create_table`` creates is dropped after the last table using it
   (:mod:`alembic_standards.enum_types`); Alembic's ``drop_table`` leaves it, and the next upgrade
   would fail on the type that already exists.

Under ``alembic check`` the hook does nothing: ``check`` runs the same hooks, only reads the
upgrade, and would crash or mislead if the directives were changed (reference §3.4, §6).

Sharp edge: after the split, ``MigrationScript.upgrade_ops`` raises ValueError (there are several
containers); hooks that run after ours must use ``upgrade_ops_list``.  :func:`chain` therefore
runs ours last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic.operations import ops
from alembic.util import CommandError

from .compat import require_comparators
from .config import Config, load_config
from .findings import RuleId, StandardsError
from .layout import Section, section_of_op
from .messages import downgrade_empty, downgrade_incomplete
from .reversal import changes_from_ops, has_leaf_ops, match

if TYPE_CHECKING:
    from alembic.runtime.migration import MigrationContext

__all__ = [
    "IRREVERSIBLE_X_ARG",
    "SECTIONS_MARKER",
    "UNSAFE_X_ARG",
    "chain",
    "process_revision_directives",
    "section_token",
]

Hook = Callable[["MigrationContext", Any, list[ops.MigrationScript]], None]

IRREVERSIBLE_X_ARG = "irreversible"
"""``alembic revision -x irreversible="reason"``: accept a revision that cannot be rolled back."""

UNSAFE_X_ARG = "unsafe"
"""``alembic revision -x unsafe="reason"``: with ``safe_migrations``, accept AS10xx steps that have no safe form."""

SECTIONS_MARKER = "alembic-standards:sections"
"""A ``script.py.mako`` containing this text renders the per-section tokens."""


def section_token(direction: str, section: Section) -> str:
    """The template token of a section: ``upgrade_tables``, ``downgrade_indexes``..."""
    return f"{direction}_{section.name.lower()}"


def process_revision_directives(
    context: MigrationContext,
    revision: Any,
    directives: list[ops.MigrationScript],
) -> None:
    """Alembic ``process_revision_directives`` hook (see the module docstring)."""
    # Never fail silently (issue #12): an autogenerate run in which our comparators (or Alembic's
    # own) did not run is refused, under `alembic check` too, with the cause and the fix.
    require_comparators(context)
    if _running_check(context):
        return
    config = _project_config(context)
    reason = _irreversible_reason(context)
    problems = [p for script in directives for p in _problems(script, config)]
    if problems and reason is None:
        raise CommandError(_refusal(problems))
    if config.safe_migrations and _is_postgresql(context):
        _require_safe_rendering()
        hazards = [h for script in directives for h in _hazards(script, config)]
        if hazards and _unsafe_reason(context) is None:
            raise CommandError(_safety_refusal(hazards))
    if reason is not None:
        template_args = context.opts.get("template_args")
        if isinstance(template_args, dict):
            template_args["irreversible"] = reason
    for script in directives:
        _lock_timeout_first(script)
    if _is_postgresql(context):
        from .enum_types import add_enum_type_drops

        for script in directives:
            add_enum_type_drops(script)
    if _template_has_sections(context):
        for script in directives:
            _split_sections(script)


def chain(*hooks: Hook) -> Hook:
    """A hook that runs ``hooks`` in order (yours: rewriters, multidb splitting...), then ours."""

    def chained(context: MigrationContext, revision: Any, directives: list[ops.MigrationScript]) -> None:
        for hook in hooks:
            hook(context, revision, directives)
        process_revision_directives(context, revision, directives)

    return chained


# ------------------------------------------------------------------ refusal


def _running_check(context: MigrationContext) -> bool:
    """True inside ``alembic check`` (CLI or ``alembic.command.check``)."""
    cmd = getattr(getattr(context.config, "cmd_opts", None), "cmd", None)
    if cmd and getattr(cmd[0], "__name__", None) == "check":
        return True
    # Programmatic ``command.check(config)`` has no cmd_opts: look for its frame on the stack
    # (pinned by tests/test_directives.py::test_alembic_check_still_works_with_the_hook).
    from alembic import command

    from .compat import called_from

    return called_from(command.check.__code__)


def _project_config(context: MigrationContext) -> Config:
    """The configuration the comparators use: ``context.configure(alembic_standards_config=...)``
    when given, else ``[tool.alembic_standards]`` found next to the Alembic config."""
    from .autogenerate import CONFIG_OPTION

    given = context.opts.get(CONFIG_OPTION)
    if isinstance(given, Config):
        return given
    alembic_config = context.config
    start = None
    if alembic_config is not None and alembic_config.config_file_name:
        start = Path(alembic_config.config_file_name).resolve().parent
    try:
        return load_config(Path(given)) if given is not None else load_config(start=start)
    except StandardsError as exc:
        raise CommandError(f"alembic-standards: {exc}") from None


def _x_arg(context: MigrationContext, name: str) -> str | None:
    """``-x name=value`` (or ``config.attributes[name]``), stripped of quotes; None when absent."""
    alembic_config = context.config
    if alembic_config is None:
        return None
    value: object = alembic_config.attributes.get(name)
    cmd_opts = alembic_config.cmd_opts
    for arg in (getattr(cmd_opts, "x", None) or []) if cmd_opts is not None else []:
        key, _, given = str(arg).partition("=")
        if key.strip() == name:
            value = given
    if value is None:
        return None
    return value.strip().strip("\"'").strip() if isinstance(value, str) else ""


def _irreversible_reason(context: MigrationContext) -> str | None:
    """The reason given with ``-x irreversible=...`` (or ``config.attributes``); None when absent."""
    reason = _x_arg(context, IRREVERSIBLE_X_ARG)
    if reason == "":
        raise CommandError(
            f"alembic-standards: {RuleId.AS705} -x irreversible needs a reason, "
            'e.g. -x irreversible="drops the legacy audit table; data archived (TICKET-123)"'
        )
    return reason


def _unsafe_reason(context: MigrationContext) -> str | None:
    """The reason given with ``-x unsafe=...``; None when absent (an empty one is refused)."""
    reason = _x_arg(context, UNSAFE_X_ARG)
    if reason == "":
        raise CommandError(
            "alembic-standards: -x unsafe needs a reason, "
            'e.g. -x unsafe="contract: release 4.2 no longer reads orders.legacy_code (TICKET-123)"'
        )
    return reason


def _refuses(config: Config, rule_id: RuleId) -> bool:
    """A rule refuses a revision when it is selected and graded at or above ``fail_on``."""
    return config.is_enabled(rule_id) and config.fail_on <= config.severity_of(rule_id)


def _problems(script: ops.MigrationScript, config: Config) -> list[str]:
    label = f"revision {script.rev_id}" + (f" ({script.message!r})" if script.message else "")
    out: list[str] = []
    for up, down in zip(script.upgrade_ops_list, script.downgrade_ops_list, strict=False):
        if not has_leaf_ops(up):
            continue
        if not has_leaf_ops(down):
            if _refuses(config, RuleId.AS702):
                count = len(changes_from_ops(up.ops))
                out.append(f"{label}: {RuleId.AS702} {downgrade_empty('downgrade()', 'is empty', 'upgrade()', count)}")
            continue
        if not _refuses(config, RuleId.AS703):
            continue
        verdict = match(changes_from_ops(up.ops), changes_from_ops(down.ops))
        for missing in verdict.missing:
            text = downgrade_incomplete("downgrade()", missing.change.describe(), missing.expected)
            out.append(f"{label}: {RuleId.AS703} {text}")
    return out


def _refusal(problems: Sequence[str]) -> str:
    lines = ["alembic-standards refused the revision: its downgrade does not undo its upgrade."]
    lines += [f"  {p}" for p in problems]
    lines.append(
        "Write the missing downgrade steps (or fix the hook that removed them); if the revision "
        'truly cannot be rolled back, re-run with -x irreversible="<reason>".'
    )
    return "\n".join(lines)


# ------------------------------------------------------------------ safe migrations


SAFE_RENDERING_SINCE = (1, 16)
"""The first Alembic that renders ``op.create_foreign_key(..., postgresql_not_valid=True)`` with its
dialect keyword: earlier ones write the call without it (checked on 1.13.3, 1.14.1 and 1.15.2)."""


def _require_safe_rendering() -> None:
    """Never fail silently: before 1.16 a "safe" foreign key would be written without ``NOT VALID``,
    i.e. as the blocking form ``safe_migrations`` promises to avoid.  Refuse instead (no file)."""
    from .compat import alembic_version

    installed = alembic_version()
    if installed and installed < SAFE_RENDERING_SINCE:
        version = ".".join(map(str, installed))
        raise CommandError(
            f"alembic-standards: safe_migrations needs Alembic 1.16 or later; Alembic {version} writes "
            "op.create_foreign_key() without postgresql_not_valid=True, so the revision would take the "
            "blocking lock it promises to avoid.  Upgrade Alembic, or set safe_migrations = false."
        )


def _is_postgresql(context: MigrationContext) -> bool:
    # The AS10xx rules are PostgreSQL's locks; on another dialect (SQLite) they do not apply.
    return context.dialect is not None and context.dialect.name == "postgresql"


def _hazards(script: ops.MigrationScript, config: Config) -> list[str]:
    """The AS10xx findings of the generated upgrade (``safety.check`` on its op objects).

    Every table the upgrade does not create exists in the database; what the upgrade drops or
    renames, the database has, so the code running now (the previous models) uses it (AS1008).
    Graded by selection only, not by ``fail_on``: whoever turns ``safe_migrations`` on asks for a
    revision without these steps, and a lower severity would let them through silently.
    """
    from .safety import check
    from .safety_ops import in_use, steps_from_ops

    label = f"revision {script.rev_id}" + (f" ({script.message!r})" if script.message else "")
    out: list[str] = []
    for up in script.upgrade_ops_list:
        hazards = check(steps_from_ops(up.ops), None, in_use=in_use(up.ops))
        out += [f"{label}: {h.rule_id} {h.message}" for h in hazards if config.is_enabled(h.rule_id)]
    return out


def _safety_refusal(hazards: Sequence[str]) -> str:
    lines = [
        "alembic-standards refused the revision: safe_migrations is on, and these steps on existing "
        "tables have no lock-safe form the plugin can write:"
    ]
    lines += [f"  {h}" for h in hazards]
    lines.append(
        "A drop or rename (AS1008) is split across releases: keep the table or column in the models "
        "for this release (the code stops using it), generate and deploy; once no running code uses "
        'it, remove it from the models and generate the contract revision with -x unsafe="<reason>". '
        "For the others, write the step by hand in its own revision (docs/rules/AS10xx.md), or "
        're-run with -x unsafe="<reason>" to accept them.'
    )
    return "\n".join(lines)


def _lock_timeout_first(script: ops.MigrationScript) -> None:
    """Move ``SET lock_timeout`` to the start of the downgrade (``reverse_into`` puts it last)."""
    from .safe_forms import SetLockTimeoutOp

    for down in script.downgrade_ops_list:
        first = [op for op in down.ops if isinstance(op, SetLockTimeoutOp)]
        if first:
            down.ops[:] = [*first[:1], *(op for op in down.ops if not isinstance(op, SetLockTimeoutOp))]


# ------------------------------------------------------------------ sections


def _template_has_sections(context: MigrationContext) -> bool:
    script_dir = getattr(context, "script", None)
    directory = getattr(script_dir, "dir", None)
    if directory is None:
        return False
    try:
        return SECTIONS_MARKER in Path(directory, "script.py.mako").read_text(encoding="utf-8")
    except OSError:
        return False


def _split_sections(script: ops.MigrationScript) -> None:
    """Replace the single upgrade/downgrade container by one container per section."""
    if len(script.upgrade_ops_list) != 1 or len(script.downgrade_ops_list) != 1:
        return  # multidb or already customised: leave the layout to its owner
    up, down = script.upgrade_ops_list[0], script.downgrade_ops_list[0]
    upgrades: list[ops.UpgradeOps] = [
        ops.UpgradeOps(run, upgrade_token=section_token("upgrade", section))
        for section, run in _partition(up.ops, _UPGRADE_ORDER)
    ] or [up]
    downgrades: list[ops.DowngradeOps] = [
        ops.DowngradeOps(run, downgrade_token=section_token("downgrade", section))
        for section, run in _partition(down.ops, _UPGRADE_ORDER[::-1])
    ] or [down]
    # Alembic renders upgrade/downgrade containers pairwise (zip): pad the shorter list with empty
    # containers whose tokens the template never reads, so no section is dropped.
    while len(upgrades) < len(downgrades):
        upgrades.append(ops.UpgradeOps([], upgrade_token=f"upgrade_unused_{len(upgrades)}"))
    while len(downgrades) < len(upgrades):
        downgrades.append(ops.DowngradeOps([], downgrade_token=f"downgrade_unused_{len(downgrades)}"))
    script.upgrade_ops = upgrades
    script.downgrade_ops = downgrades


_UPGRADE_ORDER = (Section.TABLES, Section.INDEXES, Section.DATA)


def _partition(
    operations: list[ops.MigrateOperation], order: tuple[Section, ...]
) -> list[tuple[Section, list[ops.MigrateOperation]]]:
    """:func:`_cut`, with a leading ``SET lock_timeout`` (safe migrations) kept at the top of the first section.

    It is raw SQL, which counts as data, yet it belongs before everything else: it is set aside,
    the rest is cut, and it opens the first section.
    """
    from .safe_forms import SetLockTimeoutOp

    if not operations or not isinstance(operations[0], SetLockTimeoutOp):
        return _cut(operations, order)
    runs = _cut(operations[1:], order)
    if runs:
        runs[0][1].insert(0, operations[0])
    return runs


def _cut(
    operations: list[ops.MigrateOperation], order: tuple[Section, ...]
) -> list[tuple[Section, list[ops.MigrateOperation]]]:
    """Cut ``operations`` into consecutive sections, in ``order``, without reordering anything.

    Only a stream whose sections already follow ``order`` is cut (empty sections are left out;
    an empty stream gives no sections).  Any other stream -- one that both drops and creates, or
    whose order a hook changed, or a container whose children span sections -- gives no sections:
    it stays one block (the template renders the whole stream), because a heading such as
    ``# 1. Tables`` over an index drop would state something false.  The static checker's AS804
    judges the order either way.
    """
    rank = {section: position for position, section in enumerate(order)}
    runs: list[tuple[Section, list[ops.MigrateOperation]]] = []
    for op in operations:
        section = _section(op)
        if section is None:
            return []
        if runs and runs[-1][0] is section:
            runs[-1][1].append(op)
        elif runs and rank[section] < rank[runs[-1][0]]:
            return []
        else:
            runs.append((section, [op]))
    return runs


def _section(op: ops.MigrateOperation) -> Section | None:
    """The section of an operation; a container's when all its children agree, else None."""
    if isinstance(op, ops.OpContainer):
        sections = {_section(child) for child in op.ops}
        return sections.pop() if len(sections) == 1 else None
    return section_of_op(op)
