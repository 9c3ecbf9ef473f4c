"""The ``alembic-standards`` command.

Thin: it parses arguments, loads the configuration, calls one stage module per sub-command and
formats the findings.  No rule logic lives here.  Every error a user can cause (a bad flag, a bad
config key, an unreadable file) is a :class:`~alembic_standards.findings.StandardsError`, printed
as ``path:line: message`` on stderr with exit code 2 and no traceback.

Exit codes: 0 clean, 1 findings at or above ``fail_on``, 2 usage/config/input error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .findings import ExitCode, StandardsError
from .rules import RULES, get_rule

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors already; keep its message, drop nothing."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="alembic-standards",
        description="Enforce schema standards on SQLAlchemy models, Alembic migrations and live databases.",
        epilog="Exit codes: 0 clean, 1 findings at or above fail_on, 2 usage/config/input error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", type=Path, help="pyproject.toml to read (default: discovered from the CWD)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    rules = sub.add_parser("rules", help="list the rules")
    rules.set_defaults(handler=_cmd_rules)

    explain = sub.add_parser("explain", help="explain one rule (rationale, Bad/Good example)")
    explain.add_argument("rule", help="rule ID (AS201) or short name (fk-unindexed)")
    explain.set_defaults(handler=_cmd_explain)
    return parser


def _cmd_rules(args: argparse.Namespace) -> int:
    for rule in RULES.values():
        print(f"{rule.id}  {rule.name:<38} {rule.severity.value:<8} {rule.title}")
    return ExitCode.OK


def _cmd_explain(args: argparse.Namespace) -> int:
    try:
        rule = get_rule(args.rule)
    except KeyError as exc:
        raise StandardsError(str(exc.args[0])) from None
    print(rule.explain())
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return ExitCode.USAGE
    try:
        return int(handler(args))
    except StandardsError as exc:
        print(f"alembic-standards: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
