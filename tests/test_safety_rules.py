"""The safe-migration rules (AS1001-AS1011): the decider (alembic_standards.safety) and the checker.

Each rule has a Bad and a Good history under ``tests/rules/migrations/AS10xx[_good]/`` (a base
revision that creates the tables, then the change), in the marker format of
``tests/rules/README.md``: the Bad gives exactly the marked finding, the Good gives none.  They are
run here too, so that the rules are pinned whether or not the generic fixture runner reads
four-digit IDs.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from alembic_standards.config import Config
from alembic_standards.findings import RuleId
from alembic_standards.migrations import check_migrations
from alembic_standards.migrations.safety_steps import env_sets_timeout
from alembic_standards.safety import (
    InUse,
    Step,
    check,
    has_nothing_to_undo,
    is_volatile_default,
    normalise_type,
    step_from_json,
    step_to_json,
    steps_from_sql,
    type_change_rewrites,
)

FIXTURES = Path(__file__).parent / "rules" / "migrations"


def _check(folder: Path, tmp_path: Path) -> list[str]:
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    for source in folder.glob("*.py"):
        shutil.copyfile(source, versions / source.name)
    report = check_migrations([versions], Config(root=tmp_path), cache=False)
    return sorted(
        f"{Path(str(f.location.path)).name}:{f.location.line}: {f.rule_id} {f.message}"
        for f in [*report.findings, *report.input_errors]
    )


SAFETY_FIXTURES = sorted(p for p in FIXTURES.glob("AS10*") if p.is_dir())


# Each fixture's markers are compared, both ways, by the generic runner (tests/test_rule_fixtures.py,
# which also reads `# in-use:` lines for AS1008); here: that every rule has its Bad and Good pair.


def test_every_checker_rule_has_a_bad_and_a_good_fixture() -> None:
    names = {p.name for p in SAFETY_FIXTURES}
    for number in range(1, 12):
        rule = f"AS10{number:02d}"
        if rule == "AS1008":  # needs the models' names: tested below with in_use
            continue
        assert {rule, f"{rule}_good"} <= names
        assert any(f"expect: {rule} " in p.read_text() for p in (FIXTURES / rule).glob("*.py"))


def test_a_lock_timeout_in_env_py_covers_every_revision(tmp_path: Path) -> None:
    folder = FIXTURES / "AS1009"
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "env.py").write_text(
        '"""SET lock_timeout is documented here, which sets nothing."""\n'
        "from alembic import context\n\n"
        "def run_migrations_online() -> None:\n"
        "    with connectable.connect() as connection:\n"
        "        connection.exec_driver_sql(\"SET lock_timeout = '5s'\")\n"
        "        context.configure(connection=connection)\n",
        encoding="utf-8",
    )
    assert _check(folder, tmp_path) == []


def test_env_py_is_read_not_run(tmp_path: Path) -> None:
    env = tmp_path / "env.py"
    env.write_text(
        '"""lock_timeout = 5 in a docstring sets nothing"""\nraise SystemExit("imported!")\n', encoding="utf-8"
    )
    assert env_sets_timeout(env) is False
    env.write_text('import os\nos.environ["PGOPTIONS"] = "-c lock_timeout=5000"\n', encoding="utf-8")
    assert env_sets_timeout(env) is True
    env.write_text("def broken(:\n", encoding="utf-8")
    assert env_sets_timeout(env) is False


def test_tables_unknown_to_the_history_or_new_are_not_judged(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    change = (FIXTURES / "AS1001" / "0002_change.py").read_text(encoding="utf-8")
    # Alone (its base revision absent), the table's history is unknown: nothing is guessed.
    (versions / "0002_change.py").write_text(change.replace("  # expect:", "  # was:"), encoding="utf-8")
    assert check_migrations([versions], Config(root=tmp_path), cache=False).findings == []


# `as op` shadows the module inside the block: its calls are still the batch's (the extractor binds
# them to the batch's table), so they are not judged either.
@pytest.mark.parametrize("alias", ["batch_op", "op"])
def test_batch_blocks_are_not_judged(tmp_path: Path, alias: str) -> None:
    folder = tmp_path / "history"
    shutil.copytree(FIXTURES / "AS1011", folder)
    change = folder / "0002_change.py"
    text = change.read_text(encoding="utf-8")
    text = text.replace(
        '    op.add_column("users", sa.Column("status", sa.String(20), nullable=False))',
        f'    with op.batch_alter_table("users") as {alias}:\n'
        f'        {alias}.add_column(sa.Column("status", sa.String(20), nullable=False))',
    )
    text = re.sub(r"  # expect: .*", "", text)
    change.write_text(text, encoding="utf-8")
    assert _check(folder, tmp_path) == []


_INDEX = 'op.create_index("idx_posts_user_id", "posts", ["user_id"])'
_AS1001 = (
    "0002_change.py:{line}: AS1001 creates index 'idx_posts_user_id' on existing table 'posts' without CONCURRENTLY: "
    "writes to the table are blocked while the index builds; use postgresql_concurrently=True inside "
    "op.get_context().autocommit_block()"
)


# A branch that runs only on another database is not judged by PostgreSQL's lock rules (Airflow's
# MySQL and SQLite branches of 0086 drew AS1001 and AS1009); any test that may run on PostgreSQL is.
@pytest.mark.parametrize(
    ("block", "judged"),
    [
        (f'if dialect_name == "mysql":\n        {_INDEX}', False),
        (f'if op.get_bind().dialect.name in ("mysql", "sqlite"):\n        {_INDEX}', False),
        (f'if "sqlite" == dialect_name:\n        {_INDEX}', False),
        (f'if dialect_name != "postgresql":\n        {_INDEX}', False),
        (f'if dialect_name == "postgresql":\n        pass\n    else:\n        {_INDEX}', False),
        (f'if dialect_name == "mssql":\n        pass\n    elif dialect_name == "sqlite":\n        {_INDEX}', False),
        (f'if not dialect_name == "postgresql":\n        {_INDEX}', False),
        (f'if dialect_name == "mysql" or dialect_name == "mariadb":\n        {_INDEX}', False),
        (f'if dialect_name == "mysql" and offline:\n        {_INDEX}', False),
        (f'if dialect_name == "postgresql":\n        {_INDEX}', True),
        (f'if dialect_name != "mysql":\n        {_INDEX}', True),
        (f'if dialect_name == "mysql":\n        pass\n    else:\n        {_INDEX}', True),
        (f'if dialect_name == "postgresql" and not offline:\n        {_INDEX}', True),
        (f'if dialect_name == "postgresql" or dialect_name == "mysql":\n        {_INDEX}', True),
        (f'if dialect_name == "cockroachdb":\n        {_INDEX}', True),  # a name not known: not read
        (f"if is_mysql:\n        {_INDEX}", True),  # the answer in a variable: not read
        (f'if "sqlite" in url:\n        {_INDEX}', True),  # a substring test, not a name
        # CTFd tests the engine's URL: str(op.get_bind().engine.url).startswith("mysql").
        (f'if str(op.get_bind().engine.url).startswith("mysql"):\n        {_INDEX}', False),
        (f'if dialect_name.startswith(("mysql", "sqlite")):\n        {_INDEX}', False),
        (f'if not dialect_name.startswith("postgres"):\n        {_INDEX}', False),
        (f'if dialect_name.startswith("postgres"):\n        {_INDEX}', True),
        (f'if dialect_name.startswith("my"):\n        {_INDEX}', True),  # not a database's name
    ],
)
def test_branches_for_other_databases_are_not_judged(tmp_path: Path, block: str, judged: bool) -> None:
    folder = tmp_path / "history"
    shutil.copytree(FIXTURES / "AS1001", folder)
    change = folder / "0002_change.py"
    text = re.sub(r"  # expect: .*", "", change.read_text(encoding="utf-8"))
    # The index moves into the block, after a line that reads the database's name.
    text = text.replace(f"    {_INDEX}\n", f"    dialect_name = op.get_bind().dialect.name\n    {block}\n")
    assert "dialect_name = " in text
    change.write_text(text, encoding="utf-8")
    line = next(n for n, source in enumerate(text.splitlines(), 1) if _INDEX in source)
    assert _check(folder, tmp_path) == ([_AS1001.format(line=line)] if judged else [])


def test_checker_reports_a_breaking_head_revision_given_the_models_names(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    shutil.copytree(FIXTURES / "AS1009_good", versions)
    change = versions / "0002_change.py"
    text = change.read_text(encoding="utf-8").replace(
        'op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))',
        'op.alter_column("users", "name", new_column_name="full_name")',
    )
    change.write_text(
        text.replace(
            'op.drop_column("users", "nickname")', 'op.alter_column("users", "full_name", new_column_name="name")'
        ),
        encoding="utf-8",
    )
    config = Config(root=tmp_path)
    assert check_migrations([versions], config, cache=False).findings == []
    in_use = InUse(tables=frozenset({"users", "posts"}), columns=frozenset({("users", "name")}))
    findings = check_migrations([versions], config, cache=False, in_use=in_use).findings
    assert [f.render(relative_to=versions) for f in findings] == [
        "0002_change.py:23:5: AS1008 renames (to 'full_name') column users.name, which the running code still uses: "
        "split it into expand (add the new), deploy code that stops using the old, then contract (drop it) in a "
        "later revision"
    ]
    # Only head revisions: 0001 is not judged against today's models (a later revision may re-add what it drops).
    (versions / "0003_later.py").write_text(
        text.replace('"0002"', '"0003"')
        .replace('= "0001"', '= "0002"')
        .replace('op.alter_column("users", "name", new_column_name="full_name")', 'op.execute("SELECT 1")')
        .replace("Revises: 0001", "Revises: 0002")
        .replace("Revision ID: 0002", "Revision ID: 0003"),
        encoding="utf-8",
    )
    later = check_migrations([versions], config, cache=False, in_use=in_use)
    assert [f.rule_id for f in later.findings] == [] and later.input_errors == []


def test_breaking_change_needs_what_running_code_uses() -> None:
    steps = [
        Step("set_timeout", None, line=1),
        Step("drop_column", "users", columns=("name",), line=3),
        Step("alter_column", "users", columns=("email",), line=4),
        Step("rename_column", "users", columns=("email",), new_name="mail", line=5),
        Step("drop_table", "legacy", line=6),
    ]
    assert [h.rule_id for h in check(steps)] == []
    in_use = InUse(tables=frozenset({"legacy"}), columns=frozenset({("users", "email")}))
    hazards = check(steps, in_use=in_use)
    assert [(h.rule_id, h.step.line) for h in hazards] == [(RuleId.AS1008, 5), (RuleId.AS1008, 6)]
    assert hazards[0].message == (
        "renames (to 'mail') column users.email, which the running code still uses: split it into expand "
        "(add the new), deploy code that stops using the old, then contract (drop it) in a later revision"
    )


def test_existing_is_what_the_caller_says() -> None:
    steps = [Step("create_index", "users", name="ix", columns=("email",), line=2)]
    assert check(steps, existing=set()) == []
    assert [h.rule_id for h in check(steps, existing={(None, "users")})] == [RuleId.AS1001, RuleId.AS1009]
    created_first = [Step("create_table", "users", line=1), *steps]
    assert check(created_first) == []


def test_backfill_is_reported_after_a_schema_change_once_per_statement_and_table() -> None:
    update = Step("data", "users", line=2)
    add = Step("add_column", "posts", columns=("x",), nullable=True, line=3)
    second = Step("data", "users", line=4)
    steps = [Step("set_timeout", None), update, add, second, Step("data", "users", line=4)]
    hazards = check(steps)
    assert [(h.rule_id, h.step.line) for h in hazards] == [(RuleId.AS1010, 4)]
    assert hazards[0].message == (
        "backfill of existing table 'users' runs in the same transaction as, and after, op.add_column() (line 3): "
        "the schema change's lock is held until every row is written; move the backfill to its own revision "
        "(or an autocommit block, in batches)"
    )


def test_a_concurrent_index_must_run_outside_the_transaction() -> None:
    index = Step("create_index", "users", name="ix", columns=("email",), concurrently=True, line=2)
    hazards = check([Step("set_timeout", None), index])
    assert [(h.rule_id, h.message) for h in hazards] == [
        (
            RuleId.AS1001,
            "creates index 'ix' on existing table 'users' CONCURRENTLY inside the revision's transaction, which "
            "PostgreSQL refuses; run it inside op.get_context().autocommit_block()",
        )
    ]
    assert check([Step("set_timeout", None), replace(index, autocommit=True)]) == []


def test_unnamed_objects_are_said_to_be_unnamed() -> None:
    hazards = check([Step("set_timeout", None), Step("add_unique", "sports", columns=("img",), line=5)])
    assert [h.message.split(" to ")[0] for h in hazards] == ["adds an unnamed unique constraint"]


def test_set_not_null_after_validating_an_earlier_revisions_check() -> None:
    steps = [
        Step("set_timeout", None),
        Step("validate_constraint", "users", name="ck_users_email_not_null", line=2),
        Step("alter_column", "users", columns=("email",), nullable=False, line=3),
    ]
    assert check(steps) == []
    assert [h.rule_id for h in check(steps[::2])] == [RuleId.AS1005]


@pytest.mark.parametrize(
    ("old", "new", "rewrites"),
    [
        ("VARCHAR(50)", "VARCHAR(100)", False),
        ("VARCHAR(100)", "VARCHAR(50)", True),
        ("VARCHAR(50)", "TEXT", False),
        ("TEXT", "VARCHAR", False),
        ("TEXT", "VARCHAR(10)", True),
        ("NUMERIC(10, 2)", "NUMERIC(12, 2)", False),
        ("NUMERIC(10, 2)", "NUMERIC(12, 3)", True),
        ("NUMERIC(10, 2)", "NUMERIC", False),
        ("INTEGER", "BIGINT", True),
        ("CIDR", "INET", False),
        ("TIMESTAMP", "TIMESTAMPTZ", True),
        ("TEXT", "JSONB", True),
        (None, "TEXT", False),  # VARCHAR(n) -> TEXT is free: undecidable without the old type
        (None, "VARCHAR(256)", False),
        (None, "BIGINT", True),  # no other type becomes BIGINT without a rewrite
        ("character varying(20)", "String(40)", False),
        ("VARCHAR", "CITEXT", False),  # citext's casts from text and varchar are WITHOUT FUNCTION
        ("String(255)", "CITEXT", False),
        ("TEXT", "CITEXT", False),
        ("CITEXT", "TEXT", False),
        ("CITEXT", "VARCHAR(10)", True),  # a length to check
        ("CITEXT", "JSONB", True),
        (None, "CITEXT", False),
    ],
)
def test_type_changes_that_rewrite(old: str | None, new: str, rewrites: bool) -> None:
    assert type_change_rewrites(old, new) is rewrites


def test_types_are_named_the_sql_way() -> None:
    assert [normalise_type(t) for t in ("String(50)", "BigInteger", "numeric(10,2)", "Uuid")] == [
        "VARCHAR(50)",
        "BIGINT",
        "NUMERIC(10, 2)",
        "UUID",
    ]


@pytest.mark.parametrize(
    ("sql", "volatile"),
    [
        ("gen_random_uuid()", True),
        ("uuid_generate_v4()", True),
        ("(random() * 10)::int", True),
        ("clock_timestamp()", True),
        ("nextval('users_id_seq'::regclass)", True),
        ("now()", False),
        ("CURRENT_TIMESTAMP", False),
        ("'random()'", True),  # a string that reads like a call: reported (a wrong default is rare)
        ("'draft'", False),
        (None, False),
    ],
)
def test_volatile_defaults(sql: str | None, volatile: bool) -> None:
    assert is_volatile_default(sql) is volatile


def test_raw_sql_statements_become_steps() -> None:
    sql = (
        "SET lock_timeout = '5s'; "
        'ALTER TABLE app."Posts" ADD CONSTRAINT fk_p FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID; '
        "ALTER TABLE posts VALIDATE CONSTRAINT fk_p; "
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_e ON users (email); "
        "ALTER TABLE users ADD CONSTRAINT uq_e UNIQUE USING INDEX uq_e; "
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL; "
        "ALTER TABLE users ADD CONSTRAINT ck CHECK (email IS NOT NULL) NOT VALID; "
        "ALTER TABLE users DROP COLUMN name; "
        "UPDATE users SET a = 1; INSERT INTO t VALUES (1); INSERT INTO t SELECT * FROM u; "
        "CREATE TABLE IF NOT EXISTS audit (id int); SELECT 1"
    )
    steps = steps_from_sql(sql, line=7, col=5, autocommit=True)
    assert [(s.op, s.schema, s.table, s.name) for s in steps] == [
        ("set_timeout", None, None, None),
        ("add_foreign_key", "app", "Posts", "fk_p"),
        ("validate_constraint", None, "posts", "fk_p"),
        ("create_index", None, "users", "uq_e"),
        ("add_unique", None, "users", "uq_e"),
        ("alter_column", None, "users", None),
        ("add_check", None, "users", "ck"),
        ("alter_table", None, "users", None),
        ("data", None, "users", None),
        ("data", None, "t", None),
        ("create_table", None, "audit", None),
    ]
    assert steps[1].not_valid and steps[3].concurrently and steps[3].unique and steps[4].using_index == "uq_e"
    assert steps[5].nullable is False and steps[5].columns == ("email",)
    assert steps[6].condition == "email IS NOT NULL" and steps[6].not_valid
    assert all(s.line == 7 and s.col == 5 and s.autocommit for s in steps)


def test_only_settings_and_validation_have_nothing_to_undo() -> None:
    assert has_nothing_to_undo("SET lock_timeout = '5s'; ALTER TABLE posts VALIDATE CONSTRAINT fk_p")
    assert has_nothing_to_undo("LOCK TABLE packages IN SHARE ROW EXCLUSIVE MODE; ANALYZE packages")
    assert not has_nothing_to_undo("LOCK TABLE packages; DELETE FROM packages")
    assert not has_nothing_to_undo("SET lock_timeout = '5s'; UPDATE users SET a = 1")
    assert not has_nothing_to_undo("ALTER TABLE users ADD CONSTRAINT uq UNIQUE USING INDEX uq")
    assert not has_nothing_to_undo(None)


def test_steps_round_trip_through_json() -> None:
    step = Step("alter_column", "users", "app", columns=("email",), nullable=False, old_type="TEXT", line=3, col=5)
    assert step_from_json(step_to_json(step)) == step
    for bad in ({"op": "nope"}, {"op": "data", "line": "3"}, {"op": "data", "extra": 1}, ["data"]):
        with pytest.raises(TypeError):
            step_from_json(bad)


MODELS_USING_NAME = """
import sqlalchemy as sa

metadata = sa.MetaData()
users = sa.Table("users", metadata, sa.Column("id", sa.Uuid(), primary_key=True), sa.Column("name", sa.String(100)))
"""


def test_check_with_models_reports_a_rename_the_models_still_use(tmp_path: Path) -> None:
    """End to end: ``check --metadata`` hands the models' tables and columns to the checker (AS1008)."""
    import subprocess
    import sys

    versions = tmp_path / "versions"
    shutil.copytree(FIXTURES / "AS1008", versions)
    (tmp_path / "using_name.py").write_text(MODELS_USING_NAME, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.alembic_standards]\nselect = ["AS1008"]\n', encoding="utf-8")
    cli = Path(sys.executable).parent / "alembic-standards"

    def check(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(cli), "check", "--no-cache", *extra, "versions"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )

    with_models = check("--metadata", "using_name:metadata")
    assert with_models.stdout.splitlines()[0] == (
        "versions/0002_change.py:24:5: AS1008 renames (to 'full_name') column users.name, which the running code "
        "still uses: split it into expand (add the new), deploy code that stops using the old, then contract (drop "
        "it) in a later revision"
    )
    assert with_models.returncode == 0, with_models.stderr  # a warning; the default fail_on is error
    without_models = check("--no-models")
    assert "AS1008" not in without_models.stdout
