"""A throwaway Alembic project for the autogenerate tests: the one helper they all use.

Each test gets a real project directory (alembic.ini, env.py, versions/) whose env.py takes the
target ``MetaData`` and the alembic-standards ``Config`` from ``Config.attributes``, so a test can
change the models between two ``alembic revision --autogenerate`` runs without writing model
files.  Revisions are generated with ``command.revision`` (the real CLI path, the real template)
and run with ``command.upgrade``/``downgrade``; ``check`` is ``command.check``.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, MetaData, create_engine, text

from alembic_standards.config import Config

PLUGINS = ["alembic.autogenerate.*", "alembic_standards.*"]

ENV_PY = """
from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
options = dict(config.attributes["configure_options"])
target_metadata = config.attributes["target_metadata"]

engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        **options,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
"""

SCRIPT_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


@dataclass
class Revision:
    path: Path
    upgrade: str
    downgrade: str


@dataclass
class Project:
    """An Alembic project in ``directory`` pointed at ``url``."""

    directory: Path
    url: str
    config: Config = field(default_factory=Config)
    plugins: list[str] = field(default_factory=lambda: list(PLUGINS))
    extra_options: dict[str, Any] = field(default_factory=dict)
    _count: int = 0

    def __post_init__(self) -> None:
        (self.directory / "migrations" / "versions").mkdir(parents=True, exist_ok=True)
        (self.directory / "migrations" / "env.py").write_text(ENV_PY)
        (self.directory / "migrations" / "script.py.mako").write_text(SCRIPT_MAKO)

    def alembic_config(self, metadata: MetaData) -> AlembicConfig:
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(self.directory / "migrations"))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        cfg.attributes["target_metadata"] = metadata
        cfg.attributes["configure_options"] = {
            "autogenerate_plugins": self.plugins,
            "alembic_standards_config": self.config,
            **self.extra_options,
        }
        return cfg

    def revision(self, metadata: MetaData, message: str = "step") -> Revision:
        self._count += 1
        rev_id = f"r{self._count:03d}"
        command.revision(self.alembic_config(metadata), message=message, autogenerate=True, rev_id=rev_id)
        path = next((self.directory / "migrations" / "versions").glob(f"{rev_id}_*.py"))
        source = path.read_text()
        compile(source, str(path), "exec")  # every generated file is valid Python
        return Revision(path, *bodies(source))

    def upgrade(self, metadata: MetaData, target: str = "head") -> None:
        command.upgrade(self.alembic_config(metadata), target)

    def downgrade(self, metadata: MetaData, target: str = "base") -> None:
        command.downgrade(self.alembic_config(metadata), target)

    def check(self, metadata: MetaData) -> None:
        command.check(self.alembic_config(metadata))

    def round_trip(self, metadata: MetaData) -> None:
        """upgrade, downgrade to base, upgrade again."""
        self.upgrade(metadata)
        self.downgrade(metadata)
        self.upgrade(metadata)


_BODY = re.compile(r"def upgrade\(\) -> None:\n(?P<up>.*?)\n\n\ndef downgrade\(\) -> None:\n(?P<down>.*)\Z", re.S)


def bodies(source: str) -> tuple[str, str]:
    """The upgrade() and downgrade() bodies, dedented, without Alembic's marker comments."""
    match = _BODY.search(source)
    assert match is not None, source
    return _clean(match.group("up")), _clean(match.group("down"))


def _clean(body: str) -> str:
    lines = [line for line in body.splitlines() if "### " not in line]
    return textwrap.dedent("\n".join(lines)).strip("\n")


# ---------------------------------------------------------------------------------------------
# Catalog facts on PostgreSQL
# ---------------------------------------------------------------------------------------------

UNCOVERED_FKS = """
SELECT c.conrelid::regclass::text AS tbl, c.conname
FROM pg_constraint c
WHERE c.contype = 'f'
  AND c.connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  AND NOT EXISTS (
    SELECT 1 FROM pg_index i
    WHERE i.indrelid = c.conrelid
      AND i.indpred IS NULL
      AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] = c.conkey
  )
ORDER BY 1, 2
"""

SYSTEM_NAMED = r"""
SELECT conname FROM pg_constraint
WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  AND (conname LIKE '%\_pkey' OR conname LIKE '%\_fkey' OR conname LIKE '%\_key' OR conname LIKE '%\_check'
       OR conname LIKE '%\_fkey_' OR conname LIKE '%\_key_' OR conname LIKE '%\_check_')
UNION ALL
SELECT c.relname FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
WHERE c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace,
                             'pg_toast'::regnamespace)
  AND (c.relname LIKE '%\_idx' OR c.relname LIKE '%\_idx_' OR c.relname LIKE '%\_pkey' OR c.relname LIKE '%\_key')
"""


def catalog_facts(url: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(foreign keys without a covering index, system-named constraints/indexes)."""
    engine: Engine = create_engine(url)
    try:
        with engine.connect() as conn:
            uncovered = [(str(r[0]), str(r[1])) for r in conn.execute(text(UNCOVERED_FKS))]
            system = sorted(str(r[0]) for r in conn.execute(text(SYSTEM_NAMED)))
    finally:
        engine.dispose()
    return uncovered, system


def user_tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                rows = conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                    )
                )
            else:
                rows = conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'alembic_version'")
                )
            return sorted(str(r[0]) for r in rows)
    finally:
        engine.dispose()
