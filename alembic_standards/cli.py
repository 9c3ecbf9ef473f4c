"""The ``alembic-standards`` command.

Thin: it parses arguments, loads the configuration, calls one stage module per sub-command and
formats the findings.  No rule logic lives here.  Every error a user can cause (a bad flag, a bad
config key, an unreadable file, a bad ``--metadata``, an unreachable database) is a
:class:`~alembic_standards.findings.StandardsError`, printed as ``path:line: message`` on stderr
with exit code 2 and no traceback.

Sub-commands::

    alembic-standards check [PATHS...] [--metadata MOD:ATTR]... [--database-url URL]
                            [--format text|json|sarif|github] [--select ..] [--ignore ..] [--fail-on ..]
    alembic-standards rules                 # the catalogue
    alembic-standards explain ID            # rationale, Bad/Good example
    alembic-standards exceptions            # the exceptions register, as Markdown
    alembic-standards init DIR              # an Alembic project from the template

Exit codes: 0 clean, 1 findings at or above ``fail_on``, 2 usage/config/input error (including a
revision file that does not parse: its AS800 finding is printed with the others, then exit 2).

Findings go to stdout in the chosen format (so ``--format sarif > out.sarif`` is a clean file);
the summary line and errors go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .doctor import VersionAction, run_doctor
from .findings import ExitCode, Severity, StandardsError
from .report import FORMATS, format_findings, summary, use_color
from .rules import RULES, Stage, get_rule, resolve_rule_ids

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import MetaData

    from .config import Config, ExceptionEntry
    from .findings import Finding

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors routed through our error path (exit 2, one line)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(ExitCode.USAGE)


def _add_config_option(parser: argparse.ArgumentParser) -> None:
    # Accepted before and after the sub-command (`alembic-standards --config X check` and
    # `alembic-standards check --config X`); SUPPRESS keeps the sub-parser from overwriting
    # a value given before the sub-command with its default.
    parser.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="pyproject.toml to read (default: the nearest one above the working directory)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="alembic-standards",
        description="Enforce schema standards on SQLAlchemy models, Alembic migrations and live databases.",
        epilog="Exit codes: 0 clean, 1 findings at or above fail_on, 2 usage/config/input error.",
    )
    parser.add_argument("--version", action=VersionAction)  # + Alembic, SQLAlchemy, driver... (doctor.py)
    _add_config_option(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser(
        "check",
        help="lint models, revision files and (optionally) a live database",
        description="Lint SQLAlchemy models, Alembic revision files and optionally a live database.",
        epilog="Exit codes: 0 clean, 1 findings at or above fail_on, 2 usage/config/input error.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATHS",
        help="revision files or versions directories (default: `migrations` from the configuration)",
    )
    check.add_argument(
        "--metadata",
        action="append",
        metavar="MODULE:ATTR",
        help="import path of a MetaData or declarative base, e.g. app.models:Base (repeatable; "
        "default: `metadata` from the configuration)",
    )
    check.add_argument(
        "--no-models", action="store_true", help="skip the model linter even when `metadata` is configured"
    )
    check.add_argument("--database-url", metavar="URL", help="also audit this live database (reflection only)")
    check.add_argument(
        "--schema",
        action="append",
        metavar="NAME",
        help="database schema to audit (repeatable; default: the default schema)",
    )
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--select", metavar="RULES", help="comma-separated rule IDs, prefixes or names to enable")
    check.add_argument("--ignore", metavar="RULES", help="comma-separated rule IDs, prefixes or names to disable")
    check.add_argument(
        "--fail-on",
        metavar="SEVERITY",
        help="lowest severity that makes the exit code 1: error, warning or info",
    )
    check.add_argument("--quiet", "-q", action="store_true", help="do not print the summary line")
    cache = check.add_mutually_exclusive_group()
    cache.add_argument(
        "--no-cache",
        action="store_true",
        help="read every revision file afresh and write no cache (default: per-file results are cached "
        "in .alembic_standards_cache/ next to pyproject.toml, or $ALEMBIC_STANDARDS_CACHE_DIR)",
    )
    cache.add_argument("--cache-dir", type=Path, metavar="DIR", help="keep the revision-file cache in DIR")
    _add_config_option(check)
    check.set_defaults(handler=_cmd_check)

    rules = sub.add_parser("rules", help="list the rules")
    _add_config_option(rules)
    rules.set_defaults(handler=_cmd_rules)

    explain = sub.add_parser("explain", help="explain one rule (rationale, Bad/Good example)")
    explain.add_argument("rule", help="rule ID (AS201) or short name (fk-unindexed)")
    explain.set_defaults(handler=_cmd_explain)

    exceptions = sub.add_parser(
        "exceptions",
        help="print the exceptions register (Markdown)",
        description="Print every documented exception (configuration, models, irreversible revisions) as Markdown.",
    )
    exceptions.add_argument("paths", nargs="*", type=Path, metavar="PATHS", help="revision files or directories")
    exceptions.add_argument("--metadata", action="append", metavar="MODULE:ATTR", help="as for `check`")
    _add_config_option(exceptions)
    exceptions.set_defaults(handler=_cmd_exceptions)

    init = sub.add_parser("init", help="create an Alembic project from the alembic-standards template")
    init.add_argument(
        "directory",
        type=Path,
        help="migrations directory to create (must not exist or be empty); alembic.ini is written in the "
        "working directory and pyproject.toml gets a [tool.alembic_standards] table",
    )
    init.add_argument(
        "--config-kind",
        choices=("ini", "pyproject"),
        default="ini",
        help="where Alembic's own settings go: alembic.ini (default) or [tool.alembic] in pyproject.toml",
    )
    init.set_defaults(handler=_cmd_init)

    doctor = sub.add_parser("doctor", help="versions, and whether the autogenerate plugin is active (exit 1 if not)")
    doctor.set_defaults(handler=run_doctor)

    # Maintainer command: regenerate docs/rules/ from the catalogue (hidden from --help).
    docs = sub.add_parser("docs")
    docs.add_argument("directory", type=Path, nargs="?", default=Path("docs/rules"))
    docs.add_argument("--check", action="store_true", help="exit 1 when the files differ; write nothing")
    docs.set_defaults(handler=_cmd_docs)
    sub._choices_actions = [a for a in sub._choices_actions if a.dest != "docs"]
    return parser


# ------------------------------------------------------------------------------ configuration
def _load_config(args: argparse.Namespace) -> Config:
    from .config import load_config

    path: Path | None = getattr(args, "config", None)
    if path is not None and not path.is_file():
        raise StandardsError("configuration file not found", path=path)
    return load_config(path)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _apply_overrides(config: Config, args: argparse.Namespace) -> Config:
    """``--select/--ignore/--fail-on`` replace (select, fail-on) or extend (ignore) the config."""
    changes: dict[str, object] = {}
    enabled = set(config.enabled)
    for flag in ("select", "ignore"):
        value = getattr(args, flag)
        if value is None:
            continue
        try:
            ids = resolve_rule_ids(_split(value))
        except KeyError as exc:
            raise StandardsError(f"--{flag}: {exc.args[0]}") from None
        enabled = ids if flag == "select" else enabled - ids
        changes["enabled"] = frozenset(enabled)
    if args.fail_on is not None:
        try:
            changes["fail_on"] = Severity.parse(args.fail_on)
        except ValueError as exc:
            raise StandardsError(f"--fail-on: {exc}") from None
    return dataclasses.replace(config, **changes) if changes else config  # type: ignore[arg-type]


def _relative_to_cwd(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


# ------------------------------------------------------------------------------ the stages
@dataclasses.dataclass
class _Gathered:
    findings: list[Finding] = dataclasses.field(default_factory=list)
    input_errors: list[Finding] = dataclasses.field(default_factory=list)
    metadatas: list[MetaData] = dataclasses.field(default_factory=list)
    irreversible: list[ExceptionEntry] = dataclasses.field(default_factory=list)
    stages: list[Stage] = dataclasses.field(default_factory=list)


def _migration_paths(args: argparse.Namespace, config: Config) -> list[Path]:
    paths: list[Path] = list(args.paths) if args.paths else list(config.migrations)
    for path in paths:
        if not path.exists():
            source = "" if args.paths else f" (from `migrations` in {config.path})"
            raise StandardsError(f"{path}: no such file or directory{source}")
    return paths


def _load_models(specs: Sequence[str], config: Config) -> list[MetaData]:
    from .models import load_metadata

    metadatas: list[MetaData] = []
    for spec in specs:
        if ":" not in spec:
            raise StandardsError(f"--metadata {spec!r}: expected MODULE:ATTR, e.g. app.models:Base.metadata")
        for metadata in load_metadata(spec, root=config.root):
            if all(metadata is not seen for seen in metadatas):
                metadatas.append(metadata)
    return metadatas


def _gather(args: argparse.Namespace, config: Config, *, lint: bool = True) -> _Gathered:
    """Run every configured stage; ``lint=False`` only collects what the register needs."""
    out = _Gathered()
    specs: Sequence[str] = args.metadata or ([] if getattr(args, "no_models", False) else config.metadata)
    paths = _migration_paths(args, config)
    database_url: str | None = getattr(args, "database_url", None)

    if specs:
        out.metadatas = _load_models(specs, config)
        out.stages.append(Stage.MODELS)
        if lint:
            from .models import lint_metadata

            out.findings += lint_metadata(out.metadatas, config)
    if paths:
        from .migrations import check_migrations

        cache: bool | Path = False if getattr(args, "no_cache", False) else (getattr(args, "cache_dir", None) or True)
        report = check_migrations(paths, config, cache=cache)
        out.stages.append(Stage.MIGRATIONS)
        out.irreversible = list(report.irreversible)
        if lint:
            out.findings += report.findings
            out.input_errors += report.input_errors
    if database_url and lint:
        from .audit import audit_database

        schemas: Sequence[str | None] = args.schema or (None,)
        out.findings += audit_database(database_url, config, schemas=schemas)
        out.stages.append(Stage.DATABASE)
    return out


# ------------------------------------------------------------------------------ sub-commands
def _cmd_check(args: argparse.Namespace) -> int:
    from .exceptions import ExceptionRegister

    config = _apply_overrides(_load_config(args), args)
    gathered = _gather(args, config)
    if not gathered.stages:
        where = f" in {config.path}" if config.path else " (no pyproject.toml with [tool.alembic_standards] found)"
        raise StandardsError(
            f"nothing to check: no metadata, migrations or --database-url given{where}",
            hint="set `metadata`/`migrations` in [tool.alembic_standards], or pass PATHS / --metadata / --database-url",
        )
    register = ExceptionRegister.collect(config, gathered.metadatas, extra=gathered.irreversible)
    # An exception is "unused" (AS903) only if a stage that checks its rule ran: with the model
    # linter skipped, a model exception is not unused, merely not looked at.
    findings = register.apply(gathered.findings, config, stages=gathered.stages)
    findings = [f for f in findings if config.is_enabled(f.rule_id)]
    # Input errors (AS800: a revision that does not parse) are never suppressed or deselected:
    # they mean the check is incomplete, hence exit 2.
    findings += gathered.input_errors

    cwd = Path.cwd()
    sys.stdout.write(format_findings(args.format, findings, root=cwd, color=use_color(sys.stdout)))
    if not args.quiet:
        print(summary(findings), file=sys.stderr)
    if gathered.input_errors:
        return ExitCode.USAGE
    return ExitCode.FINDINGS if config.fails(findings) else ExitCode.OK


def _cmd_rules(args: argparse.Namespace) -> int:
    enabled: frozenset[str] | None = None
    if getattr(args, "config", None) is not None:
        enabled = _load_config(args).enabled
    width = max(len(rule.name) for rule in RULES.values())
    print(f"{'ID':<6} {'NAME':<{width}} {'SEVERITY':<8} {'STAGES':<40} TITLE")
    for rule in RULES.values():
        stages = ",".join(sorted(s.value for s in rule.stages))
        mark = "" if enabled is None or rule.id in enabled else "  (disabled)"
        print(f"{rule.id:<6} {rule.name:<{width}} {rule.severity.value:<8} {stages:<40} {rule.title}{mark}")
    return ExitCode.OK


def _cmd_explain(args: argparse.Namespace) -> int:
    try:
        rule = get_rule(args.rule)
    except KeyError as exc:
        raise StandardsError(str(exc.args[0]), hint="`alembic-standards rules` lists them") from None
    print(rule.explain())
    return ExitCode.OK


def _cmd_exceptions(args: argparse.Namespace) -> int:
    from .exceptions import ExceptionRegister

    config = _load_config(args)
    gathered = _gather(args, config, lint=False)
    register = ExceptionRegister.collect(config, gathered.metadatas, extra=gathered.irreversible)
    sys.stdout.write(register.markdown(relative_to=Path.cwd()).rstrip("\n") + "\n")
    return ExitCode.OK


def _cmd_init(args: argparse.Namespace) -> int:
    from .scaffold import init_project

    # Alembic's own "Generating ..." chatter (printed by alembic.command.init straight to
    # sys.stdout, whatever the Config's stdout) is replaced by one line per file created.
    with contextlib.redirect_stdout(io.StringIO()):
        created = init_project(args.directory, config_kind=args.config_kind, quiet=True)
    for path in created:
        print(f"created {_relative_to_cwd(path)}")
    return ExitCode.OK


def _cmd_docs(args: argparse.Namespace) -> int:
    from .docs import check_docs, write_docs

    if args.check:
        stale = check_docs(args.directory)
        for path in stale:
            print(f"{_relative_to_cwd(path)}: out of date (run `alembic-standards docs`)", file=sys.stderr)
        return ExitCode.FINDINGS if stale else ExitCode.OK
    for path in write_docs(args.directory):
        print(f"wrote {_relative_to_cwd(path)}")
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help/--version (0) or a usage error (2): return, don't exit
        return int(exc.code or 0) if isinstance(exc.code, int) or exc.code is None else ExitCode.USAGE
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        return int(handler(args))
    except StandardsError as exc:
        print(f"alembic-standards: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except BrokenPipeError:  # pragma: no cover - `alembic-standards check | head`
        return ExitCode.OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
