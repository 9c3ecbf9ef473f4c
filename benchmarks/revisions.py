"""A deterministic linear history of N Alembic revision files, for the static-checker benchmark.

The files look like what ``alembic revision --autogenerate`` writes with Alembic's stock
``generic`` template (header docstring, ``revision``/``down_revision`` annotations, ``upgrade`` and
``downgrade`` with ``op.*`` calls), so ``alembic history`` imports exactly what it imports in a real
project.  Three kinds of revision rotate:

* ``create_table`` (named primary key, a foreign key to an earlier table, ``created_at``) plus the
  index that covers the foreign key — or, every fifth time, no index (a finding for the checker);
* ``add_column`` on an earlier table;
* ``create_index`` on an earlier table.

Every downgrade really undoes its upgrade (drops in reverse order), so the checker does its full
work on each file rather than stopping at the first problem.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["generate_history", "write_alembic_project"]

PREAMBLE = '''"""{message}

Revision ID: {revision}
Revises: {down}
Create Date: 2026-01-{day:02d} {hour:02d}:{minute:02d}:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {revision!r}
down_revision: Union[str, Sequence[str], None] = {down_repr}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None
'''
"""A revision file's docstring, imports and identifiers (Alembic's default template before 1.13's typing)."""

_HEADER = (
    PREAMBLE
    + '''

def upgrade() -> None:
    """Upgrade schema."""
{upgrade}


def downgrade() -> None:
    """Downgrade schema."""
{downgrade}
'''
)


def _indent(lines: list[str]) -> str:
    return "\n".join("    " + line if line else "" for line in lines)


def _create_table(k: int, tables: list[str], rng: random.Random) -> tuple[str, list[str], list[str], str]:
    table = f"bench_{k:04d}"
    up = [
        "op.create_table(",
        f"    {table!r},",
        "    sa.Column('id', sa.Integer(), nullable=False),",
        "    sa.Column('name', sa.String(length=100), nullable=False),",
    ]
    down: list[str] = []
    index_lines: list[str] = []
    if tables:
        target = rng.choice(tables)
        fk_col = f"{target}_id"
        up += [
            f"    sa.Column({fk_col!r}, sa.Integer(), nullable=True),",
            "    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),",
            f"    sa.ForeignKeyConstraint([{fk_col!r}], [{target + '.id'!r}], name=op.f({f'fk_{table}_{fk_col}'!r})),",
        ]
        if k % 5 != 4:  # every fifth FK is left unindexed: the checker has findings to report
            ix = f"idx_{table}_{fk_col}"
            index_lines = [f"op.create_index(op.f({ix!r}), {table!r}, [{fk_col!r}], unique=False)"]
            down.append(f"op.drop_index(op.f({ix!r}), table_name={table!r})")
    else:
        up.append(
            "    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),"
        )
    up += [f"    sa.PrimaryKeyConstraint('id', name=op.f({f'pk_{table}'!r})),", ")", *index_lines]
    down.append(f"op.drop_table({table!r})")
    tables.append(table)
    return f"create table {table}", up, down, table


def generate_history(versions: Path, n_revisions: int, seed: int = 2025) -> list[Path]:
    """Write ``n_revisions`` linear revision files into ``versions`` (created); return their paths."""
    rng = random.Random(f"history:{seed}:{n_revisions}")
    versions.mkdir(parents=True, exist_ok=True)
    tables: list[str] = []
    down: str | None = None
    paths: list[Path] = []
    for k in range(n_revisions):
        revision = f"{rng.getrandbits(48):012x}"
        kind = k % 3 if tables else 0
        if kind == 0:
            message, up, dn, _ = _create_table(k, tables, rng)
        elif kind == 1:
            table = rng.choice(tables)
            col = f"note_{k:04d}"
            message = f"add {table}.{col}"
            up = [f"op.add_column({table!r}, sa.Column({col!r}, sa.String(length=50), nullable=True))"]
            dn = [f"op.drop_column({table!r}, {col!r})"]
        else:
            table = rng.choice(tables)
            ix = f"idx_{table}_name_{k:04d}"
            message = f"index {table}.name"
            up = [f"op.create_index(op.f({ix!r}), {table!r}, ['name', 'created_at'], unique=False)"]
            dn = [f"op.drop_index(op.f({ix!r}), table_name={table!r})"]
        text = _HEADER.format(
            message=message,
            revision=revision,
            down=down or "",
            down_repr=repr(down),
            day=1 + k // 1440 % 28,
            hour=k // 60 % 24,
            minute=k % 60,
            upgrade=_indent(up),
            downgrade=_indent(dn),
        )
        path = versions / f"{revision}_{message.replace(' ', '_').replace('.', '_')}.py"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        down = revision
    return paths


def write_alembic_project(directory: Path) -> Path:
    """A minimal Alembic project around ``directory/versions``; returns the ``alembic.ini`` path.

    ``alembic history`` needs only ``script_location``; no env.py runs for it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    ini = directory / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {directory}\n", encoding="utf-8")
    return ini
