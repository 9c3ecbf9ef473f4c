"""``safe_migrations = true``: autogenerate writes the lock-safe forms on existing PostgreSQL tables.

Each safe form is asserted as exact rendered text (tables made existing by a first revision),
then run upgrade -> downgrade -> upgrade on PostgreSQL; the "done when" of issue 13 runs the
generated revision against a populated table while a second connection keeps writing.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import render_python_code
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from autogen_support import Project

import alembic_standards
from alembic_standards.compat import alembic_version
from alembic_standards.config import Config, load_config
from alembic_standards.directives import SAFE_RENDERING_SINCE
from alembic_standards.findings import Severity, StandardsError
from alembic_standards.migrations import check_migrations
from alembic_standards.naming import NamingConvention
from alembic_standards.rules import RULES, resolve_rule_ids
from alembic_standards.safe_forms import safe_form


def config(**kw: object) -> Config:
    kw.setdefault("safe_migrations", True)
    return Config(**kw)  # type: ignore[arg-type]


HOOK = True


def project_of(tmp_path: Path, url: str, **kw: object) -> Project:
    """A project with the plugin and the revision hook, ``safe_migrations`` on (unless ``kw`` says otherwise)."""
    options = {"process_revision_directives": alembic_standards.process_revision_directives} if HOOK else {}
    return Project(tmp_path, url, config=config(**kw), extra_options=options)


def models(*, safe_step: bool) -> sa.MetaData:
    """``orders`` exists (first revision); the second adds an FK (and its index), a unique and a NOT NULL."""
    md = sa.MetaData()
    sa.Table("customers", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "orders",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id") if safe_step else None, nullable=True),
        sa.Column("code", sa.String(20), nullable=not safe_step, unique=safe_step),
        sa.Column("amount", sa.Integer, nullable=True),
    )
    return md


# ---------------------------------------------------------------------------------------------
# Done when: 100,000 rows, concurrent writes
# ---------------------------------------------------------------------------------------------

ROWS = 100_000


@dataclass
class Writer:
    """A second connection inserting and updating ``orders`` in a loop, timing every statement."""

    url: str
    stop: threading.Event = field(default_factory=threading.Event)
    done: list[tuple[float, float]] = field(default_factory=list)  # (start, end) per statement
    errors: list[BaseException] = field(default_factory=list)

    def run(self) -> None:
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                n = 0
                while not self.stop.is_set():
                    n += 1
                    start = time.perf_counter()
                    if n % 2:
                        conn.execute(
                            sa.text("INSERT INTO orders (customer_id, code, amount) VALUES (:c, :code, 1)"),
                            {"c": n % 1000 + 1, "code": f"w{n}"},
                        )
                    else:
                        conn.execute(
                            sa.text("UPDATE orders SET amount = amount + 1 WHERE id = :id"), {"id": n % ROWS + 1}
                        )
                    self.done.append((start, time.perf_counter()))
        except BaseException as exc:  # reported by the test, never swallowed
            self.errors.append(exc)
        finally:
            engine.dispose()


def populate(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO customers (id) SELECT generate_series(1, 1000)"))
        conn.execute(
            sa.text(
                "INSERT INTO orders (id, customer_id, code, amount) "
                "SELECT i, i % 1000 + 1, 'c' || i, 0 FROM generate_series(1, :n) AS i"
            ),
            {"n": ROWS},
        )
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('orders', 'id'), :n)"), {"n": ROWS})
        conn.execute(sa.text("ANALYZE orders"))
    engine.dispose()


def test_safe_revision_runs_on_a_populated_table_while_writes_continue(tmp_path: Path, pg_url: str) -> None:
    project = project_of(tmp_path, pg_url)
    project.revision(models(safe_step=False))
    project.upgrade(models(safe_step=False))
    populate(pg_url)
    revision = project.revision(models(safe_step=True))
    assert "postgresql_not_valid=True" in revision.upgrade
    assert "USING INDEX" in revision.upgrade

    writer = Writer(pg_url)
    thread = threading.Thread(target=writer.run)
    thread.start()
    try:
        time.sleep(0.3)  # the writer is running before the migration starts
        began = time.perf_counter()
        project.upgrade(models(safe_step=True))
        ended = time.perf_counter()
        time.sleep(0.3)
    finally:
        writer.stop.set()
        thread.join(timeout=30)
    assert not writer.errors, writer.errors
    took = ended - began
    before = sum(1 for s, e in writer.done if e <= began) / (began - writer.done[0][0])
    during = sum(1 for s, e in writer.done if s >= began and e <= ended) / took
    longest = max(e - s for s, e in writer.done)
    # Time inside the upgrade that the writer spent in statements slower than 50 ms (waiting).
    blocked = sum(max(0.0, min(e, ended) - max(s, began)) for s, e in writer.done if e - s > 0.05)
    print(
        f"upgrade {took:.2f}s; writes/s before {before:.0f}, during {during:.0f}; "
        f"longest write {longest * 1000:.0f} ms; waits over 50 ms: {blocked:.2f}s in all"
    )
    assert longest < 1.0, f"a write waited {longest:.2f}s"
    # Progress: the blocking forms hold the writer for most of the upgrade (measured: 20 writes/s
    # during it against 400/s before, one write waiting 650 ms; the safe forms: 450/s, 16 ms).
    assert blocked < took / 2, f"the writer waited {blocked:.2f}s of the {took:.2f}s upgrade"
    assert during > before / 10, f"{during:.0f} writes/s during the upgrade, {before:.0f}/s before"

    engine = sa.create_engine(pg_url)
    with engine.connect() as conn:
        constraints = conn.execute(
            sa.text(
                "SELECT conname, contype, convalidated FROM pg_constraint "
                "WHERE conrelid = 'orders'::regclass ORDER BY conname"
            )
        ).all()
        nullable = conn.execute(
            sa.text(
                "SELECT is_nullable FROM information_schema.columns "
                "WHERE table_name = 'orders' AND column_name = 'code'"
            )
        ).scalar_one()
        indexes = conn.execute(
            sa.text(
                "SELECT indexrelid::regclass::text, indisvalid FROM pg_index "
                "WHERE indrelid = 'orders'::regclass ORDER BY 1"
            )
        ).all()
    engine.dispose()
    assert [tuple(c) for c in constraints] == [
        ("fk_orders_customer_id", "f", True),
        ("pk_orders", "p", True),
        ("uq_orders_code", "u", True),
    ]
    assert nullable == "NO"
    assert [tuple(i) for i in indexes] == [
        ("idx_orders_customer_id", True),
        ("pk_orders", True),
        ("uq_orders_code", True),
    ]
    project.check(models(safe_step=True))


# ---------------------------------------------------------------------------------------------
# Exact text, both ways, on PostgreSQL
# ---------------------------------------------------------------------------------------------

SAFE_UPGRADE = """\
op.execute("SET lock_timeout = '5s'")
op.execute('ALTER TABLE orders ADD CONSTRAINT ck_orders_code_not_null CHECK (code IS NOT NULL) NOT VALID')
with op.get_context().autocommit_block():
    op.execute('ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_code_not_null')

op.alter_column('orders', 'code',
           existing_type=sa.VARCHAR(length=20),
           nullable=False)
op.execute('ALTER TABLE orders DROP CONSTRAINT ck_orders_code_not_null')
with op.get_context().autocommit_block():
    op.create_index(op.f('uq_orders_code'), 'orders', ['code'], unique=True, postgresql_concurrently=True)

op.execute('ALTER TABLE orders ADD CONSTRAINT uq_orders_code UNIQUE USING INDEX uq_orders_code')
op.create_foreign_key(op.f('fk_orders_customer_id'), 'orders', 'customers', ['customer_id'], ['id'], \
postgresql_not_valid=True)
with op.get_context().autocommit_block():
    op.execute('ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_customer_id')

with op.get_context().autocommit_block():
    op.create_index(op.f('idx_orders_customer_id'), 'orders', ['customer_id'], unique=False, \
postgresql_concurrently=True)"""

SAFE_DOWNGRADE = """\
op.execute("SET lock_timeout = '5s'")
with op.get_context().autocommit_block():
    op.drop_index(op.f('idx_orders_customer_id'), table_name='orders', postgresql_concurrently=True)

op.drop_constraint(op.f('fk_orders_customer_id'), 'orders', type_='foreignkey')
op.execute('ALTER TABLE orders DROP CONSTRAINT uq_orders_code')
op.alter_column('orders', 'code',
           existing_type=sa.VARCHAR(length=20),
           nullable=True)"""


def test_safe_forms_on_existing_tables_exact_text_and_round_trip(tmp_path: Path, pg_url: str) -> None:
    project = project_of(tmp_path, pg_url)
    first = project.revision(models(safe_step=False))
    # Tables created by the revision itself are new: none of the safe forms, no lock_timeout.
    assert "lock_timeout" not in first.upgrade and "autocommit" not in first.upgrade
    project.upgrade(models(safe_step=False))
    revision = project.revision(models(safe_step=True))
    assert revision.upgrade == SAFE_UPGRADE
    assert revision.downgrade == SAFE_DOWNGRADE
    project.round_trip(models(safe_step=True))
    project.check(models(safe_step=True))
    assert project.revision(models(safe_step=True)).upgrade == "pass"


def test_generated_revision_passes_the_static_checker(tmp_path: Path, pg_url: str) -> None:
    """Zero AS10xx findings, and no AS702/AS703: only AS704 (the raw SQL steps, informational)."""
    project = project_of(tmp_path, pg_url)
    project.revision(models(safe_step=False))
    project.upgrade(models(safe_step=False))
    revision = project.revision(models(safe_step=True))
    report = check_migrations([revision.path.parent], Config(), cache=False)
    mine = [f for f in report.findings if f.location.path == revision.path]
    assert [f for f in mine if f.rule_id.startswith("AS10") or f.rule_id in ("AS702", "AS703")] == []
    assert [f.rule_id for f in mine if f.severity is Severity.ERROR] == []


def test_a_check_constraint_is_added_not_valid_then_validated() -> None:
    """Alembic does not autogenerate CHECKs on existing tables; a comparator may: the form it gets."""
    context = MigrationContext.configure(dialect_name="postgresql", opts={"target_metadata": sa.MetaData()})
    op = ops.CreateCheckConstraintOp("ck_orders_amount", "orders", "amount >= 0", schema="shop")
    safe = safe_form(op, NamingConvention())
    text = render_python_code(ops.UpgradeOps([safe]), migration_context=context)
    assert [line.strip() for line in text.strip().splitlines()] == [
        "# ### commands auto generated by Alembic - please adjust! ###",
        "op.create_check_constraint('ck_orders_amount', 'orders', 'amount >= 0', schema='shop', "
        "postgresql_not_valid=True)",
        "with op.get_context().autocommit_block():",
        "op.execute('ALTER TABLE shop.orders VALIDATE CONSTRAINT ck_orders_amount')",
        "",
        "# ### end Alembic commands ###",
    ]
    assert type(safe.reverse()) is ops.DropConstraintOp
    # An unnamed CHECK cannot be validated by name: left as it is (the revision hook reports it).
    unnamed = ops.CreateCheckConstraintOp(None, "orders", "amount >= 0")
    assert safe_form(unnamed, NamingConvention()) is unnamed


def test_identifiers_in_raw_sql_are_quoted_by_postgresql() -> None:
    context = MigrationContext.configure(dialect_name="postgresql", opts={"target_metadata": sa.MetaData()})
    op = ops.AlterColumnOp("Order Lines", "user", existing_nullable=True, modify_nullable=False)
    text = render_python_code(ops.UpgradeOps([safe_form(op, NamingConvention())]), migration_context=context)
    assert (
        """op.execute('ALTER TABLE "Order Lines" ADD CONSTRAINT "ck_Order Lines_user_not_null" CHECK ("user" """
        """IS NOT NULL) NOT VALID')""" in text
    )


# ---------------------------------------------------------------------------------------------
# What has no safe form: refused, nothing written
# ---------------------------------------------------------------------------------------------


def dropped_models() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("customers", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "orders",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, nullable=True),
        sa.Column("code", sa.String(20), nullable=True),
        # "amount" dropped; two columns added that no safe form can make harmless
        sa.Column("token", sa.Uuid, server_default=sa.text("gen_random_uuid()"), nullable=True),
        sa.Column("region", sa.String(8), nullable=False),
    )
    return md


REFUSAL = [
    "alembic-standards refused the revision: safe_migrations is on, and these steps on existing tables have "
    "no lock-safe form the plugin can write:",
    "  revision r002 ('step'): AS1006 adds column orders.token with a volatile default (gen_random_uuid()) to an "
    "existing table: the table is rewritten under an ACCESS EXCLUSIVE lock; add the column without a default, set "
    "the default, then backfill in batches",
    "  revision r002 ('step'): AS1008 drops column orders.amount, which the running code still uses: split it into "
    "expand (add the new), deploy code that stops using the old, then contract (drop it) in a later revision",
    "  revision r002 ('step'): AS1011 adds NOT NULL column orders.region without a server default to an existing "
    "table: it fails on any table with rows; add it nullable (or with a server_default), backfill, then set NOT NULL",
]


@pytest.mark.skipif(
    alembic_version() >= SAFE_RENDERING_SINCE, reason="runs where Alembic cannot render the safe forms (< 1.16)"
)
def test_safe_migrations_refuses_an_alembic_that_drops_not_valid(tmp_path: Path, pg_url: str) -> None:
    """Alembic < 1.16 writes create_foreign_key() without postgresql_not_valid: refused, never a
    blocking form passed off as safe (CI's oldest row runs this)."""
    project = project_of(tmp_path, pg_url)
    with pytest.raises(CommandError, match=r"safe_migrations needs Alembic 1\.16 or later; Alembic 1\."):
        project.revision(models(safe_step=False))
    assert list((tmp_path / "migrations" / "versions").glob("*.py")) == []


def test_steps_without_a_safe_form_are_refused_and_nothing_is_written(tmp_path: Path, pg_url: str) -> None:
    project = project_of(tmp_path, pg_url)
    project.revision(models(safe_step=False))
    project.upgrade(models(safe_step=False))
    with pytest.raises(CommandError) as info:
        project.revision(dropped_models())
    lines = str(info.value).splitlines()
    assert lines[: len(REFUSAL)] == REFUSAL
    assert lines[-1].startswith("A drop or rename (AS1008) is split across releases: keep the table or column")
    assert sorted(p.name for p in (tmp_path / "migrations" / "versions").glob("*.py")) == ["r001_step.py"]


def test_unsafe_reason_lets_the_revision_through(tmp_path: Path, pg_url: str) -> None:
    project = project_of(tmp_path, pg_url)
    project.revision(models(safe_step=False))
    project.upgrade(models(safe_step=False))
    cfg = project.alembic_config(dropped_models())
    cfg.attributes["unsafe"] = "  "
    with pytest.raises(CommandError, match=r"^alembic-standards: -x unsafe needs a reason"):
        command.revision(cfg, message="contract", autogenerate=True, rev_id="r002")
    cfg.attributes["unsafe"] = "contract: release 4.2 no longer reads orders.amount"
    command.revision(cfg, message="contract", autogenerate=True, rev_id="r002")
    written = next((tmp_path / "migrations" / "versions").glob("r002_*.py")).read_text()
    assert "op.drop_column('orders', 'amount')" in written


def test_rules_switched_off_are_not_refused(tmp_path: Path, pg_url: str) -> None:
    enabled = frozenset(RULES) - resolve_rule_ids(["AS1006", "AS1008", "AS1011"])
    project = project_of(tmp_path, pg_url, enabled=enabled)
    project.revision(models(safe_step=False))
    project.upgrade(models(safe_step=False))
    assert "op.drop_column('orders', 'amount')" in project.revision(dropped_models()).upgrade


# ---------------------------------------------------------------------------------------------
# Off, and other dialects
# ---------------------------------------------------------------------------------------------


def test_off_by_default_nothing_changes(tmp_path: Path, pg_url: str) -> None:
    project = project_of(tmp_path, pg_url, safe_migrations=False)
    project.revision(models(safe_step=False))
    project.upgrade(models(safe_step=False))
    upgrade = project.revision(models(safe_step=True)).upgrade
    assert "not_valid" not in upgrade and "lock_timeout" not in upgrade and "USING INDEX" not in upgrade
    assert "op.create_unique_constraint(op.f('uq_orders_code'), 'orders', ['code'])" in upgrade
    # The blocking forms, which the static checker reports (the safe revision above has none of these).
    report = check_migrations([tmp_path / "migrations" / "versions"], Config(), cache=False)
    assert sorted(f.rule_id for f in report.findings if f.rule_id.startswith("AS10")) == [
        "AS1001",
        "AS1002",
        "AS1004",
        "AS1005",
        "AS1009",
    ]
    # ...and the hook refuses nothing: the static checker reports the AS10xx steps instead.
    project.downgrade(models(safe_step=True), "r001")
    (tmp_path / "migrations" / "versions" / "r002_step.py").unlink()
    assert "op.drop_column('orders', 'amount')" in project.revision(dropped_models()).upgrade


def test_sqlite_is_left_alone(tmp_path: Path, sqlite_url: str) -> None:
    project = project_of(tmp_path, sqlite_url)
    project.revision(models(safe_step=False))
    project.upgrade(models(safe_step=False))
    upgrade = project.revision(models(safe_step=True)).upgrade
    assert "not_valid" not in upgrade and "lock_timeout" not in upgrade and "autocommit" not in upgrade
    assert "batch_op.create_unique_constraint(batch_op.f('uq_orders_code'), ['code'])" in upgrade


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------


def test_config_key(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.alembic_standards]\nsafe_migrations = true\n")
    loaded = load_config(pyproject)
    assert loaded.safe_migrations and loaded.indexes_concurrently and not loaded.concurrent_indexes
    assert not Config().safe_migrations and not Config().indexes_concurrently
    pyproject.write_text("[tool.alembic_standards]\nconcurrent_indexes = false\nsafe_migrations = true\n")
    with pytest.raises(StandardsError) as info:
        load_config(pyproject)
    assert str(info.value) == (
        f"{pyproject}:2: [tool.alembic_standards] concurrent_indexes: concurrent_indexes = false contradicts "
        "safe_migrations = true (which builds indexes concurrently)\n  hint: remove concurrent_indexes"
    )
    pyproject.write_text("[tool.alembic_standards]\nsafe_migrations = 'yes'\n")
    with pytest.raises(StandardsError, match="safe_migrations"):
        load_config(pyproject)


def test_batch_mode_on_postgresql_keeps_autocommit_blocks_out_of_batch_blocks(tmp_path: Path, pg_url: str) -> None:
    """``render_as_batch=True`` on PostgreSQL: a batch defers its ops to the end of the block, so an
    autocommit block inside it would run outside its place; the safe forms stand at the top level."""
    project = project_of(tmp_path, pg_url)
    env = tmp_path / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace('render_as_batch=connection.dialect.name == "sqlite"', "render_as_batch=True")
    )
    project.revision(models(safe_step=False))
    project.upgrade(models(safe_step=False))
    upgrade = project.revision(models(safe_step=True)).upgrade
    assert upgrade.splitlines()[:7] == [
        "op.execute(\"SET lock_timeout = '5s'\")",
        "op.execute('ALTER TABLE orders ADD CONSTRAINT ck_orders_code_not_null CHECK (code IS NOT NULL) NOT VALID')",
        "with op.get_context().autocommit_block():",
        "    op.execute('ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_code_not_null')",
        "",
        "op.alter_column('orders', 'code',",
        "           existing_type=sa.VARCHAR(length=20),",
    ]
    assert "batch_op" not in upgrade
    project.round_trip(models(safe_step=True))


def test_lock_timeout_opens_the_first_template_section() -> None:
    """The spec's template renders sections; ``SET lock_timeout`` (raw SQL, i.e. data) stays on top."""
    from alembic_standards.autogenerate import CreateIndexConcurrentlyOp
    from alembic_standards.directives import _partition
    from alembic_standards.layout import Section
    from alembic_standards.safe_forms import SetLockTimeoutOp

    timeout = SetLockTimeoutOp()
    column = ops.ModifyTableOps("orders", [ops.AddColumnOp("orders", sa.Column("note", sa.Text()))])
    index = CreateIndexConcurrentlyOp("idx_orders_note", "orders", ["note"])
    order = (Section.TABLES, Section.INDEXES, Section.DATA)
    assert _partition([timeout, column, index], order) == [
        (Section.TABLES, [timeout, column]),
        (Section.INDEXES, [index]),
    ]
    assert _partition([timeout, index], order) == [(Section.INDEXES, [timeout, index])]


def test_alembic_check_reports_the_safe_forms_as_drift(tmp_path: Path, pg_url: str) -> None:
    """``alembic check`` runs the comparators too: the safe forms must describe themselves (``to_diff_tuple``)."""
    project = project_of(tmp_path, pg_url)
    project.revision(models(safe_step=False))
    project.upgrade(models(safe_step=False))
    with pytest.raises(CommandError) as info:
        project.check(models(safe_step=True))
    message = str(info.value)
    assert message.startswith("New upgrade operations detected: [")
    for kind in ("'modify_nullable'", "'add_constraint'", "'add_fk'", "'add_index'"):
        assert kind in message
