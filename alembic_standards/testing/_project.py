"""What every check needs to know about the project under test, found once per check.

The checks are plain functions taking pytest-alembic's ``alembic_runner``; they have no fixture
of their own (a ``from alembic_standards.testing import *`` must bring in only the checks).  So
each check builds a :class:`Project` from the runner:

* the configuration: ``[tool.alembic_standards]`` from the ``pyproject.toml`` nearest to the
  Alembic ini file (or to the migrations directory when there is no ini file);
* the models' ``MetaData``: the configured ``metadata`` import path when set (the same one the CLI
  uses), otherwise the ``target_metadata`` the project's ``env.py`` passes to
  ``context.configure`` -- read by running ``env.py`` with a migration function that does nothing
  (``dont_mutate``: no version table is created, no revision is imported);
* the version table, so the live-database checks never judge Alembic's own bookkeeping table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_alembic.plugin.error import AlembicTestFailure

from ..config import Config, load_config
from ..findings import RuleId, StandardsError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from pytest_alembic.runner import MigrationContext
    from sqlalchemy import MetaData, Table

    from ..baseline import Baseline
    from ..exceptions import ExceptionRegister
    from ..findings import Finding

__all__ = ["CHECK_NAMES", "EnvInfo", "Project", "read_env"]

#: The checks `[tool.alembic_standards.testing] checks` may name (with or without ``test_``).
CHECK_NAMES = (
    "test_every_revision_has_a_real_downgrade",
    "test_migrations_are_safe",
    "test_database_follows_standards",
    "test_no_revision_introduces_violations",
    "test_downgrades_leave_no_trace",
    "test_models_follow_standards",
    "test_model_definitions_match_ddl",
    "test_model_primary_keys",
    "test_model_foreign_key_indexes",
    "test_model_unique_constraints",
    "test_model_relationships",
)


_REGISTER_RULES = frozenset({RuleId.AS901, RuleId.AS902, RuleId.AS903})


@dataclass(frozen=True)
class EnvInfo:
    """What ``env.py`` hands to ``context.configure``."""

    target_metadata: tuple[MetaData, ...]
    version_table: str = "alembic_version"
    version_table_schema: str | None = None


def read_env(runner: MigrationContext) -> EnvInfo:
    """Run the project's ``env.py`` without migrating anything and record its configuration."""
    from alembic.runtime.environment import EnvironmentContext
    from sqlalchemy import MetaData

    executor = runner.command_executor
    seen: dict[str, Any] = {}

    def capture(rev: Any, context: Any) -> list[Any]:
        seen.update(context.opts)
        return []

    with EnvironmentContext(executor.alembic_config, executor.script, fn=capture, dont_mutate=True):
        executor.script.run_env()
    target = seen.get("target_metadata")
    if target is None:
        metadatas: tuple[MetaData, ...] = ()
    elif isinstance(target, MetaData):
        metadatas = (target,)
    else:
        metadatas = tuple(m for m in target if isinstance(m, MetaData))
    return EnvInfo(
        target_metadata=metadatas,
        version_table=seen.get("version_table") or "alembic_version",
        version_table_schema=seen.get("version_table_schema"),
    )


def _config_start(runner: MigrationContext) -> Path:
    alembic_config = runner.command_executor.alembic_config
    if alembic_config.config_file_name:
        return Path(alembic_config.config_file_name).resolve().parent
    return Path(runner.command_executor.script.dir).resolve()


@dataclass
class Project:
    """The project under test, as seen from one check."""

    runner: MigrationContext
    config: Config
    _env: EnvInfo | None = field(default=None, init=False)

    @classmethod
    def from_runner(cls, runner: MigrationContext, check: str) -> Project:
        """Load the configuration; skip the check when the configuration turns it off."""
        import pytest

        __tracebackhide__ = True  # failures point at the check, not at this helper

        try:
            config = load_config(start=_config_start(runner))
        except StandardsError as exc:
            raise AlembicTestFailure(
                "alembic-standards configuration is invalid", context=[("Configuration error", str(exc))]
            ) from None
        project = cls(runner, config)
        selected = config.testing.checks
        if selected is not None:
            wanted = {name if name.startswith("test_") else f"test_{name}" for name in selected}
            unknown = sorted(wanted - set(CHECK_NAMES))
            if unknown:
                raise AlembicTestFailure(
                    f"[tool.alembic_standards.testing] checks names unknown checks: {', '.join(unknown)}",
                    context=[("Known checks", "\n".join(CHECK_NAMES))],
                )
            if check not in wanted:
                pytest.skip(f"{check} is not selected in [tool.alembic_standards.testing] checks")
        return project

    # -- environment
    @property
    def env(self) -> EnvInfo:
        if self._env is None:
            self._env = read_env(self.runner)
        return self._env

    @cached_property
    def metadatas(self) -> list[MetaData]:
        """The models: the configured ``metadata`` import path(s), else ``env.py``'s ``target_metadata``."""
        from ..model_loading import load_metadata

        __tracebackhide__ = True
        if self.config.metadata:
            found: list[MetaData] = []
            try:
                for spec in self.config.metadata:
                    found.extend(load_metadata(spec, root=self.config.root))
            except StandardsError as exc:
                raise AlembicTestFailure(
                    "cannot load the models named by [tool.alembic_standards] metadata",
                    context=[("Error", str(exc))],
                ) from None
            return found
        if self.env.target_metadata:
            return list(self.env.target_metadata)
        raise AlembicTestFailure(
            "no models to check: env.py passes no target_metadata and [tool.alembic_standards] sets no metadata",
            context=[("Fix", 'set metadata = "app.models:Base.metadata" under [tool.alembic_standards]')],
        )

    @cached_property
    def register(self) -> ExceptionRegister:
        from ..exceptions import ExceptionRegister

        try:
            return ExceptionRegister.collect(self.config, self.models_if_any())
        except StandardsError as exc:
            raise AlembicTestFailure(
                "an exception declared on a model is malformed", context=[("Error", str(exc))]
            ) from None

    def models_if_any(self) -> Sequence[MetaData]:
        """The models when they can be found, else none (for checks that only use them as hints)."""
        try:
            return self.metadatas
        except AlembicTestFailure:
            return ()

    # -- skipping
    @property
    def skip_tables(self) -> frozenset[str]:
        return frozenset(self.config.testing.skip_tables) | {self.env.version_table}

    def skip_revisions(self) -> frozenset[str]:
        return frozenset(self.config.testing.skip_revisions) | frozenset(self.runner.config.skip_revisions or ())

    @property
    def minimum_downgrade_revision(self) -> str | None:
        return self.config.testing.minimum_downgrade_revision or self.runner.config.minimum_downgrade_revision

    def model_tables(self) -> list[Table]:
        """The models' tables, minus ``skip_tables``, in dependency order."""
        tables: list[Table] = []
        for metadata in self.metadatas:
            tables.extend(t for t in metadata.sorted_tables if t.name not in self.skip_tables)
        return tables

    @cached_property
    def baseline(self) -> Baseline:
        """The project's baseline (``check --write-baseline``): the checks honour it like the CLI."""
        from ..baseline import Baseline

        return Baseline.load(self.config.baseline_path)

    def keep(
        self,
        findings: Sequence[Finding],
        *,
        register_findings: bool = False,
        stage: str = "models",
        merged_from: Mapping[int, Sequence[Finding]] | None = None,
    ) -> list[Finding]:
        """Apply the exceptions register and ``skip_tables``; keep what fails per ``fail_on``.

        The register's own findings (an exception without a reason, an expired one) are kept only
        when ``register_findings`` is set: one check reports them (``test_models_follow_standards``)
        rather than every check failing on the same expired entry.  Unused exceptions are not
        reported here at all: each check runs a subset of the rules.  ``merged_from``: see
        :meth:`~alembic_standards.baseline.Baseline.apply`.
        """
        applied = self.register.apply(findings, self.config, report_unused=False)
        if self.baseline.entries:
            # Findings the team accepted in the baseline do not fail a check, as in `check`; a check
            # runs a subset of the rules, so stale entries are the CLI's to report, not ours.
            tagged = [(stage, f) for f in applied]
            applied = self.baseline.apply(tagged, self.config.root, stages_ran=(), merged_from=merged_from).new
        return sorted(
            (
                f
                for f in applied
                if f.location.table not in self.skip_tables
                and self.config.fail_on <= f.severity
                and (register_findings or f.rule_id not in _REGISTER_RULES)
            ),
            key=lambda f: f.sort_key(),
        )

    # -- migrating
    def require_empty_database(self) -> None:
        """The walking checks compare states along the history: they must start from base."""
        __tracebackhide__ = True
        current = self.runner.current
        if current != "base":
            raise AlembicTestFailure(
                f"The database is not empty: it is at revision {current}. This check walks the history "
                "from an empty database.",
                context=[
                    (
                        "Fix",
                        "give every test a fresh, empty database: the alembic_engine fixture should create "
                        "(or reset) its database per test, as pytest-alembic requires",
                    )
                ],
            )

    def upgrade_to_heads(self) -> None:
        __tracebackhide__ = True
        try:
            self.runner.migrate_up_to("heads", return_current=False)
        except Exception as exc:
            raise AlembicTestFailure(
                "Failed to upgrade to the head revision, so the database cannot be checked.",
                context=[("Alembic error", str(exc))],
            ) from None

    def revision_path(self, revision: str) -> str:
        script = self.runner.command_executor.script.get_revision(revision)
        return str(script.path) if script is not None else "?"


def findings_by_table(findings: Sequence[Finding], root: Path | None = None) -> list[tuple[str, str]]:
    """``AlembicTestFailure`` context: one block per table, one line per finding (paths relative
    to ``root``, the project directory)."""
    groups: dict[str, list[str]] = {}
    for finding in findings:
        loc = finding.location
        title = f"Table {loc.schema + '.' if loc.schema else ''}{loc.table}" if loc.table else "Schema"
        groups.setdefault(title, []).append(finding.render(relative_to=root))
    return [(title, "\n".join(lines)) for title, lines in groups.items()]
