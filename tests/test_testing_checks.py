"""The pytest-alembic checks of ``alembic_standards.testing``, run by pytest itself on small projects.

Each folder under ``tests/scenarios/testing/`` (overlaid on ``_base``: two tables, ``users`` owning
``posts``, a plain ``env.py``) is a project built to break one check; pytester runs
``from alembic_standards.testing import *`` on it in a subprocess (scenarios import a module named
``app``: a separate interpreter keeps them apart) against a fresh PostgreSQL database, and we
assert which checks pass, which fail, and what the failure says.
"""

from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).parent / "scenarios" / "testing"


def run_scenario(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, url: str, name: str, *args: str):
    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / name, pytester.path, dirs_exist_ok=True)
    monkeypatch.setenv("DATABASE_URL", url)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", "-rs", *args)


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """test name -> PASSED/FAILED/SKIPPED, from the -v progress lines."""
    found: dict[str, str] = {}
    for line in result.outlines:
        match = re.match(r"^test_checks\.py::(test_\w+) (PASSED|FAILED|SKIPPED|ERROR)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


ALL_CHECKS = {
    "test_database_follows_standards",
    "test_downgrades_leave_no_trace",
    "test_every_revision_has_a_real_downgrade",
    "test_migrations_are_safe",
    "test_model_definitions_match_ddl",
    "test_model_foreign_key_indexes",
    "test_model_primary_keys",
    "test_model_relationships",
    "test_model_unique_constraints",
    "test_models_follow_standards",
    "test_no_revision_introduces_violations",
}


@pytest.fixture(params=["postgresql", "sqlite"])
def any_url(request):
    """A fresh PostgreSQL database, or a SQLite file (pytest-alembic's default kind of engine)."""
    return request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")


def test_passing_project_passes_every_check(pytester, monkeypatch, any_url):
    result = run_scenario(pytester, monkeypatch, any_url, "passing")
    assert outcomes(result) == dict.fromkeys(ALL_CHECKS, "PASSED"), result.stdout.str()
    assert "AlembicStandardsWarning" not in result.stdout.str()


def test_pass_downgrade_fails_the_downgrade_checks(pytester, monkeypatch, pg_url):
    result = run_scenario(pytester, monkeypatch, pg_url, "pass_downgrade", "-k", "downgrade and not definitions")
    assert outcomes(result) == {
        "test_every_revision_has_a_real_downgrade": "FAILED",
        "test_downgrades_leave_no_trace": "FAILED",
    }, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*1 revision file(s) have no real downgrade: the downgrade must undo the upgrade "
            '(or the revision must declare irreversible = "reason")',
            "*Findings:",
            "*migrations/versions/0002_posts.py:*: AS702 downgrade() is only `pass` while upgrade() has 2 operation(s)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*The downgrade of revision 0002 does not restore the schema it started from.",
            "*Schema after upgrade + downgrade, compared with before the upgrade (+ left behind, - lost, ~ changed):",
            "*+ table posts",
            "*+ index idx_posts_user_id_created_at on posts (user_id, created_at)*",
        ]
    )


def test_forgotten_index_is_left_behind(pytester, monkeypatch, pg_url):
    result = run_scenario(pytester, monkeypatch, pg_url, "forgotten_index", "-k", "downgrade and not definitions")
    assert outcomes(result) == {
        "test_every_revision_has_a_real_downgrade": "FAILED",
        "test_downgrades_leave_no_trace": "FAILED",
    }, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*migrations/versions/0003_users_email_index.py:*: AS703 downgrade() does not undo op.create_index() "
            "of index 'idx_users_created_at' on 'users'*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*The downgrade of revision 0003 does not restore the schema it started from.",
            "*Revision:",
            "*0003 (*0003_users_email_index.py)",
            "*+ index idx_users_created_at on users (created_at)*",
        ]
    )
    # Only the forgotten index: the column the downgrade did drop is not reported.
    assert "column users.display_name" not in result.stdout.str()


def test_unindexed_foreign_key_is_blamed_on_its_revision(pytester, monkeypatch, pg_url):
    result = run_scenario(
        pytester,
        monkeypatch,
        pg_url,
        "unindexed_fk",
        "-k",
        "introduces or database_follows or foreign_key or models_follow",
    )
    assert outcomes(result) == {
        "test_no_revision_introduces_violations": "FAILED",
        "test_database_follows_standards": "FAILED",
        "test_model_foreign_key_indexes": "FAILED",
        "test_models_follow_standards": "FAILED",
    }, result.stdout.str()
    # The model linter points at the model's source line.
    result.stdout.fnmatch_lines(
        [
            "*The models violate the schema standard: 2 finding(s).",
            "*Table posts:",
            "*    app/models.py:34:1: AS601 owner-scoped table posts lacks an index on (user_id, created_at)*",
            "*    app/models.py:43:5: AS201 foreign key posts(user_id) -> users.id is not covered by an index*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*Revision 0002 introduces 1 violation(s) of the schema standard.",
            "*0002 (*0002_posts.py)",
            "*Table posts:",
            "*posts.user_id: AS201 *",
        ]
    )
    result.stdout.fnmatch_lines(["*The database at head violates the schema standard: 1 finding(s) in 1 table(s)."])


def test_unenforced_unique_constraint_is_caught_by_a_duplicate(pytester, monkeypatch, any_url):
    result = run_scenario(pytester, monkeypatch, any_url, "unenforced_unique", "-k", "unique or relationships")
    assert outcomes(result) == {
        "test_model_unique_constraints": "FAILED",
        "test_model_relationships": "PASSED",
    }, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*1 unique constraint(s) of the models are not enforced by the database at head.",
            "*Duplicates accepted:",
            "*posts.uq_posts_user_id_title: AS505 unique key (user_id, title) is not enforced by the database: "
            "it accepted two rows with user_id=UUID(*), title='v*'",
        ]
    )
    # The constraint that was created (users.email) is enforced, so it is not reported.
    assert "uq_users_email" not in result.stdout.str()


def test_an_unenforced_unique_key_is_an_as505_finding_the_register_can_excuse(pytester, monkeypatch, sqlite_url):
    # AS505 is a catalogued rule like any other: a documented exception (or ignore) applies to it.
    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / "unenforced_unique", pytester.path, dirs_exist_ok=True)
    with (pytester.path / "pyproject.toml").open("a") as f:
        f.write(
            '\n[[tool.alembic_standards.exceptions]]\nrule = "AS505"\ntable = "posts"\n'
            'constraint = "uq_posts_user_id_title"\nreason = "Enforced by the application until DB-7."\n'
        )
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", "-k", "unique")
    assert outcomes(result) == {"test_model_unique_constraints": "PASSED"}, result.stdout.str()


def test_one_sided_back_populates_fails_the_relationship_check(pytester, monkeypatch, pg_url):
    result = run_scenario(pytester, monkeypatch, pg_url, "one_sided_back_populates", "-k", "relationships")
    assert outcomes(result) == {"test_model_relationships": "FAILED"}, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*1 relationship pair(s) do not load through back_populates in both directions.",
            "*User.posts <-> Post.user: after adding a Post to User.posts, Post.user does not point back to the "
            "User in memory (declare back_populates on both sides)",
        ]
    )


def test_irreversible_marker_exempts_a_revision_from_the_downgrade_checks(pytester, monkeypatch, pg_url):
    result = run_scenario(pytester, monkeypatch, pg_url, "irreversible_marked", "-k", "downgrade and not definitions")
    assert outcomes(result) == {
        "test_every_revision_has_a_real_downgrade": "PASSED",
        "test_downgrades_leave_no_trace": "PASSED",
    }, result.stdout.str()


def test_configuration_selects_checks_and_skips_revisions_and_tables(pytester, monkeypatch, pg_url):
    # Same broken downgrade as pass_downgrade, but revision 0002 is skipped with a reason; the
    # posts table is skipped, so its unique constraint is not probed; unselected checks skip.
    result = run_scenario(pytester, monkeypatch, pg_url, "configured")
    selected = {
        "test_every_revision_has_a_real_downgrade",
        "test_downgrades_leave_no_trace",
        "test_model_unique_constraints",
    }
    expected = {name: "PASSED" if name in selected else "SKIPPED" for name in ALL_CHECKS}
    assert outcomes(result) == expected, result.stdout.str()
    result.stdout.fnmatch_lines(
        ["*test_models_follow_standards is not selected in ?tool.alembic_standards.testing? checks"]
    )


def test_unknown_check_name_is_a_clear_failure(pytester, monkeypatch, pg_url):
    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / "passing", pytester.path, dirs_exist_ok=True)
    (pytester.path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npythonpath = ["."]\n\n'
        '[tool.alembic_standards.testing]\nchecks = ["database_follows_standard"]\n'
    )
    monkeypatch.setenv("DATABASE_URL", pg_url)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "models_follow")
    result.assert_outcomes(failed=1, deselected=10)
    result.stdout.fnmatch_lines(
        [
            "*?tool.alembic_standards.testing? checks names unknown checks: test_database_follows_standard",
            "*Known checks:",
            "*test_database_follows_standards",
        ]
    )


def test_branched_history_is_checked_on_every_branch(pytester, monkeypatch, pg_url):
    # 0002 and 0003 both revise 0001; only 0003 (on the "tags" branch) has a `pass` downgrade.
    result = run_scenario(pytester, monkeypatch, pg_url, "branched", "-k", "downgrade and not definitions")
    assert outcomes(result) == {
        "test_every_revision_has_a_real_downgrade": "FAILED",
        "test_downgrades_leave_no_trace": "FAILED",
    }, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*1 revision file(s) have no real downgrade*",
            "*migrations/versions/0003_tags_branch.py:*: AS702 downgrade() is only `pass`*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*The downgrade of revision 0003 does not restore the schema it started from.",
            "*+ table tags",
            "*+ column tags.id UUID NOT NULL",
            "*+ column tags.name VARCHAR(50) NOT NULL",
            "*+ primary key pk_tags on tags (id)",
        ]
    )
    assert "0002_posts.py" not in result.stdout.str()


def test_walking_checks_refuse_a_database_that_is_not_empty(pytester, monkeypatch, sqlite_url):
    # A conftest that shares one database between tests: pytest-alembic's test_upgrade leaves it at
    # head, and the walking check must say so instead of reporting a bogus schema difference.
    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / "passing", pytester.path, dirs_exist_ok=True)
    pytester.makeconftest(
        f"""
        import os
        import pytest
        from sqlalchemy import create_engine

        @pytest.fixture
        def alembic_config():
            return {{"file": os.path.join(os.path.dirname(__file__), "alembic.ini")}}

        @pytest.fixture
        def alembic_engine():
            engine = create_engine({sqlite_url!r})
            yield engine
            engine.dispose()
        """
    )
    (pytester.path / "test_checks.py").write_text(
        "from pytest_alembic.tests import test_upgrade\n"
        "from alembic_standards.testing import test_downgrades_leave_no_trace\n"
    )
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")
    assert outcomes(result) == {"test_upgrade": "PASSED", "test_downgrades_leave_no_trace": "FAILED"}
    result.stdout.fnmatch_lines(
        [
            "*The database is not empty: it is at revision 0002. This check walks the history from an empty database.",
            "*give every test a fresh, empty database*",
        ]
    )


def test_primary_key_type_differing_from_the_model_is_reported(pytester, monkeypatch, pg_url):
    # The migration creates posts.id as VARCHAR(36); the model declares a native UUID.
    result = run_scenario(
        pytester, monkeypatch, pg_url, "pk_type_mismatch", "-k", "primary_keys or database_follows or definitions"
    )
    assert outcomes(result) == {
        "test_model_primary_keys": "FAILED",
        "test_database_follows_standards": "FAILED",
        "test_model_definitions_match_ddl": "FAILED",
    }, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*1 primary key problem(s).",
            "*Primary keys:",
            "*posts.id: the primary key is VARCHAR(36) in the database, UUID in the model",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*Table posts:", "*posts.id: AS101 primary key posts.id is VARCHAR(36), not a native UUID*"]
    )
    # pytest-alembic's own comparison, run through our configurable wrapper, shows the would-be fix.
    result.stdout.fnmatch_lines(["*op.alter_column('posts', 'id',", "*type_=sa.Uuid(),*"])


def test_minimum_downgrade_revision_exempts_it_and_everything_before(pytester, monkeypatch, pg_url):
    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / "pass_downgrade", pytester.path, dirs_exist_ok=True)
    (pytester.path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npythonpath = ["."]\n\n'
        '[tool.alembic_standards.testing]\nminimum_downgrade_revision = "0002"\n'
    )
    monkeypatch.setenv("DATABASE_URL", pg_url)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", "-k", "downgrade and not definitions")
    assert outcomes(result) == {
        "test_every_revision_has_a_real_downgrade": "PASSED",
        "test_downgrades_leave_no_trace": "PASSED",
    }, result.stdout.str()


def test_star_import_brings_in_exactly_the_checks():
    namespace: dict[str, object] = {}
    exec("from alembic_standards.testing import *", namespace)
    imported = {name for name in namespace if name != "__builtins__"} - {"alembic_standards_database_guard"}
    assert imported == ALL_CHECKS
    for name in imported:
        check = namespace[name]
        assert "alembic" in {mark.name for mark in getattr(check, "pytestmark", [])}, name
        assert "alembic_runner" in inspect.signature(check).parameters, name


def test_duplicate_rejected_by_a_narrower_key_is_not_counted_as_enforced(pytester, monkeypatch, pg_url):
    # uq_posts_user_id_title was never created, but uq_posts_title (a subset of its columns) was:
    # the duplicate is rejected, by the wrong key. PostgreSQL names it, so the check says so.
    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / "unenforced_unique", pytester.path, dirs_exist_ok=True)
    models = pytester.path / "app" / "models.py"
    models.write_text(
        models.read_text().replace(
            'UniqueConstraint("user_id", "title", name="uq_posts_user_id_title"),',
            'UniqueConstraint("user_id", "title", name="uq_posts_user_id_title"),\n'
            '        UniqueConstraint("title", name="uq_posts_title"),',
        )
    )
    migration = pytester.path / "migrations" / "versions" / "0002_posts.py"
    migration.write_text(
        migration.read_text().replace(
            '        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),',
            '        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),\n'
            '        sa.UniqueConstraint("title", name="uq_posts_title"),',
        )
    )
    monkeypatch.setenv("DATABASE_URL", pg_url)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", "-k", "unique")
    assert outcomes(result) == {"test_model_unique_constraints": "PASSED"}, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*AlembicStandardsWarning: unique constraints not verified*",
            "*posts: uq_posts_user_id_title (user_id, title): the duplicate was rejected by "
            "uq_posts_title (title) instead",
        ]
    )


def test_relationship_check_does_not_call_model_constructors(pytester, monkeypatch, any_url):
    # User(email, /) and Post(author, title, /): no keyword construction is possible.
    result = run_scenario(pytester, monkeypatch, any_url, "custom_init", "-k", "relationships")
    assert outcomes(result) == {"test_model_relationships": "PASSED"}, result.stdout.str()
    assert "AlembicStandardsWarning" not in result.stdout.str()


def test_class_manager_new_instance_skips_the_constructor():
    # Pins the SQLAlchemy API the relationship check builds instances with (the ORM's own way of
    # building an instance for a loaded row): no __init__ call, a transient instrumented instance.
    import uuid

    from sqlalchemy import Uuid, inspect
    from sqlalchemy.orm import DeclarativeBase, mapped_column

    class Base(DeclarativeBase):
        pass

    class Thing(Base):
        __tablename__ = "things"
        id = mapped_column(Uuid, primary_key=True)

        def __init__(self) -> None:
            raise AssertionError("constructor called")

    Base.registry.configure()  # what a constructor call would do first
    thing = inspect(Thing).class_manager.new_instance()
    assert isinstance(thing, Thing)
    assert inspect(thing).transient
    thing.id = uuid.UUID(int=1)
    assert inspect(thing).attrs.id.history.added == [uuid.UUID(int=1)]


def _database_with_rows(pytester: pytest.Pytester, url: str, rows: int) -> None:
    """The scenario's migrations at head (run by Alembic in a subprocess) and ``rows`` users."""
    import os
    import subprocess
    import sys
    import uuid

    from sqlalchemy import create_engine, text

    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"]
    subprocess.run(command, cwd=pytester.path, env=env, check=True, capture_output=True)
    if not rows:
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        sqlite = connection.dialect.name == "sqlite"
        connection.execute(
            text("INSERT INTO users (id, email, created_at, updated_at) VALUES (:id, :email, :now, :now)"),
            [
                {
                    "id": uuid.uuid4().hex if sqlite else uuid.uuid4(),
                    "email": f"user{n}@example.com",
                    "now": "2026-01-01",
                }
                for n in range(rows)
            ],
        )
    engine.dispose()


def _count_users(url: str) -> int | None:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if "users" not in inspect(connection).get_table_names():
                return None
            return int(connection.execute(text("SELECT count(*) FROM users")).scalar_one())
    finally:
        engine.dispose()


def test_guard_refuses_a_database_holding_rows_and_leaves_them(pytester, monkeypatch, any_url):
    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / "guarded", pytester.path, dirs_exist_ok=True)
    _database_with_rows(pytester, any_url, 5000)
    monkeypatch.setenv("DATABASE_URL", any_url)
    monkeypatch.delenv("ALEMBIC_STANDARDS_DISPOSABLE_DATABASE", raising=False)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", "test_checks.py")

    assert _count_users(any_url) == 5000
    expected = dict.fromkeys(ALL_CHECKS | {"test_single_head_revision", "test_upgrade"}, "ERROR")
    expected |= {"test_up_down_consistency": "ERROR", "test_unrelated": "PASSED"}
    assert outcomes(result) == expected, result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*alembic-standards refused to run test_up_down_consistency: the database * behind alembic_engine "
            "holds data (rows in *users).",
            "*migrate the database down to base, which drops every table with its rows.",
            "*Fix: point alembic_engine at a disposable, empty database*ALEMBIC_STANDARDS_DISPOSABLE_DATABASE=*",
        ]
    )


def test_guard_lets_a_database_marked_disposable_through(pytester, monkeypatch, pg_url):
    from sqlalchemy.engine import make_url

    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / "guarded", pytester.path, dirs_exist_ok=True)
    _database_with_rows(pytester, pg_url, 10)
    monkeypatch.setenv("DATABASE_URL", pg_url)
    # Another database's name does not unlock this one.
    monkeypatch.setenv("ALEMBIC_STANDARDS_DISPOSABLE_DATABASE", "some_other_db")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", "test_checks.py", "-k", "up_down")
    assert outcomes(result) == {"test_up_down_consistency": "ERROR"}, result.stdout.str()
    assert _count_users(pg_url) == 10

    monkeypatch.setenv("ALEMBIC_STANDARDS_DISPOSABLE_DATABASE", f"other, {make_url(pg_url).database}")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", "test_checks.py", "-k", "up_down")
    assert outcomes(result) == {"test_up_down_consistency": "PASSED"}, result.stdout.str()
    assert _count_users(pg_url) in (None, 0)  # what the guard prevents: the rows are gone


def test_guard_accepts_a_database_left_at_head_without_rows(pytester, monkeypatch, sqlite_url):
    # The version table's row is not data: a shared database that an earlier test left at head.
    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / "guarded", pytester.path, dirs_exist_ok=True)
    _database_with_rows(pytester, sqlite_url, 0)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("ALEMBIC_STANDARDS_DISPOSABLE_DATABASE", raising=False)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", "test_checks.py", "-k", "up_down")
    assert outcomes(result) == {"test_up_down_consistency": "PASSED"}, result.stdout.str()


def test_convention_resembling_postgresql_names_is_the_teams_choice(pytester, monkeypatch, pg_url):
    # The models' MetaData names constraints users_pkey, posts_user_id_fkey, ... on purpose: the
    # live checks must not call them "invented by the database" (AS502).
    result = run_scenario(
        pytester, monkeypatch, pg_url, "pg_like_convention", "-k", "database_follows or introduces or unique"
    )
    assert outcomes(result) == {
        "test_database_follows_standards": "PASSED",
        "test_no_revision_introduces_violations": "PASSED",
        "test_model_unique_constraints": "PASSED",
    }, result.stdout.str()
    assert "AS502" not in result.stdout.str()


def _as102_tables(output: str) -> set[str]:
    """Tables named on the AS102 lines of ``output`` (whatever the message's wording)."""
    tables = {"users", "posts", "tags", "post_tags", "events"}
    lines = [line for line in output.splitlines() if "AS102" in line]
    return {word for line in lines for word in re.findall(r"\w+", line) if word in tables}


def test_as102_verdict_is_the_same_in_every_stage(pytester, monkeypatch, any_url):
    # post_tags is keyed by UNIQUE(post_id, tag_id) NOT NULL instead of a primary key; events has no
    # key at all. The model linter (CLI), the live audit (CLI) and the pytest checks (models and
    # database) must agree on which tables lack a primary key.
    import os
    import subprocess
    import sys

    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / "association_unique", pytester.path, dirs_exist_ok=True)
    monkeypatch.setenv("DATABASE_URL", any_url)
    env = {**os.environ, "DATABASE_URL": any_url}

    def cli(*args: str) -> str:
        command = [str(Path(sys.executable).with_name("alembic-standards")), "check", *args]
        done = subprocess.run(command, cwd=pytester.path, env=env, capture_output=True, text=True, check=False)
        assert done.returncode in (0, 1), done.stderr
        return done.stdout

    model_linter = _as102_tables(cli("--metadata", "app.models:Base.metadata"))
    in_pytest_models = _as102_tables(
        pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "models_follow").stdout.str()
    )
    in_pytest_database = _as102_tables(
        pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "database_follows").stdout.str()
    )
    upgrade = [sys.executable, "-m", "alembic", "upgrade", "head"]
    subprocess.run(upgrade, cwd=pytester.path, env=env, check=True, capture_output=True)
    live_audit = _as102_tables(cli("--no-models", "--database-url", any_url))

    assert "events" in model_linter  # every stage can say AS102 at all
    assert model_linter == live_audit == in_pytest_models == in_pytest_database


def test_star_import_brings_in_the_database_guard():
    # The README's recommended module is protected without an extra import line.
    from alembic_standards.testing.guard import alembic_standards_database_guard

    namespace: dict[str, object] = {}
    exec("from alembic_standards.testing import *", namespace)
    assert namespace.get("alembic_standards_database_guard") is alembic_standards_database_guard


def test_checks_honour_the_projects_baseline(pytester, monkeypatch, pg_url):
    """A `pass` downgrade accepted into the baseline by `check --write-baseline` fails no check that
    reads revision files; the live schema check still sees the real database."""
    import subprocess
    import sys

    shutil.copytree(SCENARIOS / "_base", pytester.path, dirs_exist_ok=True)
    shutil.copytree(SCENARIOS / "pass_downgrade", pytester.path, dirs_exist_ok=True)
    wrote = subprocess.run(
        [sys.executable, "-m", "alembic_standards.cli", "check", "migrations/versions", "--write-baseline"],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert wrote.returncode == 0, wrote.stderr
    assert (pytester.path / "alembic-standards-baseline.json").is_file()
    monkeypatch.setenv("DATABASE_URL", pg_url)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", "-rs", "-k", "every_revision")
    assert outcomes(result) == {"test_every_revision_has_a_real_downgrade": "PASSED"}, result.stdout.str()


def test_models_check_honours_a_baseline_of_the_per_table_findings_a_mixin_finding_replaced(tmp_path):
    """The baseline of a team that recorded a mixin's column once per table (before those findings
    became one, at the declaration) still holds it in the pytest models check, as in `check`."""
    from sqlalchemy import Column, DateTime, Uuid, func
    from sqlalchemy.orm import DeclarativeBase

    from alembic_standards.baseline import Baseline
    from alembic_standards.config import Config
    from alembic_standards.findings import Finding
    from alembic_standards.models import lint_metadata
    from alembic_standards.testing._project import EnvInfo, Project
    from alembic_standards.testing.checks import _lint_models

    class Base(DeclarativeBase):
        pass

    class Stamped:
        created_at = Column(DateTime(), server_default=func.now(), nullable=False)

    class Alert(Stamped, Base):
        __tablename__ = "alerts"
        id = Column(Uuid, primary_key=True)

    class Canvas(Stamped, Base):
        __tablename__ = "canvases"
        id = Column(Uuid, primary_key=True)

    metadata = Base.metadata
    config = Config(root=tmp_path, enabled=frozenset({"AS402"}))
    project = Project(runner=None, config=config)  # type: ignore[arg-type]  # the models check reads no runner
    project.__dict__["metadatas"] = [metadata]
    project._env = EnvInfo(target_metadata=(metadata,))
    merged_from: dict[int, list[Finding]] = {}
    lint_metadata([metadata], config, merged_from=merged_from)
    (parts,) = merged_from.values()
    (merged,) = _lint_models(project)
    assert merged.message.startswith("created_at (declared once, used by tables alerts, canvases)")

    Baseline.from_findings(config.baseline_path, [("models", f) for f in parts], tmp_path).write()
    project.__dict__.pop("baseline", None)
    assert _lint_models(project) == []
