"""Fuzzing the static checker with random and adversarial revision files (issue #16).

Whatever a versions directory holds -- revisions made of random operations, helpers, batch blocks
and raw SQL; truncated revisions; random bytes; operator chains too deep for Python's parser;
helper chains and operation counts meant to blow up the running time -- the checker must:

* never raise (a traceback is a bug: bad input is an AS800 finding, exit 2);
* exit 0, 1 or 2 from ``alembic-standards check DIR`` in every output format, with output that
  parses in that format (JSON, SARIF valid against its schema, ``path:line:col: ID message`` text);
* take time roughly linear in the input's size (a generous per-byte bound; the quadratic and
  exponential cases of issue #16 exceed it by orders of magnitude).

The command runs in-process (``cli.main``) so that a few hundred runs stay well under 30 s; one
test runs the installed console script to pin the same contract end to end.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import jsonschema
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from alembic_standards import cli
from alembic_standards.config import Config
from alembic_standards.migrations import check_migrations
from alembic_standards.rules import RULES

if TYPE_CHECKING:
    from collections.abc import Iterator

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
TEXT_LINE = re.compile(r"^\S.*?: AS\d{3,4} \S.*$")
FORMATS = ("text", "json", "sarif")
SIZES = st.one_of(st.integers(1, 100), st.sampled_from([1000, 3000, 5000]))
"""Mostly small, sometimes past what CPython's parser can nest (about 3,000 on Python 3.11)."""

HEADER = '''"""{message}

Revision ID: {rev}
Revises: {down}
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = {rev!r}
down_revision: str | Sequence[str] | None = {down!r}
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
'''

OP_NAMES = (
    "create_table",
    "drop_table",
    "rename_table",
    "add_column",
    "drop_column",
    "alter_column",
    "create_index",
    "drop_index",
    "create_unique_constraint",
    "create_foreign_key",
    "create_check_constraint",
    "create_primary_key",
    "drop_constraint",
    "create_table_comment",
    "execute",
    "bulk_insert",
    "get_bind",
    "f",
    "invoke",
    "no_such_op",
)
NAMES = st.sampled_from(["users", "tags", "t", "x" * 70, "é", "idx_t_a", "fk_t_a", "a"])
ARGUMENTS = st.one_of(
    NAMES.map(repr),
    st.just("None"),
    st.just("True"),
    NAMES.map(lambda n: f"op.f({n!r})"),
    st.sampled_from(["TABLE", "name", "*args", "**kw", "[]", "['a', 'b']", "f'{x}'"]),
    st.sampled_from(
        [
            "sa.Column('id', sa.Integer(), primary_key=True)",
            "sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), index=True)",
            "sa.ForeignKeyConstraint(['a'], ['users.id'])",
            "sa.UniqueConstraint('a', 'b')",
            "sa.PrimaryKeyConstraint('id', name='pk_t')",
            "sa.text('UPDATE t SET a = 1')",
            "'INSERT INTO t VALUES (1)'",
            "'CREATE INDEX i ON t (a)'",
        ]
    ),
)
KEYWORDS = st.sampled_from(
    [
        "if_exists=True",
        "unique=True",
        "schema='s'",
        "table_name='t'",
        "nullable=False",
        "new_column_name='b'",
        "type_='foreignkey'",
    ]
)


@st.composite
def op_call(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(OP_NAMES))
    base = draw(st.sampled_from(["op", "op", "batch_op", "conn", "alembic.op"]))
    args = draw(st.lists(ARGUMENTS, max_size=4)) + draw(st.lists(KEYWORDS, max_size=2, unique=True))
    return f"{base}.{name}({', '.join(args)})"


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """Statements (as lines, unindented) of a function body, with nested blocks."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["op", "op", "op", "helper", "pass", "session", "nested"]))
        if kind == "op":
            lines.append(draw(op_call()))
        elif kind == "helper":
            lines.append(f"helper_{draw(st.integers(0, 3))}()")
        elif kind == "pass":
            lines.append(draw(st.sampled_from(["pass", "...", "raise NotImplementedError", "x = 1"])))
        elif kind == "session":
            lines.append("session = orm.Session(bind=op.get_bind())")
        elif depth < 3:
            head = draw(
                st.sampled_from(
                    [
                        "if op.get_bind().dialect.name == 'postgresql':",
                        "for name in ['a', 'b']:",
                        "with op.batch_alter_table('t') as batch_op:",
                        "try:",
                    ]
                )
            )
            inner = draw(block(depth + 1))
            lines.append(head)
            lines.extend("    " + line for line in inner)
            if head == "try:":
                lines.append("finally:")
                lines.append("    pass")
    return lines


@st.composite
def revision_source(draw: st.DrawFn) -> str:
    rev = draw(st.sampled_from(["r1", "r2", "r3"]))
    down = draw(st.sampled_from([None, "r1", "r2", "missing"]))
    parts = [HEADER.format(message="Fuzzed", rev=rev, down=down) if draw(st.booleans()) else "from alembic import op\n"]
    if draw(st.booleans()):
        parts.append('irreversible = ""\n' if draw(st.booleans()) else 'irreversible = "archived"\n')
    for i in range(draw(st.integers(0, 4))):
        body = draw(block())
        parts.append(f"\ndef helper_{i}():\n" + "".join(f"    {line}\n" for line in body))
    for name in ("upgrade", "downgrade"):
        if draw(st.integers(0, 5)) == 0:
            continue
        body = draw(block())
        parts.append(f'\ndef {name}() -> None:\n    """doc"""\n' + "".join(f"    {line}\n" for line in body))
    return "".join(parts)


@st.composite
def adversarial(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["bytes", "text", "truncated", "deep", "chain", "pairs", "helpers", "cookie"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "text":
        return draw(st.text(max_size=300)).encode("utf-8", "surrogatepass")
    if kind == "truncated":
        source = draw(revision_source()).encode()
        return source[: draw(st.integers(0, len(source)))]
    if kind == "deep":
        n = draw(SIZES)
        return f"x = {' + '.join(['a'] * n)}\n".encode()
    if kind == "chain":
        n = draw(SIZES)
        return ("x = a" + ".b" * n + "\n").encode()
    if kind == "cookie":
        return b"# -*- coding: " + draw(st.sampled_from([b"latin-1", b"nope", b"utf-16"])) + b" -*-\nx = '\xe9'\n"
    if kind == "pairs":
        n = draw(st.one_of(st.integers(1, 50), st.sampled_from([400, 800])))
        up = "".join(f"    op.add_column('t', sa.Column('c{i}', sa.Integer()))\n" for i in range(n))
        down = "".join(f"    op.drop_column('t', 'c{i}')\n" for i in range(n))
        head = HEADER.format(message="Pairs", rev="p", down=None)
        return f"{head}\ndef upgrade() -> None:\n{up}\ndef downgrade() -> None:\n{down}".encode()
    count = draw(st.one_of(st.integers(1, 10), st.sampled_from([24, 100, 500])))
    return helper_chain(count, draw(st.sampled_from([1, 2, 3]))).encode()


def helper_chain(count: int, calls: int) -> str:
    """``count`` helpers, each calling the next ``calls`` times: 2**count paths when calls is 2."""
    helpers = "".join(f"def h{i}():\n" + f"    h{i + 1}()\n" * calls for i in range(count))
    helpers += f"def h{count}():\n    op.add_column('t', sa.Column('c', sa.Integer()))\n"
    return helpers + "def upgrade():\n    h0()\ndef downgrade():\n    pass\n"


FILES = st.lists(
    st.one_of(revision_source().map(lambda s: s.encode("utf-8", "surrogatepass")), adversarial()),
    min_size=1,
    max_size=3,
)


@contextlib.contextmanager
def versions_directory(files: list[bytes]) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="alembic-standards-fuzz-"))
    try:
        versions = root / "versions"
        versions.mkdir()
        for i, data in enumerate(files):
            (versions / f"{i:04d}_fuzzed.py").write_bytes(data)
        yield root
    finally:
        shutil.rmtree(root)


def run_cli(root: Path, output: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = cli.main(["check", "versions", "--no-cache", "--format", output])
    finally:
        os.chdir(cwd)
    return code, stdout.getvalue(), stderr.getvalue()


def assert_parses(output: str, stdout: str) -> None:
    if output == "json":
        findings = json.loads(stdout)
        assert isinstance(findings, list)
        assert all(f["rule"] in RULES for f in findings)
    elif output == "sarif":
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(stdout))
    else:
        assert all(TEXT_LINE.match(line) for line in stdout.splitlines()), stdout


def time_bound(files: list[bytes]) -> float:
    """Generous and linear: 3 s plus 40 microseconds a byte (the checker needs far less)."""
    return 3.0 + 40e-6 * sum(len(data) for data in files)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=FILES, output=st.sampled_from(FORMATS))
# The cases of issue #16, always tried: exponential helpers, a chain past the parser, a helper chain
# past the walk's bound, and both together with an empty file.
@example(files=[helper_chain(24, 2).encode()], output="text")
@example(files=[("x = " + " + ".join(["a"] * 3000)).encode()], output="json")
@example(files=[helper_chain(500, 1).encode(), b""], output="sarif")
def test_fuzzed_versions_directories(files: list[bytes], output: str) -> None:
    with versions_directory(files) as root:
        # CPU time of this process, not wall time: the bound catches blow-ups (exponential helper
        # expansion, quadratic walks), and other processes on a loaded CI machine must not trip it.
        started = time.process_time()
        report = check_migrations([root / "versions"], Config(root=root), cache=False)
        assert time.process_time() - started < time_bound(files)
        assert all(f.rule_id in RULES for f in [*report.findings, *report.input_errors])
        code, stdout, stderr = run_cli(root, output)
        assert code in (0, 1, 2), (code, stderr)
        assert "Traceback" not in stderr
        assert (code == 2) == bool(report.input_errors)
        assert_parses(output, stdout)


def test_the_console_script_on_adversarial_files(tmp_path: Path) -> None:
    """End to end through the installed script: an empty file, random bytes, a too-deep chain and a
    clean revision give exit 2 and a valid SARIF log naming the three unreadable files."""
    output = "sarif"
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0001_empty.py").write_bytes(b"")
    (versions / "0002_bytes.py").write_bytes(bytes(range(256)))
    (versions / "0003_deep.py").write_text("x = " + " + ".join(["a"] * 3000) + "\n", encoding="utf-8")
    (versions / "0004_ok.py").write_text(HEADER.format(message="ok", rev="ok", down=None), encoding="utf-8")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "alembic-standards"), "check", "versions", "--no-cache", "--format", output],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert_parses(output, result.stdout)
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results) == [
        "versions/0001_empty.py",
        "versions/0002_bytes.py",
        "versions/0003_deep.py",
    ]
