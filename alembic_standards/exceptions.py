"""The exceptions register: every documented departure from the standard, with its reason.

The spec allows exceptions (an integer key for ordered logs, a junction table's composite key, a
protocol-mandated string key, a model without the timestamp mixin) but demands "explicit
justification and documentation" for each.  This module is where that demand is enforced:

* exceptions are collected from ``[[tool.alembic_standards.exceptions]]`` (parsed by config.py),
  from the models themselves -- the spec's way, a class docstring paragraph starting with
  ``Exception:`` (one entry per primary-key/timestamp rule the model breaks, the paragraph as the
  reason), or ``Table.info`` / ``Column.info`` (see below) -- and from irreversible-migration
  markers found by the migration checker (``extra``);
* only a *valid* exception suppresses a finding: it has a non-empty reason and has not expired;
* an exception without a reason (AS901), past its expiry date (AS902) or matching no finding
  of a rule that actually ran (AS903) is itself a finding, so the register cannot rot;
* :meth:`ExceptionRegister.markdown` prints the register, which is the documentation the spec
  asks for (``alembic-standards exceptions``).

Declared on a model (``__table_args__ = {"info": {...}}`` or ``Column(..., info={...})``)::

    {"alembic_standards": {"exceptions": {
        "AS101": "Log entries need sequential IDs for ordering and pagination.",
        "AS201": {"reason": "...", "column": "user_id", "expires": "2027-01-31", "ticket": "DB-1"},
    }}}

On a column the entry is scoped to that column.  A rule may also map to a list of such tables.
Malformed declarations (unknown rule, unknown key, bad date) are input errors
(:class:`StandardsError`, naming the model's file and line), not findings: a typo must not
silently turn an exception into something else.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .config import ExceptionEntry, parse_date
from .findings import Finding, Location, RuleId, StandardsError
from .rules import RULES, Stage, resolve_rule_ids

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from sqlalchemy import MetaData, Table
    from sqlalchemy.sql.schema import Column

    from .config import Config
    from .source_index import SourceIndex

__all__ = ["DOCSTRING_EXCEPTION_RULES", "INFO_KEY", "ExceptionRegister", "docstring_exception", "entries_from_metadata"]

INFO_KEY = "alembic_standards"
"""The key of ``Table.info`` / ``Column.info`` under which exceptions are declared."""

_MODEL_KEYS = ("reason", "column", "constraint", "expires", "ticket")


def _covers(entry: ExceptionEntry, rule_id: RuleId, location: Location) -> bool:
    # An irreversible-migration marker is an AS702 entry scoped to its revision: the migration
    # checker reports a marked revision whose downgrade is incomplete as one AS702 finding at
    # that revision, which the marker suppresses; a marked revision whose downgrade is complete
    # leaves the marker unused (AS903: the marker is not needed).
    return entry.matches(rule_id, location)


@dataclass(frozen=True)
class ExceptionRegister:
    """All declared exceptions, wherever they were declared."""

    entries: tuple[ExceptionEntry, ...] = ()

    # -- building
    @classmethod
    def collect(
        cls,
        config: Config,
        metadatas: Sequence[MetaData] = (),
        extra: Iterable[ExceptionEntry] = (),
    ) -> ExceptionRegister:
        """Entries from the configuration, then from the models' ``info``, then ``extra``.

        Raises :class:`StandardsError` for a malformed declaration on a model.
        """
        return cls((*config.exceptions, *entries_from_metadata(metadatas, config=config), *extra))

    # -- querying
    def is_valid(self, entry: ExceptionEntry, today: dt.date | None = None) -> bool:
        """A reasoned, unexpired entry: the only kind that suppresses anything."""
        return bool(entry.reason.strip()) and not entry.is_expired(today)

    def matching(self, rule_id: RuleId, location: Location) -> list[ExceptionEntry]:
        """Every entry (valid or not) about ``rule_id`` at ``location``."""
        return [e for e in self.entries if _covers(e, rule_id, location)]

    def suppresses(self, rule_id: RuleId, location: Location, *, today: dt.date | None = None) -> bool:
        """True when a valid entry covers ``rule_id`` at ``location``."""
        return any(self.is_valid(e, today) for e in self.matching(rule_id, location))

    # -- applying
    def apply(
        self,
        findings: Sequence[Finding],
        config: Config,
        *,
        report_unused: bool = True,
        checked_rules: Collection[str] | None = None,
        stages: Collection[Stage] | None = None,
        today: dt.date | None = None,
    ) -> list[Finding]:
        """Drop the findings a valid entry covers and add the register's own findings.

        * AS901 for each entry without a reason, AS902 for each expired entry (neither
          suppresses anything);
        * AS903 for each valid entry that covered no finding, but only when its rule actually
          ran: the rule is enabled in ``config``, is in ``checked_rules`` (when given) and is
          checked in one of ``stages`` (when given).  The CLI passes the stages it ran, so an
          exception for a migration rule is not "unused" in a models-only check.
          ``report_unused=False`` turns AS903 off entirely (e.g. when linting a subset).

        ``today`` fixes the date for expiry (tests).  Register findings are subject to
        ``config`` (enabled rules, severities) like any other.
        """
        valid = [self.is_valid(e, today) for e in self.entries]
        used = [False] * len(self.entries)
        # The valid entries by rule: an entry covers only findings of its own rule, so each finding
        # is compared with those alone (and a history of thousands of findings with an empty
        # register costs one dictionary lookup per finding).
        by_rule: dict[RuleId, list[int]] = {}
        for i, entry in enumerate(self.entries):
            if valid[i]:
                by_rule.setdefault(entry.rule, []).append(i)
        kept: list[Finding] = []
        for finding in findings:
            suppressed = False
            for i in by_rule.get(finding.rule_id, ()):
                if _covers(self.entries[i], finding.rule_id, finding.location):
                    used[i] = True
                    suppressed = True
            if not suppressed:
                kept.append(finding)

        stage_set = frozenset(stages) if stages is not None else None

        def ran(rule_id: RuleId) -> bool:
            if not config.is_enabled(rule_id):
                return False
            if checked_rules is not None and rule_id not in checked_rules:
                return False
            rule = RULES.get(rule_id)
            return stage_set is None or rule is None or bool(rule.stages & stage_set)

        for i, entry in enumerate(self.entries):
            where = _entry_location(entry)
            what = _describe(entry)
            if not entry.reason.strip():
                if config.is_enabled(RuleId.AS901):
                    kept.append(
                        config.finding(
                            RuleId.AS901,
                            f"exception for {entry.rule} on {what} has no reason; it suppresses nothing",
                            where,
                        )
                    )
            elif entry.is_expired(today):
                if config.is_enabled(RuleId.AS902):
                    assert entry.expires is not None
                    ticket = f" (ticket {entry.ticket})" if entry.ticket else ""
                    kept.append(
                        config.finding(
                            RuleId.AS902,
                            f"exception for {entry.rule} on {what} expired on {entry.expires.isoformat()}{ticket}; "
                            "it no longer suppresses anything",
                            where,
                        )
                    )
            elif report_unused and not used[i] and ran(entry.rule) and config.is_enabled(RuleId.AS903):
                kept.append(
                    config.finding(
                        RuleId.AS903, f"exception for {entry.rule} on {what} matches no violation; remove it", where
                    )
                )
        return kept

    # -- documenting
    def markdown(self, *, relative_to: Path | None = None, today: dt.date | None = None) -> str:
        """The register as Markdown: schema exceptions, then migration (revision) exceptions.

        Columns: rule, object, reason, ticket, expiry and where the exception is declared
        (``file:line`` relative to ``relative_to`` when given).  Entries without a reason or
        past their expiry are shown, and flagged, rather than hidden.
        """
        schema = sorted((e for e in self.entries if e.revision is None), key=_sort_key)
        migrations = sorted((e for e in self.entries if e.revision is not None), key=_sort_key)
        lines = ["# Exceptions register", ""]
        if not self.entries:
            lines += ["No exceptions to the schema standard are declared.", ""]
            return "\n".join(lines)
        lines += [
            "Every documented departure from the schema standard, with its justification.",
            "",
            f"## Schema objects ({len(schema)})",
            "",
        ]

        def table(first: str, second: str, rows: Sequence[tuple[str, str, ExceptionEntry]]) -> list[str]:
            if not rows:
                return ["None."]
            out = [
                f"| {first} | {second} | Reason | Ticket | Expires | Declared at |",
                "| --- | --- | --- | --- | --- | --- |",
            ]
            for a, b, e in rows:
                cells = (
                    a,
                    b,
                    _reason_cell(e),
                    _cell(e.ticket or ""),
                    _expires_cell(e, today),
                    _source_cell(e, relative_to),
                )
                out.append("| " + " | ".join(cells) + " |")
            return out

        lines += table("Rule", "Object", [(_rule_cell(e.rule), f"`{_describe(e)}`", e) for e in schema])
        lines += ["", f"## Migrations ({len(migrations)})", ""]
        lines += table("Revision", "Rule", [(f"`{e.revision}`", _rule_cell(e.rule), e) for e in migrations])
        lines.append("")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------------------------


def _describe(entry: ExceptionEntry) -> str:
    if entry.lines is not None and entry.source.path is not None:
        first, last = entry.lines
        span = f"line {first}" if first == last else f"lines {first}-{last}"
        text = f"{span} of {entry.source.path.name} (inline)"
        return text if entry.revision is None else f"{text}, revision {entry.revision}"
    if entry.table is None and entry.revision is not None:
        return f"revision {entry.revision}"
    parts = [p for p in (entry.schema, entry.table) if p]
    if entry.column:
        parts.append(entry.column)
    if entry.constraint:
        parts.append(entry.constraint)
    text = ".".join(parts) if parts else "every object"
    if entry.path is not None:
        text += f" in {_scope(entry, entry.path)}"
    if entry.revision is not None:
        text += f" (revision {entry.revision})"
    return text


def _scope(entry: ExceptionEntry, path: Path) -> str:
    """An entry's ``path`` as its author wrote it: relative to the declaring file's directory
    (the pyproject's), with forward slashes; absolute when it lies outside that directory."""
    if entry.source.path is not None:
        try:
            return path.relative_to(entry.source.path.parent.absolute()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _entry_location(entry: ExceptionEntry) -> Location:
    src = entry.source
    return Location(
        path=src.path,
        line=src.line,
        col=src.col,
        schema=entry.schema,
        table=entry.table,
        column=entry.column,
        constraint=entry.constraint,
        revision=entry.revision,
    )


def _sort_key(entry: ExceptionEntry) -> tuple[str, str, str, str, int]:
    # The file *name*, not its absolute path: the order must not depend on where the project
    # (or a test's temporary directory) happens to live.
    source = entry.source.path.name if entry.source.path is not None else ""
    return (entry.rule, entry.revision or "", _describe(entry), source, entry.source.line or 0)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rule_cell(rule_id: RuleId) -> str:
    rule = RULES.get(rule_id)
    return f"{rule_id} `{rule.name}`" if rule else rule_id


def _reason_cell(entry: ExceptionEntry) -> str:
    return _cell(entry.reason) if entry.reason.strip() else "**missing** (AS901)"


def _expires_cell(entry: ExceptionEntry, today: dt.date | None) -> str:
    if entry.expires is None:
        return ""
    text = entry.expires.isoformat()
    return text + " **expired** (AS902)" if entry.is_expired(today) else text


def _source_cell(entry: ExceptionEntry, relative_to: Path | None) -> str:
    src = entry.source
    if src.path is None:
        return ""
    return "`" + Location(path=src.path, line=src.line).render(relative_to) + "`"


# ---------------------------------------------------------------------------------------------
# Declarations on models
# ---------------------------------------------------------------------------------------------


def entries_from_metadata(
    metadatas: Sequence[MetaData], *, index: SourceIndex | None = None, config: Config | None = None
) -> list[ExceptionEntry]:
    """Exceptions declared on the models, in table order: ``Table.info`` / ``Column.info``, and
    the spec's way, a class docstring paragraph starting with ``Exception:``.

    A docstring exception becomes one entry per rule of ``DOCSTRING_EXCEPTION_RULES`` that the
    model actually breaks under ``config`` (default settings when None), each with the
    paragraph as its reason: the register then lists what is excepted, and nothing else.
    Each entry's ``source`` is the model class (table-level, docstrings) or the column's
    assignment (column-level) when the table is mapped; an imperative table's is its module-level
    ``name = Table(...)`` statement (or its ``Column(...)`` argument), none when it is made elsewhere.
    """
    if not metadatas:
        # No models: nothing to read, and no reason to import the model linter (and SQLAlchemy)
        # on the migrations-only path (the pre-commit hook, `check versions/`).
        return []
    from .config import Config
    from .source_index import SourceIndex

    index = index if index is not None else SourceIndex(metadatas)
    config = config if config is not None else Config()
    out: list[ExceptionEntry] = []
    for metadata in metadatas:
        for table in metadata.tables.values():
            out.extend(_table_entries(table, index, config))
    return out


def _declared(info: Mapping[str, Any] | None) -> Any:
    if not info:
        return None
    section = info.get(INFO_KEY)
    if section is None:
        return None
    if not isinstance(section, Mapping):
        return section  # reported as malformed by the caller
    return section.get("exceptions")


DOCSTRING_EXCEPTION_RULES = (
    RuleId.AS101,
    RuleId.AS102,
    RuleId.AS103,
    RuleId.AS401,
    RuleId.AS402,
    RuleId.AS403,
    RuleId.AS404,
)
"""What a class docstring's ``Exception:`` paragraph justifies: the model's primary-key and
timestamp departures, the two kinds the spec's "Exception Documentation" shows (rule notes)."""


def docstring_exception(cls: type) -> str | None:
    """The reason of the spec's documented exception: the paragraph of ``cls``'s own docstring
    that starts with ``Exception:`` (the text after it; ``""`` when nothing follows, which the
    register reports as AS901).  None when the class documents no exception.  A base class's
    docstring is not inherited, and a comment (``# Documented exception``) is no documentation.
    """
    doc = cls.__dict__.get("__doc__")
    if not isinstance(doc, str):
        return None
    for paragraph in re.split(r"\n\s*\n", inspect.cleandoc(doc)):
        text = " ".join(paragraph.split())
        if text.startswith("Exception:"):
            return text.removeprefix("Exception:").strip()
    return None


def _docstring_entries(table: Table, index: SourceIndex, config: Config) -> list[ExceptionEntry]:
    mapper = index.mapper(table)
    reason = docstring_exception(mapper.class_) if mapper is not None else None
    if reason is None:
        return []
    # Which rules the model breaks is the model rules' verdict: loaded only for a model that
    # documents an exception (the autogenerate plugin collects the register on every run).
    from .model_rules import documented_departures

    where = index.table_location(table)
    source = Location(path=where.path, line=where.line, col=where.col)
    return [
        ExceptionEntry(rule=rule, reason=reason, table=table.name, schema=table.schema, source=source)
        for rule in documented_departures(table, config)
    ]


def _table_entries(table: Table, index: SourceIndex, config: Config) -> list[ExceptionEntry]:
    out = _docstring_entries(table, index, config)
    declared = _declared(table.info)
    if declared is not None:
        # Located only when something is declared (as for columns below): finding a class's
        # source reads its file, and the autogenerate plugin collects the register mid-compare.
        out.extend(_parse_declaration(declared, table, None, index.table_location(table)))
    for column in table.columns:
        declared = _declared(column.info)
        if declared is not None:
            out.extend(_parse_declaration(declared, table, column, index.column_location(column)))
    return out


def _parse_declaration(
    declared: Any, table: Table, column: Column[Any] | None, where: Location
) -> list[ExceptionEntry]:
    owner = f"{table.name}.{column.name}" if column is not None else table.name
    source = Location(path=where.path, line=where.line, col=where.col)

    def error(message: str) -> StandardsError:
        hint = (
            f'declare {{"{INFO_KEY}": {{"exceptions": {{"AS101": "reason"}}}}}} '
            '(or {"reason": ..., "column": ..., "expires": "YYYY-MM-DD", "ticket": ...})'
        )
        return StandardsError(f"{owner}: info[{INFO_KEY!r}]: {message}", path=where.path, line=where.line, hint=hint)

    if not isinstance(declared, Mapping):
        raise error(f"'exceptions' must be a mapping of rule ID to reason, got {type(declared).__name__}")
    out: list[ExceptionEntry] = []
    for key, value in declared.items():
        if not isinstance(key, str):
            raise error(f"rule key {key!r} is not a string")
        try:
            ids = resolve_rule_ids([key])
        except KeyError as exc:
            raise error(str(exc.args[0])) from None
        if len(ids) != 1:
            raise error(f"{key!r} matches several rules; name exactly one")
        rule_id = next(iter(ids))
        items = value if isinstance(value, list) else [value]
        for item in items:
            out.append(_parse_item(rule_id, item, table, column, source, error))
    return out


def _parse_item(
    rule_id: RuleId,
    item: Any,
    table: Table,
    column: Column[Any] | None,
    source: Location,
    error: Any,
) -> ExceptionEntry:
    fields: dict[str, Any] = {}
    if isinstance(item, str) or item is None:
        reason = item or ""
    elif isinstance(item, Mapping):
        unknown = [k for k in item if k not in _MODEL_KEYS]
        if unknown:
            raise error(f"{rule_id}: unknown key {unknown[0]!r} (known keys: {', '.join(_MODEL_KEYS)})")
        reason = item.get("reason") or ""
        for key in ("column", "constraint", "ticket"):
            value = item.get(key)
            if value is not None and not isinstance(value, str):
                raise error(f"{rule_id}: {key} must be a string, got {value!r}")
            fields[key] = value
        if "expires" in item:
            fields["expires"] = _date(item["expires"], rule_id, error)
    else:
        raise error(f"{rule_id}: expected a reason string or a mapping, got {type(item).__name__}")
    if not isinstance(reason, str):
        raise error(f"{rule_id}: reason must be a string, got {reason!r}")
    if column is not None:
        if fields.get("column") not in (None, column.name):
            raise error(f"{rule_id}: declared on column {column.name!r} but names column {fields['column']!r}")
        fields["column"] = column.name
    return ExceptionEntry(
        rule=rule_id,
        reason=reason.strip(),
        table=table.name,
        schema=table.schema,
        source=source,
        **fields,
    )


def _date(value: Any, rule_id: str, error: Any) -> dt.date:
    date = parse_date(value)
    if date is None:
        raise error(f"{rule_id}: expires must be a date (YYYY-MM-DD), got {value!r}")
    return date
