"""The autogenerate plugin on real teams' schemas: their naming convention is kept, a model's
quirks never make a migration fail that plain Alembic would run, a spec-style ``index=True``
primary key round-trips, and a documented AS201 exception never drops an index we made.

Every scenario asserts the exact rendered upgrade/downgrade, runs it upgrade -> downgrade ->
upgrade on a real database and ends with a clean ``alembic check``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from autogen_support import PLUGINS, Project

from alembic_standards.config import Config, ExceptionEntry
from alembic_standards.rules import RULES, resolve_rule_ids

# ---------------------------------------------------------------------------------------------
# 1. A team's own naming convention is THE convention
# ---------------------------------------------------------------------------------------------

# Looks like PostgreSQL's own defaults (real projects use this).
PG_STYLE = {
    "ix": "%(table_name)s_%(column_0_N_name)s_idx",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}
# Double underscores between the table and the columns.
DUNDER_STYLE = {
    "ix": "ix_%(table_name)s__%(column_0_N_name)s",
    "uq": "uq_%(table_name)s__%(column_0_N_name)s",
    "ck": "ck_%(table_name)s__%(constraint_name)s",
    "fk": "fk_%(table_name)s__%(column_0_N_name)s__%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
CONVENTIONS = {"pg-style": PG_STYLE, "double-underscore": DUNDER_STYLE}


def team_models(convention: dict[str, str], *, declare_fk_indexes: bool = False) -> sa.MetaData:
    """teams <-> members (a use_alter cycle), projects already indexed under a name of its own."""
    md = sa.MetaData(naming_convention=convention)
    sa.Table(
        "teams",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, unique=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("members.id", use_alter=True), index=declare_fk_indexes),
    )
    sa.Table(
        "members",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id"), nullable=False, index=declare_fk_indexes),
        sa.Column("status", sa.String(10), nullable=False),
        sa.CheckConstraint("status IN ('active', 'left')", name="status_valid"),
    )
    sa.Table(
        "projects",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id"), nullable=False),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("members.id"), index=declare_fk_indexes),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("team_id", "name"),
        sa.Index("projects_by_team", "team_id", "created_at"),  # covers team_id already
    )
    return md


def schema_names(url: str) -> dict[str, dict[str, list[str]]]:
    """Every constraint and index name in the database, per table."""
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        out: dict[str, dict[str, list[str]]] = {}
        for table in sorted(inspector.get_table_names()):
            if table == "alembic_version":
                continue
            out[table] = {
                "pk": [str(inspector.get_pk_constraint(table)["name"])],
                "fk": sorted(str(fk["name"]) for fk in inspector.get_foreign_keys(table)),
                "uq": sorted(str(uq["name"]) for uq in inspector.get_unique_constraints(table)),
                "ck": sorted(str(ck["name"]) for ck in inspector.get_check_constraints(table)),
                "ix": sorted(str(ix["name"]) for ix in inspector.get_indexes(table)),
            }
        return out
    finally:
        engine.dispose()


def create_all_names(url: str, md: sa.MetaData) -> dict[str, dict[str, list[str]]]:
    engine = sa.create_engine(url)
    md.create_all(engine)
    engine.dispose()
    try:
        return schema_names(url)
    finally:
        engine = sa.create_engine(url)
        md.drop_all(engine)
        engine.dispose()


UPGRADE = """\
op.create_table('teams',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('name', sa.String(length=50), nullable=False),
sa.Column('owner_id', sa.Integer(), nullable=True),
sa.ForeignKeyConstraint(['owner_id'], ['members.id'], name=op.f('{fk_teams}'), use_alter=True),
sa.PrimaryKeyConstraint('id', name=op.f('{pk_teams}')),
sa.UniqueConstraint('name', name=op.f('{uq_teams}'))
)
op.create_table('members',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('team_id', sa.Integer(), nullable=False),
sa.Column('status', sa.String(length=10), nullable=False),
sa.CheckConstraint("status IN ('active', 'left')", name=op.f('{ck_members}')),
sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('{fk_members}')),
sa.PrimaryKeyConstraint('id', name=op.f('{pk_members}'))
)
op.create_table('projects',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('team_id', sa.Integer(), nullable=False),
sa.Column('lead_id', sa.Integer(), nullable=True),
sa.Column('name', sa.String(length=50), nullable=False),
sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
sa.ForeignKeyConstraint(['lead_id'], ['members.id'], name=op.f('{fk_projects_lead}')),
sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('{fk_projects_team}')),
sa.PrimaryKeyConstraint('id', name=op.f('{pk_projects}')),
sa.UniqueConstraint('team_id', 'name', name=op.f('{uq_projects}'))
)
op.create_foreign_key(op.f('{fk_teams}'), 'teams', 'members', ['owner_id'], ['id'], use_alter=True)
op.create_index(op.f('{ix_teams}'), 'teams', ['owner_id'], unique=False)
op.create_index(op.f('{ix_members}'), 'members', ['team_id'], unique=False)
op.create_index('projects_by_team', 'projects', ['team_id', 'created_at'], unique=False)
op.create_index(op.f('{ix_projects}'), 'projects', ['lead_id'], unique=False)"""

DOWNGRADE = """\
op.drop_index(op.f('{ix_projects}'), table_name='projects')
op.drop_index('projects_by_team', table_name='projects')
op.drop_index(op.f('{ix_members}'), table_name='members')
op.drop_index(op.f('{ix_teams}'), table_name='teams')
op.drop_constraint(op.f('{fk_teams}'), 'teams', type_='foreignkey')
op.drop_table('projects')
op.drop_table('members')
op.drop_table('teams')"""

NAMES = {
    "pg-style": {
        "pk_teams": "teams_pkey",
        "uq_teams": "teams_name_key",
        "fk_teams": "teams_owner_id_fkey",
        "ix_teams": "teams_owner_id_idx",
        "pk_members": "members_pkey",
        "ck_members": "members_status_valid_check",
        "fk_members": "members_team_id_fkey",
        "ix_members": "members_team_id_idx",
        "pk_projects": "projects_pkey",
        "uq_projects": "projects_team_id_name_key",
        "fk_projects_lead": "projects_lead_id_fkey",
        "fk_projects_team": "projects_team_id_fkey",
        "ix_projects": "projects_lead_id_idx",
    },
    "double-underscore": {
        "pk_teams": "pk_teams",
        "uq_teams": "uq_teams__name",
        "fk_teams": "fk_teams__owner_id__members",
        "ix_teams": "ix_teams__owner_id",
        "pk_members": "pk_members",
        "ck_members": "ck_members__status_valid",
        "fk_members": "fk_members__team_id__teams",
        "ix_members": "ix_members__team_id",
        "pk_projects": "pk_projects",
        "uq_projects": "uq_projects__team_id_name",
        "fk_projects_lead": "fk_projects__lead_id__members",
        "fk_projects_team": "fk_projects__team_id__teams",
        "ix_projects": "ix_projects__lead_id",
    },
}


@pytest.mark.parametrize("style", sorted(CONVENTIONS))
def test_team_convention_is_kept(tmp_path: Path, pg_url: str, style: str) -> None:
    """After upgrade head the database holds exactly what create_all gives the same models with
    their FK indexes declared; check is clean; a second autogenerate is empty."""
    convention = CONVENTIONS[style]
    project = Project(tmp_path, pg_url)
    rev = project.revision(team_models(convention))
    # The names are the team's: none renamed to pk_/fk_/uq_/idx_, the FK indexes we add use
    # the team's ix template, the use_alter FK is created after the tables (else never).
    assert rev.upgrade == UPGRADE.format(**NAMES[style])
    assert rev.downgrade == DOWNGRADE.format(**NAMES[style])
    project.round_trip(team_models(convention))
    migrated = schema_names(pg_url)
    project.check(team_models(convention))
    assert project.revision(team_models(convention)).upgrade == "pass"
    project.downgrade(team_models(convention))
    assert migrated == create_all_names(pg_url, team_models(convention, declare_fk_indexes=True))


# ---------------------------------------------------------------------------------------------
# 2. A foreign key declared twice, once named and once unnamed
# ---------------------------------------------------------------------------------------------


def twin_models() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("teams", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "members",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id"), index=True),
        # The same FK again, named as our convention would name the unnamed one.
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_members_team_id"),
    )
    return md


TWIN_UPGRADE = """\
op.create_table('teams',
sa.Column('id', sa.Integer(), nullable=False),
sa.PrimaryKeyConstraint('id', name=op.f('pk_teams'))
)
op.create_table('members',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('team_id', sa.Integer(), nullable=True),
sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name='fk_members_team_id'),
sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_members_team_id_1')),
sa.PrimaryKeyConstraint('id', name=op.f('pk_members'))
)
op.create_index(op.f('idx_members_team_id'), 'members', ['team_id'], unique=False)"""


@pytest.mark.parametrize("plugins", [["alembic.autogenerate.*"], None], ids=["plain-alembic", "plugin"])
def test_foreign_key_declared_twice_still_migrates(tmp_path: Path, pg_url: str, plugins: list[str] | None) -> None:
    """Plain Alembic runs this model's migration, so the plugin's must run too: the unnamed twin
    does not get the named one's name (PostgreSQL: DuplicateObject)."""
    project = Project(tmp_path, pg_url) if plugins is None else Project(tmp_path, pg_url, plugins=plugins)
    rev = project.revision(twin_models())
    if plugins is None:
        assert rev.upgrade == TWIN_UPGRADE
    project.round_trip(twin_models())
    project.check(twin_models())


# ---------------------------------------------------------------------------------------------
# 4. The spec's ``id = Column(UUID, primary_key=True, index=True)`` with pk_index = "allow"
# ---------------------------------------------------------------------------------------------


def spec_models() -> sa.MetaData:
    """The spec's Standard Model Template, as tables (UUID keys declared ``index=True``)."""
    md = sa.MetaData()
    sa.Table(
        "users",
        md,
        sa.Column("id", sa.Uuid, primary_key=True, index=True),
        sa.Column("email", sa.String(255), unique=True, index=True, nullable=False),
    )
    sa.Table("categories", md, sa.Column("id", sa.Uuid, primary_key=True, index=True))
    sa.Table(
        "examples",
        md,
        sa.Column("id", sa.Uuid, primary_key=True, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("category_id", sa.Uuid, sa.ForeignKey("categories.id"), nullable=True, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_example_user_name"),
        sa.Index("idx_example_user_created", "user_id", "created_at"),
        sa.Index("idx_example_category_active", "category_id", "is_active"),
    )
    return md


SPEC_INDEXES = """\
op.create_index(op.f('idx_users_email'), 'users', ['email'], unique=True)
op.create_index(op.f('idx_categories_id'), 'categories', ['id'], unique=False)
op.create_index(op.f('idx_users_id'), 'users', ['id'], unique=False)
op.create_index('idx_example_category_active', 'examples', ['category_id', 'is_active'], unique=False)
op.create_index('idx_example_user_created', 'examples', ['user_id', 'created_at'], unique=False)
op.create_index(op.f('idx_examples_category_id'), 'examples', ['category_id'], unique=False)
op.create_index(op.f('idx_examples_id'), 'examples', ['id'], unique=False)
op.create_index(op.f('idx_examples_user_id'), 'examples', ['user_id'], unique=False)"""


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_spec_primary_key_with_index_true(tmp_path: Path, request: pytest.FixtureRequest, backend: str) -> None:
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    project = Project(tmp_path, url, config=Config(root=tmp_path, pk_index="allow"))
    rev = project.revision(spec_models())
    if backend == "postgresql":
        creates = "\n".join(line for line in rev.upgrade.splitlines() if "create_index" in line)
        # The unique index first (the checker counts it as structure), then the others.
        assert creates == SPEC_INDEXES
    project.round_trip(spec_models())
    project.check(spec_models())
    assert project.revision(spec_models()).upgrade == "pass"


# ---------------------------------------------------------------------------------------------
# 5. (#11) A documented AS201 exception never drops the index the plugin made; no false log line
# ---------------------------------------------------------------------------------------------

PREPARE_PLUGIN = "alembic_standards_prepare_test"


@pytest.fixture
def prepare_plugin() -> Iterator[str]:
    """``prepare_table`` registered at FIRST, as plugin.setup() registers it (Alembic 1.18+: older
    versions have no plugin registry, and log Alembic's own line, as the README says)."""
    from alembic_standards.compat import has_plugin_system

    if not has_plugin_system():
        pytest.skip("Alembic < 1.18 has no plugin registry: the removal line cannot be filtered there")
    from alembic.runtime.plugins import Plugin
    from alembic.util import DispatchPriority

    from alembic_standards.autogenerate import prepare_table

    plugin = Plugin(PREPARE_PLUGIN)
    plugin.add_autogenerate_comparator(
        prepare_table, "table", "alembic_standards_prepare", priority=DispatchPriority.FIRST
    )
    yield PREPARE_PLUGIN
    plugin.remove()


def accounts() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "accounts",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id")),
    )
    return md


def test_exception_added_later_keeps_the_index(tmp_path: Path, pg_url: str) -> None:
    project = Project(tmp_path, pg_url)
    rev = project.revision(accounts())
    assert "op.create_index(op.f('idx_accounts_owner_id'), 'accounts', ['owner_id'], unique=False)" in rev.upgrade
    project.upgrade(accounts())
    # Later the team documents that this FK needs no index: the existing index stays.
    entry = ExceptionEntry(rule="AS201", reason="write-only audit link", table="accounts", column="owner_id")
    project.config = Config(root=tmp_path, exceptions=(entry,))
    project.check(accounts())
    assert project.revision(accounts()).upgrade == "pass"


def test_cancelled_removal_is_not_logged(
    tmp_path: Path, pg_url: str, prepare_plugin: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The models do not declare the FK index the plugin made: Alembic proposes its removal, the
    plugin cancels it -- and Alembic's "Detected removed index" line is not printed either."""
    project = Project(tmp_path, pg_url, plugins=[*PLUGINS, prepare_plugin])
    project.revision(accounts())
    project.upgrade(accounts())
    caplog.set_level(logging.INFO, logger="alembic")
    project.check(accounts())
    assert project.revision(accounts()).upgrade == "pass"
    removals = [r.getMessage() for r in caplog.records if "Detected removed index" in r.getMessage()]
    assert removals == []


def test_real_removals_are_still_logged(
    tmp_path: Path, pg_url: str, prepare_plugin: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Only the removals the plugin cancels are silenced (and Alembic's message is the one pinned)."""
    project = Project(tmp_path, pg_url, plugins=[*PLUGINS, prepare_plugin])
    md = accounts()
    sa.Index("handmade", md.tables["accounts"].c.id, md.tables["accounts"].c.owner_id)
    project.revision(md)
    project.upgrade(md)
    caplog.set_level(logging.INFO, logger="alembic")
    rev = project.revision(accounts())
    assert rev.upgrade == "op.drop_index(op.f('handmade'), table_name='accounts')"
    removals = [r.getMessage() for r in caplog.records if "Detected removed index" in r.getMessage()]
    assert removals == ["Detected removed index 'handmade' on 'accounts'"]


def test_unique_repeating_the_primary_key_does_not_loop_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    """FitTrackee's `uuid = Column(UUID, primary_key=True, unique=True)`: PostgreSQL's CREATE TABLE
    discards a UNIQUE that repeats the primary key, so plain Alembic proposes adding it on every
    run and `alembic check` is never clean.  With the plugin: created once, then no drift."""
    from sqlalchemy import Column, MetaData, Table, Uuid

    md = MetaData()
    Table("segments", md, Column("uuid", Uuid, primary_key=True, unique=True))
    project = Project(tmp_path, pg_url)
    project.revision(md)
    project.upgrade(md)
    project.check(md)  # raises AutogenerateDiffsDetected before the fix
    assert project.revision(md).upgrade.strip() == "pass"


def test_sqlalchemy_deferred_name_counts_as_no_name() -> None:
    """SQLAlchemy 2.x marks a deferred name with ``_NONE_NAME`` (an Enum member, not the string
    ``"_unnamed_"`` the plugin once tested for): such a constraint has no name to keep."""
    from sqlalchemy.sql.base import _NONE_NAME

    from alembic_standards.autogenerate import _replaceable

    assert _replaceable(_NONE_NAME) is True
    assert _replaceable(None) is True
    assert _replaceable("fk_a_b") is False


# ---------------------------------------------------------------------------------------------
# 3. An unnamed use_alter foreign key, no team convention: our name, created after the tables
# ---------------------------------------------------------------------------------------------


def cycle_models(use_alter: bool = True) -> sa.MetaData:
    """users <-> recipes, the cycle broken the documented SQLAlchemy way (Mealie's recipes.user_id);
    without ``use_alter``, as CTFd and Dispatch leave theirs (section 4)."""
    md = sa.MetaData()
    sa.Table(
        "users",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("favourite_recipe_id", sa.Integer, sa.ForeignKey("recipes.id"), index=True),
    )
    sa.Table(
        "recipes",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", use_alter=use_alter), index=True),
    )
    return md


CYCLE_UPGRADE = """\
op.create_table('recipes',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('user_id', sa.Integer(), nullable=True),
sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recipes_user_id'), use_alter=True),
sa.PrimaryKeyConstraint('id', name=op.f('pk_recipes'))
)
op.create_table('users',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('favourite_recipe_id', sa.Integer(), nullable=True),
sa.ForeignKeyConstraint(['favourite_recipe_id'], ['recipes.id'], name=op.f('fk_users_favourite_recipe_id')),
sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
)
op.create_foreign_key(op.f('fk_recipes_user_id'), 'recipes', 'users', ['user_id'], ['id'], use_alter=True)
op.create_index(op.f('idx_recipes_user_id'), 'recipes', ['user_id'], unique=False)
op.create_index(op.f('idx_users_favourite_recipe_id'), 'users', ['favourite_recipe_id'], unique=False)"""
CYCLE_DOWNGRADE = """\
op.drop_index(op.f('idx_users_favourite_recipe_id'), table_name='users')
op.drop_index(op.f('idx_recipes_user_id'), table_name='recipes')
op.drop_constraint(op.f('fk_recipes_user_id'), 'recipes', type_='foreignkey')
op.drop_table('users')
op.drop_table('recipes')"""


def test_unnamed_use_alter_foreign_key_without_a_team_convention(tmp_path: Path, pg_url: str) -> None:
    """The plugin names the key on a detached copy of the constraint; reading that copy's columns
    raised KeyError (Mealie, sweep 4).  The key is named by our convention, created after both
    tables, and the migration runs both ways."""
    project = Project(tmp_path, pg_url)
    rev = project.revision(cycle_models())
    assert rev.upgrade == CYCLE_UPGRADE
    assert rev.downgrade == CYCLE_DOWNGRADE
    project.round_trip(cycle_models())
    project.check(cycle_models())
    assert project.revision(cycle_models()).upgrade == "pass"


# ---------------------------------------------------------------------------------------------
# 4. A cycle without use_alter: the key that points forward is added after the tables
# ---------------------------------------------------------------------------------------------


def plain_cycle_models() -> sa.MetaData:
    """users <-> recipes with no ``use_alter`` anywhere (CTFd's and Dispatch's cycles, sweep 4)."""
    return cycle_models(use_alter=False)


def three_table_cycle_models() -> sa.MetaData:
    """teams -> leagues -> seasons -> teams through table-level keys, teams.mentor_id a key to
    its own table (no cycle: it stays in its CREATE TABLE)."""
    md = sa.MetaData()
    sa.Table(
        "teams",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("league_id", sa.Integer, index=True),
        sa.Column("mentor_id", sa.Integer, index=True),
        sa.ForeignKeyConstraint(["league_id"], ["leagues.id"]),
        sa.ForeignKeyConstraint(["mentor_id"], ["teams.id"]),
    )
    sa.Table(
        "leagues",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("season_id", sa.Integer, index=True),
        sa.ForeignKeyConstraint(["season_id"], ["seasons.id"]),
    )
    sa.Table(
        "seasons",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("champion_id", sa.Integer, index=True),
        sa.ForeignKeyConstraint(["champion_id"], ["teams.id"]),
    )
    return md


THREE_CYCLE_UPGRADE = """\
op.create_table('leagues',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('season_id', sa.Integer(), nullable=True),
sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_leagues_season_id'), use_alter=True),
sa.PrimaryKeyConstraint('id', name=op.f('pk_leagues'))
)
op.create_table('seasons',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('champion_id', sa.Integer(), nullable=True),
sa.ForeignKeyConstraint(['champion_id'], ['teams.id'], name=op.f('fk_seasons_champion_id'), use_alter=True),
sa.PrimaryKeyConstraint('id', name=op.f('pk_seasons'))
)
op.create_table('teams',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('league_id', sa.Integer(), nullable=True),
sa.Column('mentor_id', sa.Integer(), nullable=True),
sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_teams_league_id')),
sa.ForeignKeyConstraint(['mentor_id'], ['teams.id'], name=op.f('fk_teams_mentor_id')),
sa.PrimaryKeyConstraint('id', name=op.f('pk_teams'))
)
op.create_foreign_key(op.f('fk_leagues_season_id'), 'leagues', 'seasons', ['season_id'], ['id'], use_alter=True)
op.create_foreign_key(op.f('fk_seasons_champion_id'), 'seasons', 'teams', ['champion_id'], ['id'], use_alter=True)
op.create_index(op.f('idx_leagues_season_id'), 'leagues', ['season_id'], unique=False)
op.create_index(op.f('idx_seasons_champion_id'), 'seasons', ['champion_id'], unique=False)
op.create_index(op.f('idx_teams_league_id'), 'teams', ['league_id'], unique=False)
op.create_index(op.f('idx_teams_mentor_id'), 'teams', ['mentor_id'], unique=False)"""
THREE_CYCLE_DOWNGRADE = """\
op.drop_index(op.f('idx_teams_mentor_id'), table_name='teams')
op.drop_index(op.f('idx_teams_league_id'), table_name='teams')
op.drop_index(op.f('idx_seasons_champion_id'), table_name='seasons')
op.drop_index(op.f('idx_leagues_season_id'), table_name='leagues')
op.drop_constraint(op.f('fk_seasons_champion_id'), 'seasons', type_='foreignkey')
op.drop_constraint(op.f('fk_leagues_season_id'), 'leagues', type_='foreignkey')
op.drop_table('teams')
op.drop_table('seasons')
op.drop_table('leagues')"""


@pytest.mark.parametrize(
    ("models", "upgrade", "downgrade"),
    [
        # The same migration as the one for a cycle declared with use_alter (section 3).
        (plain_cycle_models, CYCLE_UPGRADE, CYCLE_DOWNGRADE),
        (three_table_cycle_models, THREE_CYCLE_UPGRADE, THREE_CYCLE_DOWNGRADE),
    ],
    ids=["two-tables", "three-tables-and-a-self-reference"],
)
def test_cycle_without_use_alter_upgrades(
    tmp_path: Path, pg_url: str, models: Callable[[], sa.MetaData], upgrade: str, downgrade: str
) -> None:
    """Alembic writes the tables of a cycle one after the other, every key inline: the first
    CREATE TABLE names a table that does not exist yet and the upgrade fails on PostgreSQL
    (without the plugin too).  The key that points forward is created after the tables (marked
    use_alter, as SQLAlchemy breaks a cycle), dropped before them, and the migration runs both
    ways; the models are not changed."""
    metadata = models()
    project = Project(tmp_path, pg_url)
    rev = project.revision(metadata)
    assert rev.upgrade == upgrade
    assert rev.downgrade == downgrade
    assert not any(fk.use_alter for table in metadata.tables.values() for fk in table.foreign_key_constraints)
    project.round_trip(models())
    project.check(models())
    assert project.revision(models()).upgrade == "pass"


def test_cycle_with_an_unnamed_key_is_left_as_alembic_writes_it(tmp_path: Path, pg_url: str) -> None:
    """With AS501 off and no convention the forward key has no name: it could not be dropped by
    name in the downgrade, so it is not moved and the upgrade fails loudly, as without the plugin
    (never a key silently left out of the database)."""
    enabled = frozenset(RULES) - resolve_rule_ids(("AS501",))
    project = Project(tmp_path, pg_url, config=Config(root=tmp_path, enabled=enabled))
    rev = project.revision(plain_cycle_models())
    assert "use_alter" not in rev.upgrade
    assert "create_foreign_key" not in rev.upgrade
    with pytest.raises(sa.exc.ProgrammingError, match='relation "users" does not exist'):
        project.upgrade(plain_cycle_models())


# ---------------------------------------------------------------------------------------------
# 6. A template of the first column only: the FK index gets a name of its own
# ---------------------------------------------------------------------------------------------

# SQLAlchemy's documented convention (its "Configuring Constraint Naming Conventions" page).
SQLALCHEMY_DOCS_STYLE = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def first_column_models() -> sa.MetaData:
    """A composite foreign key whose first column has an index of its own (``index=True``)."""
    md = sa.MetaData(naming_convention=SQLALCHEMY_DOCS_STYLE)
    sa.Table(
        "regions",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(5), nullable=False),
        sa.Column("zone", sa.String(5), nullable=False),
        sa.UniqueConstraint("code", "zone"),
    )
    sa.Table(
        "shops",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(5), nullable=False, index=True),
        sa.Column("zone", sa.String(5), nullable=False),
        sa.ForeignKeyConstraint(["code", "zone"], ["regions.code", "regions.zone"]),
    )
    return md


FIRST_COLUMN_UPGRADE = """\
op.create_table('regions',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('code', sa.String(length=5), nullable=False),
sa.Column('zone', sa.String(length=5), nullable=False),
sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
sa.UniqueConstraint('code', 'zone', name=op.f('uq_regions_code'))
)
op.create_table('shops',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('code', sa.String(length=5), nullable=False),
sa.Column('zone', sa.String(length=5), nullable=False),
sa.ForeignKeyConstraint(['code', 'zone'], ['regions.code', 'regions.zone'], name=op.f('fk_shops_code_regions')),
sa.PrimaryKeyConstraint('id', name=op.f('pk_shops'))
)
op.create_index(op.f('ix_shops_code'), 'shops', ['code'], unique=False)
op.create_index(op.f('ix_shops_code_1'), 'shops', ['code', 'zone'], unique=False)"""

FIRST_COLUMN_DOWNGRADE = """\
op.drop_index(op.f('ix_shops_code_1'), table_name='shops')
op.drop_index(op.f('ix_shops_code'), table_name='shops')
op.drop_table('shops')
op.drop_table('regions')"""


def test_an_index_template_of_the_first_column_gets_a_free_name(tmp_path: Path, pg_url: str) -> None:
    """``ix_%(column_0_label)s`` names the index the foreign key (code, zone) needs as the model's
    ``index=True`` on code: the upgrade failed on PostgreSQL (``relation "ix_shops_code" already
    exists``), where plain Alembic, adding no index, runs.  The added index takes the next free
    name, the same in every later run: ``alembic check`` is clean and a second autogenerate empty."""
    project = Project(tmp_path, pg_url)
    rev = project.revision(first_column_models())
    assert rev.upgrade == FIRST_COLUMN_UPGRADE
    assert rev.downgrade == FIRST_COLUMN_DOWNGRADE
    project.round_trip(first_column_models())
    project.check(first_column_models())
    assert project.revision(first_column_models()).upgrade == "pass"


# ---------------------------------------------------------------------------------------------
# 7. A key whose only index is partial: indexed, under a name of its own
# ---------------------------------------------------------------------------------------------


def partial_models() -> sa.MetaData:
    """Polar's organization_reviews: one review per live organization (a partial unique index on the
    key's column, `WHERE deleted_at IS NULL`), which serves no lookup of the deleted rows."""
    md = sa.MetaData(naming_convention={"ix": "ix_%(column_0_N_label)s", "pk": "pk_%(table_name)s"})
    sa.Table("orgs", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "reviews",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("orgs.id", name="fk_reviews_org_id"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        sa.Index(None, "org_id", unique=True, postgresql_where=sa.text("deleted_at IS NULL")),
    )
    return md


PARTIAL_UPGRADE = (
    """\
op.create_table('orgs',
sa.Column('id', sa.Integer(), nullable=False),
sa.PrimaryKeyConstraint('id', name=op.f('pk_orgs'))
)
op.create_table('reviews',
sa.Column('id', sa.Integer(), nullable=False),
sa.Column('org_id', sa.Integer(), nullable=False),
sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name='fk_reviews_org_id'),
sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
)
op.create_index(op.f('ix_reviews_org_id'), 'reviews', ['org_id'], unique=True, """
    """postgresql_where=sa.text('deleted_at IS NULL'))
op.create_index(op.f('ix_reviews_org_id_1'), 'reviews', ['org_id'], unique=False)"""
)


def test_a_key_indexed_only_by_a_partial_index_gets_an_index_of_its_own(tmp_path: Path, pg_url: str) -> None:
    """A partial index covers a key only under `<column> IS NOT NULL` (as the linter and the audit
    judge it).  The plugin took Polar's `WHERE deleted_at IS NULL` index for a full one in the first
    migration, then proposed the index in every `alembic check`, and the next autogenerate named it
    as the partial index: `relation "ix_..." already exists`.  Now the first migration indexes the
    key under a free name, and nothing is left to propose."""
    project = Project(tmp_path, pg_url)
    rev = project.revision(partial_models())
    assert rev.upgrade == PARTIAL_UPGRADE
    project.round_trip(partial_models())
    project.check(partial_models())
    assert project.revision(partial_models()).upgrade == "pass"
