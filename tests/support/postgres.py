"""A throwaway PostgreSQL server for the test suite (and the benchmarks).

Why not Docker or testcontainers: CI machines here have no Docker engine, but they do have the
PostgreSQL binaries.  ``initdb`` refuses to run as root, so when the tests run as root (as CI does)
the server is initialised and run as the unprivileged ``nobody`` user, through
``subprocess.run(user=...)``.  The cluster lives in a temporary directory, listens on 127.0.0.1 on
a free port, keeps its socket in that directory, runs with ``fsync=off`` and is removed on stop.

The binaries are found through ``ALEMBIC_STANDARDS_PG_BIN``, ``pg_config --bindir``, the newest
``/usr/lib/postgresql/*/bin`` or ``initdb`` on ``PATH`` -- unless ``ALEMBIC_STANDARDS_NO_POSTGRES``
is set, which makes the harness see none (the proof that the fast layer needs no PostgreSQL).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "NO_POSTGRES_ENV",
    "PostgresServer",
    "PostgresUnavailable",
    "create_database",
    "drop_database",
    "find_pg_bin",
    "no_postgres",
]

NO_POSTGRES_ENV = "ALEMBIC_STANDARDS_NO_POSTGRES"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be found or started; the message says why."""


def no_postgres() -> bool:
    """True when ``ALEMBIC_STANDARDS_NO_POSTGRES`` is set (to anything but empty or ``0``)."""
    return os.environ.get(NO_POSTGRES_ENV, "") not in ("", "0")


def find_pg_bin() -> Path | None:
    if no_postgres():
        return None
    explicit = os.environ.get("ALEMBIC_STANDARDS_PG_BIN")
    if explicit:
        return Path(explicit)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
            if (Path(out) / "initdb").exists():
                return Path(out)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for candidate in reversed(candidates):
        if (candidate / "initdb").exists():
            return candidate
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """Start with :meth:`start`, stop with :meth:`stop` (or use as a context manager)."""

    bindir: Path | None = None
    port: int = 0
    _tmp: Path | None = field(default=None, init=False)
    _run_as: tuple[int, int] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` maintenance database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *cmd: str | Path) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self._run_as is not None:
            kwargs["user"], kwargs["group"] = self._run_as
            kwargs["extra_groups"] = []
        return subprocess.run(
            [str(c) for c in cmd],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            **kwargs,  # type: ignore[call-overload]
        )

    def start(self) -> PostgresServer:
        bindir = self.bindir or find_pg_bin()
        if bindir is None or not (bindir / "initdb").exists():
            raise PostgresUnavailable(
                "PostgreSQL binaries not found (install PostgreSQL, set ALEMBIC_STANDARDS_PG_BIN, "
                "or point ALEMBIC_STANDARDS_TEST_DATABASE_URL at a server)"
            )
        self.bindir = bindir
        self._tmp = Path(tempfile.mkdtemp(prefix="alembic-standards-pg-"))
        data = self._tmp / "data"
        data.mkdir()
        if os.geteuid() == 0:
            # initdb refuses root: run the cluster as nobody.
            user = pwd.getpwnam("nobody")
            self._run_as = (user.pw_uid, user.pw_gid)
            os.chmod(self._tmp, 0o755)
            for path in (self._tmp, data):
                os.chown(path, user.pw_uid, user.pw_gid)
        result = self._run(
            bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-locale"
        )
        if result.returncode != 0:
            self._cleanup()
            raise PostgresUnavailable(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")
        last_error = ""
        for _attempt in range(3):
            self.port = self.port or _free_port()
            options = (
                f"-p {self.port} -k {self._tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            result = self._run(
                bindir / "pg_ctl", "-D", data, "-o", options, "-l", self._tmp / "server.log", "-w", "-t", "60", "start"
            )
            if result.returncode == 0:
                return self
            last_error = (
                (self._tmp / "server.log").read_text(errors="replace")[-2000:]
                if (self._tmp / "server.log").exists()
                else result.stderr
            )
            self.port = 0
        self._cleanup()
        raise PostgresUnavailable(f"PostgreSQL did not start: {last_error.strip()}")

    def stop(self) -> None:
        if self._tmp is None:
            return
        if self.bindir is not None and (self._tmp / "data" / "postmaster.pid").exists():
            self._run(self.bindir / "pg_ctl", "-D", self._tmp / "data", "-m", "immediate", "-w", "stop")
        self._cleanup()

    def _cleanup(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _admin_url(base_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(base_url).set(database="postgres").render_as_string(hide_password=False)


def create_database(base_url: str, prefix: str = "t") -> str:
    """Create an empty database on the server of ``base_url``; return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(_admin_url(base_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    engine = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


@contextlib.contextmanager
def temporary_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()
