"""The locks behind the safety rules (AS1001-AS1011), observed on a real PostgreSQL.

No lock behaviour here comes from documentation: every claim the rules make is measured on the
suite's PostgreSQL server, with the statements Alembic itself emits (``Operations`` on a
``MigrationContext`` bound to the connection), on a populated table, against a second connection
that writes to it.

What "blocks" means, measured three ways:

* **writers blocked**: a writer connection with ``lock_timeout = '200ms'`` inserts a row while the
  migration step holds its locks.  A step's locks are taken before its work and held until its
  transaction ends, so probing after the statement, before the commit, sees what a writer sees
  during the whole scan or rewrite.  Blocked = the writer gets ``lock_not_available`` (55P03).
* **table-sized work under the lock**: the rows the step read (``pg_stat_xact_user_tables``, the
  counters of the current transaction, read before and after the step) and whether it rewrote the
  table (``pg_class.relfilenode`` changed).  On a large table that work is what makes the lock long.
* **the lock mode**, from ``pg_locks`` for the migration's backend (recorded, asserted exactly).

The unsafe form of each rule holds a lock that blocks writers *while* doing table-sized work.  The
safe form splits it: brief steps that do no table-sized work (their lock lasts milliseconds, and
``lock_timeout`` bounds their wait: AS1009), and the long step done under a lock writers pass.
AS1008 and AS1011 are not about locks: their tests show the failure they prevent.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

pytestmark = pytest.mark.postgres

ROWS = 2_000
LOCK_TIMEOUT = "200ms"
LOCK_NOT_AVAILABLE = "55P03"
WRITE_BLOCKING_MODES = frozenset({"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"})
"""Table lock modes that conflict with the ROW EXCLUSIVE lock every INSERT/UPDATE/DELETE takes."""

Step = Callable[[Operations], None]


def _op(connection: Connection) -> Operations:
    return Operations(MigrationContext.configure(connection))


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None)


@pytest.fixture
def engine(pg_engine: Engine) -> Engine:
    """``customers`` and ``orders`` (an "existing" table: ROWS rows, ANALYZEd), nothing else."""
    with pg_engine.begin() as connection:
        for statement in (
            "CREATE TABLE customers (id bigint PRIMARY KEY)",
            f"INSERT INTO customers SELECT g FROM generate_series(1, {ROWS}) AS g",
            "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint, "
            "qty integer, code varchar(10), note text)",
            f"INSERT INTO orders (customer_id, qty, code) SELECT g, g, 'c' || g FROM generate_series(1, {ROWS}) AS g",
        ):
            connection.exec_driver_sql(statement)
    with pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE customers, orders")
    return pg_engine


# ------------------------------------------------------------------------------------ probes
def write(engine: Engine) -> bool:
    """One writer's INSERT into ``orders`` under a short lock_timeout: True done, False blocked."""
    with engine.connect() as connection:
        connection.exec_driver_sql(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        try:
            connection.exec_driver_sql("INSERT INTO orders (customer_id, qty, code) VALUES (1, 1, 'w')")
            connection.commit()
        except DBAPIError as exc:
            if _sqlstate(exc) != LOCK_NOT_AVAILABLE:
                raise
            connection.rollback()
            return False
    return True


@dataclass(frozen=True)
class Work:
    """Table-sized work a step did on ``orders``."""

    rows_read: int
    rewritten: bool


def _counters(connection: Connection) -> tuple[int, int]:
    row = connection.exec_driver_sql(
        "SELECT coalesce(s.seq_tup_read, 0) + coalesce(s.idx_tup_fetch, 0), c.relfilenode "
        "FROM pg_class c LEFT JOIN pg_stat_xact_user_tables s ON s.relid = c.oid WHERE c.oid = 'orders'::regclass"
    ).one()
    return int(row[0]), int(row[1])


@contextlib.contextmanager
def measured(connection: Connection) -> Iterator[list[Work]]:
    """The work done on ``orders`` by what runs in the block (same transaction, not committed)."""
    out: list[Work] = []
    read, node = _counters(connection)
    yield out
    read_after, node_after = _counters(connection)
    out.append(Work(rows_read=read_after - read, rewritten=node_after != node))


def table_locks(engine: Engine, pid: int) -> set[str]:
    """The lock modes backend ``pid`` holds on ``orders`` (seen from another connection)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT mode FROM pg_locks WHERE pid = :pid AND relation = 'orders'::regclass AND granted"),
            {"pid": pid},
        )
        return {row[0] for row in rows}


def _pid(connection: Connection) -> int:
    return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def wait_until_waiting(engine: Engine, pid: int, timeout: float = 10.0) -> None:
    """Until backend ``pid`` waits for a lock (a step queued behind, or waiting out, a writer)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            state = connection.execute(
                sa.text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar()
            connection.rollback()
            if state == "Lock":
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} never waited for a lock")


class Background:
    """A migration step run in a thread (it is expected to wait); its error re-raised on join."""

    def __init__(self, engine: Engine, step: Step, *, autocommit: bool) -> None:
        self.error: BaseException | None = None
        self.pid: int | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(engine, step, autocommit), daemon=True)

    def _run(self, engine: Engine, step: Step, autocommit: bool) -> None:
        try:
            connection = engine.connect()
            if autocommit:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            with connection:
                self.pid = _pid(connection)
                self._ready.set()
                step(_op(connection))
                if not autocommit:
                    connection.commit()
        except BaseException as exc:  # handed to the test thread in join()
            self.error = exc
        finally:
            self._ready.set()

    def start(self) -> int:
        self._thread.start()
        self._ready.wait(10)
        assert self.pid is not None, self.error
        return self.pid

    def join(self) -> None:
        self._thread.join(30)
        assert not self._thread.is_alive(), "the migration step never finished"
        if self.error is not None:
            raise self.error


@contextlib.contextmanager
def open_write(engine: Engine) -> Iterator[None]:
    """A writer whose transaction stays open (an uncommitted INSERT: ROW EXCLUSIVE on ``orders``)."""
    with engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO orders (customer_id, qty, code) VALUES (2, 2, 'open')")
        yield
        connection.commit()


# ------------------------------------------------------------------------------------ the forms
StepKind = Literal["brief", "long", "long-concurrent"]


@dataclass(frozen=True)
class SafeStep:
    kind: StepKind
    """brief: no table-sized work (its lock may block writers, for milliseconds); long: table-sized
    work in a transaction writers pass; long-concurrent: outside a transaction (CONCURRENTLY)."""
    run: Step


@dataclass(frozen=True)
class Case:
    rule: str
    unsafe: Step
    unsafe_lock: str
    """The strongest lock mode the unsafe form holds on ``orders`` (observed, asserted)."""
    safe: tuple[SafeStep, ...]
    done: str = ""
    """SQL returning true once the safe form reached the same end state as the unsafe one."""


def _validate(name: str) -> Step:
    return lambda op: op.execute(f"ALTER TABLE orders VALIDATE CONSTRAINT {name}")


def _backfill(op: Operations) -> None:
    # One batch of a batched backfill, in its own transaction (the safe form of AS1006/AS1010).
    op.execute("UPDATE orders SET note = 'n' || id WHERE id <= 500 AND note IS NULL")


def _add_and_backfill(op: Operations) -> None:
    op.add_column("orders", sa.Column("total", sa.Integer()))
    op.execute("UPDATE orders SET total = qty")


CASES = (
    Case(
        "AS1001",
        unsafe=lambda op: op.create_index("ix_orders_qty", "orders", ["qty"]),
        unsafe_lock="ShareLock",
        safe=(
            SafeStep(
                "long-concurrent",
                lambda op: op.create_index("ix_orders_qty", "orders", ["qty"], postgresql_concurrently=True),
            ),
        ),
        done="SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_orders_qty'::regclass",
    ),
    Case(
        "AS1002",
        unsafe=lambda op: op.create_foreign_key(
            "fk_orders_customer_id_customers", "orders", "customers", ["customer_id"], ["id"]
        ),
        unsafe_lock="ShareRowExclusiveLock",
        safe=(
            SafeStep(
                "brief",
                lambda op: op.create_foreign_key(
                    "fk_orders_customer_id_customers",
                    "orders",
                    "customers",
                    ["customer_id"],
                    ["id"],
                    postgresql_not_valid=True,
                ),
            ),
            SafeStep("long", _validate("fk_orders_customer_id_customers")),
        ),
        done="SELECT convalidated FROM pg_constraint WHERE conname = 'fk_orders_customer_id_customers'",
    ),
    Case(
        "AS1003",
        unsafe=lambda op: op.create_check_constraint("ck_orders_qty", "orders", "qty >= 0"),
        unsafe_lock="AccessExclusiveLock",
        safe=(
            SafeStep(
                "brief",
                lambda op: op.create_check_constraint("ck_orders_qty", "orders", "qty >= 0", postgresql_not_valid=True),
            ),
            SafeStep("long", _validate("ck_orders_qty")),
        ),
        done="SELECT convalidated FROM pg_constraint WHERE conname = 'ck_orders_qty'",
    ),
    Case(
        "AS1004",
        unsafe=lambda op: op.create_unique_constraint("uq_orders_code", "orders", ["code"]),
        unsafe_lock="AccessExclusiveLock",
        safe=(
            SafeStep(
                "long-concurrent",
                lambda op: op.create_index(
                    "uq_orders_code", "orders", ["code"], unique=True, postgresql_concurrently=True
                ),
            ),
            SafeStep(
                "brief",
                lambda op: op.execute(
                    "ALTER TABLE orders ADD CONSTRAINT uq_orders_code UNIQUE USING INDEX uq_orders_code"
                ),
            ),
        ),
        done="SELECT count(*) = 1 FROM pg_constraint WHERE conname = 'uq_orders_code' AND contype = 'u'",
    ),
    Case(
        "AS1005",
        unsafe=lambda op: op.alter_column("orders", "qty", nullable=False),
        unsafe_lock="AccessExclusiveLock",
        safe=(
            SafeStep(
                "brief",
                lambda op: op.create_check_constraint(
                    "ck_orders_qty_not_null", "orders", "qty IS NOT NULL", postgresql_not_valid=True
                ),
            ),
            SafeStep("long", _validate("ck_orders_qty_not_null")),
            # PostgreSQL 12+: a valid CHECK (qty IS NOT NULL) proves the column, so no scan here.
            SafeStep("brief", lambda op: op.alter_column("orders", "qty", nullable=False)),
            SafeStep("brief", lambda op: op.drop_constraint("ck_orders_qty_not_null", "orders", type_="check")),
        ),
        done="SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'qty'",
    ),
    Case(
        "AS1006",
        unsafe=lambda op: op.add_column(
            "orders", sa.Column("token", sa.Uuid(), server_default=sa.text("gen_random_uuid()"))
        ),
        unsafe_lock="AccessExclusiveLock",
        safe=(
            SafeStep("brief", lambda op: op.add_column("orders", sa.Column("token", sa.Uuid()))),
            SafeStep(
                "brief", lambda op: op.alter_column("orders", "token", server_default=sa.text("gen_random_uuid()"))
            ),
            SafeStep("long", lambda op: op.execute("UPDATE orders SET token = gen_random_uuid() WHERE id <= 500")),
        ),
        done="SELECT count(*) = 500 FROM orders WHERE id <= 500 AND token IS NOT NULL",
    ),
    Case(
        "AS1007",
        unsafe=lambda op: op.alter_column("orders", "qty", type_=sa.BigInteger(), existing_type=sa.Integer()),
        unsafe_lock="AccessExclusiveLock",
        # Widening a varchar (or varchar -> text) changes the catalogue only.
        safe=(
            SafeStep(
                "brief", lambda op: op.alter_column("orders", "code", type_=sa.String(20), existing_type=sa.String(10))
            ),
            SafeStep(
                "brief", lambda op: op.alter_column("orders", "code", type_=sa.Text(), existing_type=sa.String(20))
            ),
        ),
        done="SELECT atttypid = 'text'::regtype FROM pg_attribute WHERE attrelid = 'orders'::regclass "
        "AND attname = 'code'",
    ),
    Case(
        "AS1010",
        # Schema change and backfill in one transaction: the ALTER's ACCESS EXCLUSIVE lock is held
        # for the whole backfill.
        unsafe=_add_and_backfill,
        unsafe_lock="AccessExclusiveLock",
        safe=(
            SafeStep("brief", lambda op: op.add_column("orders", sa.Column("total", sa.Integer()))),
            SafeStep("long", lambda op: op.execute("UPDATE orders SET total = qty WHERE id <= 500")),
        ),
        done="SELECT count(*) = 500 FROM orders WHERE total IS NOT NULL",
    ),
)


def _case_id(case: Case) -> str:
    return case.rule


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_unsafe_form_blocks_writers_while_it_works(engine: Engine, case: Case) -> None:
    with engine.connect() as migration:
        pid = _pid(migration)
        with measured(migration) as work:
            case.unsafe(_op(migration))
        # Still inside the migration's transaction, as during the work itself.
        held = table_locks(engine, pid)
        blocked = not write(engine)
        migration.rollback()
    assert case.unsafe_lock in held
    assert held & WRITE_BLOCKING_MODES
    assert blocked, f"{case.rule}: a writer got through the unsafe form's {sorted(held)}"
    assert work[0].rewritten or work[0].rows_read >= ROWS, f"{case.rule}: no table-sized work: {work[0]}"
    assert write(engine)  # and once it is over, writers pass again


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_safe_form_lets_writers_through(engine: Engine, case: Case) -> None:
    for number, step in enumerate(case.safe, start=1):
        where = f"{case.rule} step {number} ({step.kind})"
        if step.kind == "brief":
            with engine.connect() as migration:
                with measured(migration) as work:
                    step.run(_op(migration))
                migration.commit()
            assert work[0] == Work(rows_read=0, rewritten=False), f"{where}: table-sized work under its lock"
        elif step.kind == "long":
            with engine.connect() as migration:
                pid = _pid(migration)
                step.run(_op(migration))
                held = table_locks(engine, pid)
                passed = write(engine)
                migration.commit()
            assert passed, f"{where}: a writer was blocked by {sorted(held)}"
            assert not held & WRITE_BLOCKING_MODES, f"{where}: {sorted(held)}"
        else:
            # CONCURRENTLY waits for the writers already running; while it waits -- and builds --
            # new writers pass.
            with open_write(engine):
                background = Background(engine, step.run, autocommit=True)
                pid = background.start()
                wait_until_waiting(engine, pid)
                held = table_locks(engine, pid)
                passed = write(engine)
            background.join()
            assert passed, f"{where}: a writer was blocked by {sorted(held)}"
            assert held == {"ShareUpdateExclusiveLock"}, f"{where}: {sorted(held)}"
    with engine.connect() as connection:
        assert connection.exec_driver_sql(case.done).scalar_one() is True


# ------------------------------------------------------------------------------------ AS1009
def _add_column(op: Operations) -> None:
    op.add_column("orders", sa.Column("flag", sa.Boolean()))


def _add_column_with_lock_timeout(op: Operations) -> None:
    op.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    _add_column(op)


def test_without_lock_timeout_a_brief_step_queues_and_blocks_every_writer(engine: Engine) -> None:
    """Even a step with no table-sized work (ADD COLUMN, no default) needs ACCESS EXCLUSIVE: behind
    one long-running writer it waits, and every writer after it queues behind it."""
    with open_write(engine):
        background = Background(engine, _add_column, autocommit=False)
        wait_until_waiting(engine, background.start())
        blocked = not write(engine)
    background.join()
    assert blocked


def test_with_lock_timeout_the_step_gives_up_and_writers_pass(engine: Engine) -> None:
    with open_write(engine):
        started = time.monotonic()
        with engine.connect() as migration, pytest.raises(DBAPIError) as raised:
            _add_column_with_lock_timeout(_op(migration))
        waited = time.monotonic() - started
        passed = write(engine)
    assert _sqlstate(raised.value) == LOCK_NOT_AVAILABLE
    assert waited < 5  # gave up after its lock_timeout (200 ms), retryable, instead of queueing
    assert passed
    # Once the long writer is gone, the same revision goes through.
    with engine.connect() as migration:
        _add_column_with_lock_timeout(_op(migration))
        migration.commit()


# ------------------------------------------------------------------------------------ AS1008
def _rename_column(op: Operations) -> None:
    op.alter_column("orders", "code", new_column_name="reference")


def _drop_column(op: Operations) -> None:
    op.drop_column("orders", "code")


def _rename_table(op: Operations) -> None:
    op.rename_table("orders", "purchases")


def _drop_table(op: Operations) -> None:
    op.drop_table("orders")


@pytest.mark.parametrize("step", [_rename_column, _drop_column, _rename_table, _drop_table], ids=lambda s: s.__name__)
def test_breaking_change_fails_the_code_already_running(engine: Engine, step: Step) -> None:
    """AS1008 is not about locks: the code deployed before the revision still reads ``orders.code``,
    and from the moment the revision commits its query fails."""
    query = "SELECT code FROM orders WHERE id = 1"
    with engine.connect() as application:
        assert application.exec_driver_sql(query).scalar_one() == "c1"
        application.rollback()
        with engine.begin() as migration:
            step(_op(migration))
        with pytest.raises(DBAPIError) as raised:
            application.exec_driver_sql(query)
    assert _sqlstate(raised.value) in {"42703", "42P01"}  # undefined_column, undefined_table


def test_expand_step_keeps_the_running_code_working(engine: Engine) -> None:
    """The safe split: expand (add the new column) leaves the old code's query working; the
    contract (drop ``code``) waits for a later revision, once no running code reads it."""
    query = "SELECT code FROM orders WHERE id = 1"
    with engine.begin() as migration:
        _op(migration).add_column("orders", sa.Column("reference", sa.String(10)))
    with engine.connect() as application:
        assert application.exec_driver_sql(query).scalar_one() == "c1"


# ------------------------------------------------------------------------------------ AS1011
def test_not_null_column_without_default_fails_on_a_table_with_rows(engine: Engine) -> None:
    """AS1011 is not about locks: the revision fails on any non-empty table (and only there, so
    it passes on a developer's empty database)."""
    with engine.connect() as migration, pytest.raises(DBAPIError) as raised:
        _op(migration).add_column("orders", sa.Column("priority", sa.Integer(), nullable=False))
    assert _sqlstate(raised.value) == "23502"  # not_null_violation
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE empty_orders (id bigint PRIMARY KEY)")
        _op(connection).add_column("empty_orders", sa.Column("priority", sa.Integer(), nullable=False))


def test_not_null_column_with_a_constant_default_needs_no_rewrite(engine: Engine) -> None:
    """The safe form of AS1011 (a server default) works on the populated table, and a constant
    default costs no rewrite (PostgreSQL 11+), unlike the volatile one of AS1006."""
    with engine.connect() as migration:
        with measured(migration) as work:
            _op(migration).add_column(
                "orders", sa.Column("priority", sa.Integer(), nullable=False, server_default=sa.text("0"))
            )
        migration.commit()
    assert work[0] == Work(rows_read=0, rewritten=False)


# ------------------------------------------------------------------------------------ AS1009, concurrent drops
def _drop_index_concurrently(op: Operations) -> None:
    op.execute("SET lock_timeout = 0")  # a pooled session may hold write()'s short one
    op.drop_index("ix_orders_code", table_name="orders", if_exists=True, postgresql_concurrently=True)


def _drop_index_plainly(op: Operations) -> None:
    op.execute("SET lock_timeout = 0")  # a pooled session may hold write()'s short one
    op.drop_index("ix_orders_code", table_name="orders")


def test_a_concurrent_index_drop_waiting_for_a_writer_blocks_no_other_writer(engine: Engine) -> None:
    """Why AS1009 does not ask a lock timeout of ``DROP INDEX CONCURRENTLY`` (Polar drops an INVALID
    leftover that way before rebuilding): behind a running writer it waits holding SHARE UPDATE
    EXCLUSIVE only, and new writers pass it.  A plain ``DROP INDEX`` there blocks them all."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX ix_orders_code ON orders (code)")
    with open_write(engine):
        background = Background(engine, _drop_index_concurrently, autocommit=True)
        pid = background.start()
        wait_until_waiting(engine, pid)
        held = table_locks(engine, pid)
        passed = write(engine)
    background.join()
    assert held == {"ShareUpdateExclusiveLock"}, sorted(held)
    assert passed, f"a writer was blocked by {sorted(held)}"
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT to_regclass('ix_orders_code')").scalar_one() is None
    # The plain form, for contrast: it queues for ACCESS EXCLUSIVE and every writer queues behind it.
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX ix_orders_code ON orders (code)")
    with open_write(engine):
        background = Background(engine, _drop_index_plainly, autocommit=False)
        wait_until_waiting(engine, background.start())
        blocked = not write(engine)
    background.join()
    assert blocked
