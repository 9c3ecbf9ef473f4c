"""The static checker against hostile and broken input (issue #16): no hang, no traceback, no silent pass.

Each test here failed before the fix it pins: a small file that took minutes (helpers calling each
other, thousands of add/drop pairs), a ``RecursionError`` traceback, a run that said "All checks
passed." over files it never read, a cache path that blocked forever.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from alembic_standards.config import Config
from alembic_standards.findings import StandardsError
from alembic_standards.migrations import (
    MAX_FILE_BYTES,
    MAX_HELPER_DEPTH,
    check_migrations,
    iter_revision_files,
)
from alembic_standards.migrations.cache import _ResultCache
from alembic_standards.reversal import change_from_op_call, match

if TYPE_CHECKING:
    from collections.abc import Iterator

CLI = Path(sys.executable).parent / "alembic-standards"

HEADER = '''"""{message}

Revision ID: {rev}
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "{rev}"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
'''

CLEAN = HEADER.format(message="Add nickname", rev="ok") + textwrap.dedent(
    '''

    def upgrade() -> None:
        """Apply migration changes"""
        op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


    def downgrade() -> None:
        """Rollback migration changes"""
        op.drop_column("users", "nickname")
    '''
)


def rendered(folder: Path) -> list[str]:
    report = check_migrations([folder], Config(root=folder), cache=False)
    found = sorted([*report.findings, *report.input_errors], key=lambda f: f.sort_key())
    return [f.render(relative_to=folder) for f in found]


def helpers(count: int, calls_per_helper: int) -> str:
    """A revision whose upgrade reaches its one operation through ``count`` helpers."""
    out = [HEADER.format(message="Helpers all the way down", rev="h")]
    for i in range(count):
        body = "".join(f"    h{i + 1}()\n" for _ in range(calls_per_helper))
        out.append(f"\ndef h{i}() -> None:\n{body}")
    out.append(f"\ndef h{count}() -> None:\n    op.add_column('t', sa.Column('c', sa.Integer()))\n")
    out.append('\ndef upgrade() -> None:\n    """Apply migration changes"""\n    h0()\n')
    out.append('\ndef downgrade() -> None:\n    """Rollback migration changes"""\n    op.drop_column("t", "c")\n')
    return "".join(out)


# ------------------------------------------------------------------------- denial of service
def test_helpers_calling_each_other_twice_are_walked_once(tmp_path: Path) -> None:
    """22 helpers each calling the next twice: 2**22 paths, 90 s before; each body is walked once now."""
    (tmp_path / "h.py").write_text(helpers(22, 2), encoding="utf-8")
    started = time.perf_counter()
    assert rendered(tmp_path) == []
    assert time.perf_counter() - started < 5


def test_a_helper_chain_deeper_than_the_bound_is_reported_not_followed(tmp_path: Path) -> None:
    """500 helpers calling the next: a RecursionError traceback before; now a finding that says what was skipped."""
    text = helpers(500, 1)
    (tmp_path / "h.py").write_text(text, encoding="utf-8")
    # upgrade() -> h0 -> ... -> h31 are followed; the call of h32 (in h31's body) is not.
    line = text.splitlines().index(f"def h{MAX_HELPER_DEPTH - 1}() -> None:") + 2
    assert rendered(tmp_path) == [
        f"h.py:{line}:5: AS704 cannot decide whether downgrade() undoes h{MAX_HELPER_DEPTH}(...) "
        f"(helper calls nested deeper than {MAX_HELPER_DEPTH} levels are not followed); review it by hand",
    ]


def test_matching_is_linear_in_the_number_of_operations() -> None:
    """20,000 add/drop column pairs: 4e8 comparisons (minutes) before, one index look-up each now."""
    count = 20_000
    upgrade = [change_from_op_call("add_column", table="t", name=f"c{i}") for i in range(count)]
    downgrade = [change_from_op_call("drop_column", table="t", name=f"c{i}") for i in reversed(range(count))]
    started = time.perf_counter()
    verdict = match(upgrade, downgrade)
    assert verdict.ok and not verdict.unsure and not verdict.undecidable
    assert time.perf_counter() - started < 5


def test_many_bulk_inserts_into_a_named_table_are_linear(tmp_path: Path) -> None:
    """2,000 ``op.bulk_insert(settings, ...)``: each look-up of ``settings`` walked the whole file (240 s)."""
    rows = "".join(f"    op.bulk_insert(settings, [{{'key': 'k{i}'}}])\n" for i in range(2000))
    (tmp_path / "seed.py").write_text(
        HEADER.format(message="Seed settings", rev="seed")
        + '\nsettings = sa.table("settings", sa.column("key"))\n\n\n'
        + f'def upgrade() -> None:\n    """Apply migration changes"""\n{rows}\n\n'
        + 'def downgrade() -> None:\n    """Rollback migration changes"""\n    op.drop_table("settings")\n',
        encoding="utf-8",
    )
    started = time.perf_counter()
    assert rendered(tmp_path) == []
    assert time.perf_counter() - started < 10


def test_a_file_over_the_size_limit_is_reported_not_read(tmp_path: Path) -> None:
    with (tmp_path / "big.py").open("wb") as big:
        big.write(b"# a generated revision\n")
        big.truncate(MAX_FILE_BYTES + 1)
    (tmp_path / "ok.py").write_text(CLEAN, encoding="utf-8")
    assert rendered(tmp_path) == [
        f"big.py: AS800 file is {MAX_FILE_BYTES + 1:,} bytes, over the checker's limit of {MAX_FILE_BYTES:,}: "
        "not checked",
    ]


# ------------------------------------------------------------------------- tracebacks
@pytest.mark.parametrize(
    ("expression", "operators"),
    [(" + ".join(["a"] * 3000), "2,999"), ("a" + ".b" * 3000, "3,000"), (" + ".join(["a"] * 300_000), "299,999")],
    ids=["3000-plus", "3000-attributes", "300000-plus"],
)
def test_expressions_too_deep_for_the_parser_are_reported(tmp_path: Path, expression: str, operators: str) -> None:
    """The same answer on every Python: 3.11 refuses 3,000 terms, 3.10 and 3.13 parse them, and
    ``ast.parse`` kills a 3.10 process (SIGSEGV) on 300,000: the checker's own limit comes first."""
    (tmp_path / "deep.py").write_text(f"x = {expression}\n", encoding="utf-8")
    (tmp_path / "ok.py").write_text(CLEAN, encoding="utf-8")
    assert rendered(tmp_path) == [
        f"deep.py: AS800 an expression chains {operators} operators, over the checker's limit of 1,000 "
        "(file not checked)",
    ]


def test_a_deep_chain_over_many_short_lines_is_still_reported(tmp_path: Path) -> None:
    """Split over lines inside parentheses the chain escapes the cheap pre-check; the parser's own
    refusal (3.11, 3.12) or the checker's recursion guard still give AS800 or a clean result,
    never a traceback."""
    (tmp_path / "deep.py").write_text("x = (\n" + "\n+ ".join(["a"] * 3000) + "\n)\n", encoding="utf-8")
    found = rendered(tmp_path)
    assert found in ([], ["deep.py: AS800 expressions nested too deeply for Python's parser (file not checked)"])


# ------------------------------------------------------------------------- silent passes
def test_an_empty_revision_file_is_a_finding(tmp_path: Path) -> None:
    """What an interrupted `alembic revision` leaves: 0 bytes.  An empty __init__.py is normal."""
    (tmp_path / "0002_interrupted.py").write_bytes(b"")
    (tmp_path / "__init__.py").write_bytes(b"")
    (tmp_path / "ok.py").write_text(CLEAN, encoding="utf-8")
    assert rendered(tmp_path) == [
        "0002_interrupted.py: AS800 empty file: not a revision (left by an interrupted `alembic revision`?); "
        "remove or write it",
    ]


def test_dangling_and_looping_links_are_errors_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "gone.py")
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    os.mkfifo(tmp_path / "fifo.py")
    assert rendered(tmp_path) == [
        ".: AS800 cannot read symbolic link 'dangling.py': No such file or directory",
        ".: AS800 cannot read symbolic link 'loop.py': Too many levels of symbolic links",
        "fifo.py: AS800 not a regular file (not checked)",
    ]
    with pytest.raises(StandardsError, match="cannot read symbolic link"):
        iter_revision_files([tmp_path])


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A directory another user can enter (pytest's own tmp_path is private to its owner)."""
    directory = Path(tempfile.mkdtemp(prefix="alembic-standards-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        for root, dirs, _ in os.walk(directory):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
        subprocess.run(["rm", "-rf", str(directory)], check=True)


def rendered_as_unprivileged(folder: Path) -> list[str]:
    """:func:`rendered` in a forked child that has dropped root: root reads chmod-000 directories.

    Forked, not executed: the interpreter lives under /root, which the unprivileged user cannot
    enter, and everything the check needs is imported by a first run in the parent.
    """
    if os.geteuid() != 0:
        return rendered(folder)
    nobody = pwd.getpwnam("nobody")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            payload = json.dumps(rendered(folder))
        except BaseException as exc:  # reported to the parent, which fails the test with it
            payload = json.dumps({"error": repr(exc)})
        with os.fdopen(write_end, "w") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as incoming:
        result = json.loads(incoming.read())
    os.waitpid(pid, 0)
    assert isinstance(result, list), result
    return result


@pytest.mark.parametrize("where", ["subdirectory", "versions directory"])
def test_an_unreadable_directory_is_an_error_not_a_pass(shared_tmp: Path, where: str) -> None:
    """Before: "All checks passed." (exit 0) for an unreadable versions directory, and an
    unreadable subdirectory skipped without a word."""
    versions = shared_tmp / "versions"
    (versions / "sub").mkdir(parents=True)
    (versions / "ok.py").write_text(CLEAN, encoding="utf-8")
    (versions / "sub" / "other.py").write_text(CLEAN.replace('"ok"', '"other"'), encoding="utf-8")
    assert rendered(versions) == []  # readable: clean (and everything the check imports is loaded)
    locked = versions / "sub" if where == "subdirectory" else versions
    locked.chmod(0)
    shown = "sub" if where == "subdirectory" else "."
    assert rendered_as_unprivileged(versions) == [f"{shown}: AS800 cannot read directory: Permission denied"]


def test_the_command_exits_2_naming_what_it_could_not_read(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "ok.py").write_text(CLEAN, encoding="utf-8")
    (versions / "0002_gone.py").symlink_to(tmp_path / "nowhere.py")
    result = subprocess.run(
        [str(CLI), "check", "versions", "--no-cache"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stderr) == (2, "Found 1 finding (1 error).\n")
    assert result.stdout == "versions: AS800 cannot read symbolic link '0002_gone.py': No such file or directory\n"


# ------------------------------------------------------------------------- the cache file
@pytest.mark.parametrize("kind", ["link to /dev/zero", "link to /dev/full", "fifo"])
def test_a_cache_file_that_is_not_a_regular_file_is_ignored(tmp_path: Path, kind: str) -> None:
    """Before: a link to a device read until the kernel killed the process; a FIFO blocked forever."""
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "ok.py").write_text(CLEAN, encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    config = Config(root=tmp_path)
    target = _ResultCache(cache, "x").file.with_name(_ResultCache.open(config, cache).file.name)
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to(kind.removeprefix("link to "))
    code = (
        "from pathlib import Path\n"
        "from alembic_standards.config import Config\n"
        "from alembic_standards.migrations import check_migrations\n"
        f"report = check_migrations([Path({str(versions)!r})], Config(root=Path({str(tmp_path)!r})), "
        f"cache=Path({str(cache)!r}))\n"
        "print(len(report.findings), len(report.input_errors))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "0 0\n", "")


def test_revision_files_are_listed_in_path_order(tmp_path: Path) -> None:
    """The listing is sorted on strings (issue 15), in the order ``sorted()`` gives the ``Path``
    objects: component by component (``a/z.py`` before ``a.b/c.py``, though ``/`` sorts after ``.``)."""
    for name in (
        "a/z.py",
        "a.b/c.py",
        "a-b/x.py",
        "A/y.py",
        "a/b/q.py",
        "a/b.py",
        "b.py",
        "a.py",
        "a/__pycache__/x.py",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    listed = iter_revision_files([tmp_path])
    assert listed == sorted(listed)
    assert listed == sorted(p for p in tmp_path.rglob("*.py") if "__pycache__" not in p.parts)
