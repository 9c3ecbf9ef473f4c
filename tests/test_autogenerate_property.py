"""Property: for any schema, the plugin's migration leaves every FK indexed and every name ours.

Hypothesis builds random schemas -- tables with single and composite primary keys, single,
composite and self-referential foreign keys, random index coverage (none, ``index=True``, an
explicitly named index, a wider composite index, a unique constraint), named and unnamed
constraints, with or without a naming convention on the MetaData -- then, on a fresh PostgreSQL
database: autogenerate with the plugin, upgrade, check the two catalog facts (no uncovered FK,
no system-named constraint or index), ``alembic check`` passes, a second autogenerate is empty,
and the downgrade returns to an empty schema.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from autogen_support import Project, catalog_facts, user_tables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.postgres import create_database, drop_database

from alembic_standards import NAMING_CONVENTION

COVERAGE = ("none", "column_index", "named_index", "wider_index", "unique", "unnamed_unique")


@dataclass(frozen=True)
class ForeignKeySpec:
    target: int  # index of the referred table (<= own index; equal = self-referential)
    coverage: str
    nullable: bool


@dataclass(frozen=True)
class TableSpec:
    composite_pk: bool
    fks: tuple[ForeignKeySpec, ...]
    named_unique: bool | None  # None: no extra unique constraint


@st.composite
def schemas(draw: st.DrawFn) -> tuple[bool, tuple[TableSpec, ...]]:
    convention = draw(st.booleans())
    count = draw(st.integers(min_value=1, max_value=4))
    tables = []
    for position in range(count):
        fks = draw(
            st.lists(
                st.builds(
                    ForeignKeySpec,
                    target=st.integers(min_value=0, max_value=position),
                    coverage=st.sampled_from(COVERAGE),
                    nullable=st.booleans(),
                ),
                max_size=3,
            )
        )
        tables.append(
            TableSpec(
                composite_pk=draw(st.booleans()),
                fks=tuple(fks),
                named_unique=draw(st.one_of(st.none(), st.booleans())),
            )
        )
    return convention, tuple(tables)


def build(convention: bool, specs: tuple[TableSpec, ...]) -> sa.MetaData:
    md = sa.MetaData(naming_convention=dict(NAMING_CONVENTION)) if convention else sa.MetaData()
    for position, spec in enumerate(specs):
        name = f"t{position}"
        items: list[sa.schema.SchemaItem] = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)]
        if spec.composite_pk:
            items.append(sa.Column("k", sa.Integer, primary_key=True, autoincrement=False))
        items.append(sa.Column("label", sa.String(20)))
        for number, fk in enumerate(spec.fks):
            target = specs[fk.target]
            target_name = f"t{fk.target}"
            columns = [f"f{number}_id"] + ([f"f{number}_k"] if target.composite_pk else [])
            referred = [f"{target_name}.id"] + ([f"{target_name}.k"] if target.composite_pk else [])
            for column in columns:
                items.append(sa.Column(column, sa.Integer, nullable=fk.nullable, index=fk.coverage == "column_index"))
            items.append(sa.ForeignKeyConstraint(columns, referred))
            if fk.coverage == "named_index":
                items.append(sa.Index(f"my_{name}_{number}", *columns))
            elif fk.coverage == "wider_index":
                items.append(sa.Index(f"wide_{name}_{number}", *columns, "label"))
            elif fk.coverage == "unique":
                items.append(sa.UniqueConstraint(*columns, name=f"one_{name}_{number}"))
            elif fk.coverage == "unnamed_unique":
                items.append(sa.UniqueConstraint(*columns))
        if spec.named_unique is not None:
            items.append(sa.UniqueConstraint("label", name=f"label_{name}" if spec.named_unique else None))
        sa.Table(name, md, *items)
    return md


@settings(
    # Small by default (the CI box has 2 cores); ALEMBIC_STANDARDS_PROPERTY_EXAMPLES=200 for a deep run.
    max_examples=int(os.environ.get("ALEMBIC_STANDARDS_PROPERTY_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(schema=schemas())
def test_random_schemas_follow_the_standard(postgres_server: str, schema: tuple[bool, tuple[TableSpec, ...]]) -> None:
    convention, specs = schema
    md = build(convention, specs)
    url = create_database(postgres_server)
    try:
        with tempfile.TemporaryDirectory() as directory:
            project = Project(Path(directory), url)
            project.revision(md)
            project.upgrade(md)
            uncovered, system_named = catalog_facts(url)
            assert uncovered == []
            assert system_named == []
            project.check(md)
            second = project.revision(md)
            assert (second.upgrade, second.downgrade) == ("pass", "pass")
            project.downgrade(md, "base")
            assert user_tables(url) == []
    finally:
        drop_database(url)
