"""A database URL's password is never printed: not in errors, not in any output format.

Every error path of ``check --database-url`` is run with a sentinel password, in-process for
each output format and once through the console script, and the sentinel (and each piece of it:
a password with an unescaped ``@`` is split by URL parsers, and drivers report the tail as a
host name) must appear nowhere in stdout or stderr.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from alembic_standards.cli import main
from alembic_standards.redaction import display_url, redact

SECRET = "Sup3rS3cret"
SPLIT = "Sup3r@S3cret"  # unescaped "@": SQLAlchemy reads password "Sup3r" and host "S3cret@..."
PIECES = ("Sup3r", "S3cret")

# Each string is a --database-url; every one of them fails with exit 2.
FAILING = {
    "bad-port": f"postgresql+psycopg://app:{SECRET}@127.0.0.1:notaport/db",
    "libpq-keywords": f"host=127.0.0.1 port=1 user=app password={SECRET} dbname=db",
    "libpq-quoted": f"host=127.0.0.1 user=app password='{SECRET} x' dbname=db",
    "sqlite-credentials": f"sqlite://app:{SECRET}@/no/such/file.db",
    "unescaped-at": f"postgresql+psycopg://app:{SPLIT}@127.0.0.1:1/db",
    "unescaped-at-unresolvable": f"postgresql+psycopg://app:{SPLIT}@nohost.invalid/db",
    "percent-encoded-at": f"postgresql+psycopg://app:{SPLIT.replace('@', '%40')}@127.0.0.1:1/db",
    "query-password": f"postgresql+psycopg://app@127.0.0.1:1/db?password={SECRET}",
    "refused": f"postgresql+psycopg://app:{SECRET}@127.0.0.1:1/db",
    "bad-ipv6": f"postgresql+psycopg://app:{SECRET}@[::1/db",
    "bad-port-number": f"postgresql+psycopg://app:{SECRET}@127.0.0.1:99999/db",
    "bad-option": f"postgresql+psycopg://app:{SECRET}@127.0.0.1:1/db?sslmode=bogus",
    "unknown-driver": f"postgresql+nosuchdriver://app:{SECRET}@127.0.0.1/db",
    "unknown-dialect": f"nosuchdb://app:{SECRET}@127.0.0.1/db",
    "no-scheme-at": f"app:{SECRET}@127.0.0.1/db",
}


def _assert_no_secret(*outputs: str) -> None:
    for output in outputs:
        for piece in (SECRET, *PIECES):
            assert piece not in output, output


@pytest.fixture
def empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.alembic_standards]\n", encoding="utf-8")
    return tmp_path


# ------------------------------------------------------------------------------ display_url / redact
@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://app:pw@db.example:5432/app", "postgresql+psycopg://app:***@db.example:5432/app"),
        ("postgresql://app@db/app", "postgresql://app@db/app"),
        ("sqlite:///tmp/app.db", "sqlite:///tmp/app.db"),
        ("sqlite://app:pw@/tmp/app.db", "sqlite://app:***@/tmp/app.db"),
        ("postgresql://app:pa@ss@db/app", "postgresql://app:***@db/app"),
        ("postgresql://app:pa%40ss@db/app", "postgresql://app:***@db/app"),
        ("postgresql://app:pw@db:port/app", "postgresql://app:***@db:port/app"),
        (
            "postgresql://db/app?user=x&password=pw&sslmode=require",
            "postgresql://db/app?password=***&sslmode=require&user=x",  # SQLAlchemy sorts the query
        ),
        ("host=db password=pw dbname=app", "host=db password=*** dbname=app"),
        ("host=db password = 'p w\\' x' dbname=app", "host=db password = *** dbname=app"),
        ("not a url", "not a url"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    assert display_url(url) == shown


def test_display_url_is_sqlalchemys_rendering_when_it_parses() -> None:
    url = "postgresql+psycopg://app:pw@db/app?host=/var/run/postgresql"
    assert display_url(url) == make_url(url).render_as_string(hide_password=True)


def test_redact_hides_every_form_of_the_password() -> None:
    url = f"postgresql+psycopg://app:{SPLIT}@db/app"
    driver = (
        f'invalid dsn: missing "=" after "{SPLIT}" in connection info string; '
        f"failed to resolve host 'S3cret@db'; url {url!r}; quoted {SPLIT.replace('@', '%40')}"
    )
    assert redact(driver, url) == (
        'invalid dsn: missing "=" after "***" in connection info string; '
        "failed to resolve host '***@db'; url 'postgresql+psycopg://app:***@db/app'; quoted ***"
    )


def test_redact_leaves_text_without_the_password_alone() -> None:
    url = "postgresql://app:pw@db/app"  # a 2-letter password is not searched for in free text
    assert redact("the power of pw", url) == "the power of pw"
    assert redact(f"cannot connect to {url}", url) == "cannot connect to postgresql://app:***@db/app"


# ------------------------------------------------------------------------------ the CLI
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
@pytest.mark.parametrize("url", FAILING.values(), ids=FAILING.keys())
def test_failing_database_url_never_prints_the_password(
    empty_dir: Path, capsys: pytest.CaptureFixture[str], url: str, fmt: str
) -> None:
    code = main(["check", "--database-url", url, "--format", fmt])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith("alembic-standards: error: "), err
    assert "Traceback" not in err
    _assert_no_secret(out, err)


def test_failing_database_url_messages(empty_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The message still says what is wrong, and shows the URL (password hidden)."""
    expected = {
        "bad-port": "alembic-standards: error: invalid database URL "
        "'postgresql+psycopg://app:***@127.0.0.1:notaport/db': invalid literal for int() with base 10: 'notaport'",
        "libpq-keywords": "alembic-standards: error: invalid database URL "
        "'host=127.0.0.1 port=1 user=app password=*** dbname=db': Could not parse SQLAlchemy URL",
        "sqlite-credentials": "alembic-standards: error: cannot read database sqlite://app:***@/no/such/file.db: "
        "no such file 'no/such/file.db'",
        "unescaped-at": "alembic-standards: error: cannot read database postgresql+psycopg://app:***@127.0.0.1:1/db: ",
    }
    for key, start in expected.items():
        assert main(["check", "--database-url", FAILING[key]]) == 2
        assert capsys.readouterr().err.startswith(start), key


@pytest.mark.parametrize("key", ["libpq-keywords", "unescaped-at", "sqlite-credentials"])
def test_console_script_never_prints_the_password(empty_dir: Path, key: str) -> None:
    script = Path(sys.executable).with_name("alembic-standards")
    result = subprocess.run(
        [str(script), "check", "--database-url", FAILING[key], "--format", "sarif"],
        cwd=empty_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert "Traceback" not in result.stderr
    _assert_no_secret(result.stdout, result.stderr)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_audit_of_postgresql_with_a_sentinel_password(
    empty_dir: Path, capsys: pytest.CaptureFixture[str], pg_url: str, fmt: str
) -> None:
    """A real server: the sentinel password is accepted (trust authentication, the audit runs and
    reports) or refused (exit 2); either way no output carries it."""
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE things (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    url = make_url(pg_url).set(password=SPLIT).render_as_string(hide_password=False)
    code = main(["check", "--database-url", url, "--format", fmt])
    out, err = capsys.readouterr()
    assert code in (1, 2), err
    if code == 1:
        assert "AS101" in out
        if fmt in ("json", "sarif"):
            json.loads(out)
    _assert_no_secret(out, err)
