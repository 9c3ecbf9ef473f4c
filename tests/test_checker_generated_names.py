"""AS506: a revision that drops a constraint by the name PostgreSQL generated for an unnamed one.

The fixture history (tests/scenarios/migrations/generated_names) is the legacy situation of
issue 11: a1 creates ``item.owner_id``'s foreign key unnamed, b2 is unrelated, c3 drops
``item_owner_id_fkey``.  With a naming convention, a fresh replay names a1's constraint
``fk_item_owner_id`` and c3 fails.  Each variant edits one line of a copy of that history.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alembic_standards.config import Config
from alembic_standards.migrations import check_migrations
from alembic_standards.naming import NamingConvention

SCENARIO = Path(__file__).parent / "scenarios" / "migrations" / "generated_names"
CLI = Path(sys.executable).parent / "alembic-standards"
FINDING = (
    "c3_owner_cascade.py:22:5: AS506 drop_constraint('item_owner_id_fkey') depends on the name PostgreSQL "
    "generated for the unnamed foreign key item(owner_id) created in revision a1 (a1_items.py:32); with a "
    "naming convention a fresh replay names it 'fk_item_owner_id' and this drop fails: give that constraint "
    "this name explicitly there (name='item_owner_id_fkey'), which replays the same with or without a "
    "convention, or run `alembic-standards rename-constraints` first"
)


def history(tmp_path: Path, file: str = "", old: str = "", new: str = "") -> Path:
    """A copy of the fixture history, with ``old`` replaced by ``new`` in ``file``."""
    versions = tmp_path / "versions"
    shutil.copytree(SCENARIO, versions, ignore=shutil.ignore_patterns("expected.txt"))
    if file:
        path = versions / file
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    when = time.time_ns() - 60 * 1_000_000_000  # old enough to be cached
    for path in versions.iterdir():
        os.utime(path, ns=(when, when))
    return versions


def as506(versions: Path, config: Config | None = None, *, cache: bool | Path = False) -> list[str]:
    report = check_migrations([versions], config or Config(root=versions), cache=cache)
    return [f.render(relative_to=versions) for f in report.findings if f.rule_id == "AS506"]


def test_a_drop_by_the_generated_name_is_reported_once_naming_the_creating_revision(tmp_path: Path) -> None:
    assert as506(history(tmp_path)) == [FINDING]


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        # The old revision named the constraint explicitly: the drop works with or without a convention.
        (
            "a1_items.py",
            'sa.ForeignKeyConstraint(["owner_id"], ["users.id"])',
            'sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="item_owner_id_fkey")',
        ),
        # The later revision uses the convention's name.
        ("c3_owner_cascade.py", 'op.drop_constraint("item_owner_id_fkey"', 'op.drop_constraint("fk_item_owner_id"'),
        # A constraint of another table with that name is not the one a1 created.
        ("c3_owner_cascade.py", '"item_owner_id_fkey", "item"', '"item_owner_id_fkey", "users"'),
    ],
    ids=["old-constraint-named", "convention-name-used", "other-table"],
)
def test_no_finding_when_the_name_does_not_depend_on_the_database(
    tmp_path: Path, file: str, old: str, new: str
) -> None:
    assert as506(history(tmp_path, file, old, new)) == []


def test_no_finding_when_the_convention_gives_the_generated_name(tmp_path: Path) -> None:
    config = Config(naming=NamingConvention({"fk": "%(table_name)s_%(column_0_name)s_fkey"}))
    assert as506(history(tmp_path), config) == []


def test_no_finding_when_the_creating_revision_is_not_an_ancestor(tmp_path: Path) -> None:
    versions = history(
        tmp_path,
        "a1_items.py",
        "down_revision: str | Sequence[str] | None = None",
        'down_revision: str | Sequence[str] | None = "c3"',
    )
    (versions / "c3_owner_cascade.py").write_text(
        (versions / "c3_owner_cascade.py").read_text(encoding="utf-8").replace('= "b2"', "= None"), encoding="utf-8"
    )
    assert as506(versions) == []


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        # batch mode, as SQLite projects write it
        (
            '    op.drop_constraint("item_owner_id_fkey", "item", type_="foreignkey")\n',
            '    with op.batch_alter_table("item") as batch_op:\n'
            '        batch_op.drop_constraint("item_owner_id_fkey", type_="foreignkey")\n',
            "c3_owner_cascade.py:23:9: AS506 drop_constraint('item_owner_id_fkey')",
        ),
    ],
)
def test_batch_drop_is_read(tmp_path: Path, old: str, new: str, line: str) -> None:
    found = as506(history(tmp_path, "c3_owner_cascade.py", old, new))
    assert [f[: len(line)] for f in found] == [line]


@pytest.mark.parametrize(
    ("a1_old", "a1_new", "dropped", "what"),
    [
        (
            'sa.Column("owner_id", sa.Uuid(), nullable=False),',
            'sa.Column("owner_id", sa.Uuid(), nullable=False),\n        sa.Column("code", sa.String(20), unique=True),',
            "item_code_key",
            "unique constraint item(code) created in revision a1 (a1_items.py:32)",
        ),
        (
            'sa.PrimaryKeyConstraint("id", name="pk_item"),',
            'sa.PrimaryKeyConstraint("id", name="pk_item"),\n        sa.CheckConstraint("owner_id IS NOT NULL"),',
            "item_owner_id_check",
            "check constraint item created in revision a1 (a1_items.py:34)",
        ),
        (
            'sa.PrimaryKeyConstraint("id", name="pk_item"),',
            "",
            "item_pkey",
            "primary key item(id) created in revision a1 (a1_items.py:30)",
        ),
    ],
    ids=["unique-true", "check", "primary-key"],
)
def test_other_unnamed_constraint_kinds(tmp_path: Path, a1_old: str, a1_new: str, dropped: str, what: str) -> None:
    versions = history(tmp_path, "a1_items.py", a1_old, a1_new)
    if dropped == "item_pkey":
        a1 = versions / "a1_items.py"
        a1.write_text(
            a1.read_text(encoding="utf-8").replace(
                'sa.Column("id", sa.Uuid(), nullable=False),\n        sa.Column("owner_id"',
                'sa.Column("id", sa.Uuid(), primary_key=True),\n        sa.Column("owner_id"',
            ),
            encoding="utf-8",
        )
    c3 = versions / "c3_owner_cascade.py"
    c3.write_text(
        c3.read_text(encoding="utf-8").replace(
            'op.drop_constraint("item_owner_id_fkey", "item", type_="foreignkey")',
            f'op.drop_constraint("{dropped}", "item")',
        ),
        encoding="utf-8",
    )
    (found,) = as506(versions)
    assert (
        f"AS506 drop_constraint({dropped!r}) depends on the name PostgreSQL generated for the unnamed {what};" in found
    )


def test_since_revision_does_not_exempt_a_new_revision(tmp_path: Path) -> None:
    """``--since b2`` exempts a1 and b2 from per-file rules; c3 (new) still depends on a1's generated name."""
    versions = history(tmp_path)
    result = subprocess.run(
        [str(CLI), "check", "--no-cache", "--since", "b2", str(versions)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr  # a warning: the default --fail-on is error
    lines = [line for line in result.stdout.splitlines() if " AS5" in line]
    assert [line.split(" ", 1)[1] for line in lines] == [FINDING.split(" ", 1)[1]]


def test_since_revision_does_not_exempt_an_old_revision_either(tmp_path: Path) -> None:
    """``--since c3`` exempts every revision from per-file rules, but the replay hazard is in the
    history itself: an old revision that drops a generated name breaks a fresh replay all the same."""
    versions = history(tmp_path)
    result = subprocess.run(
        [str(CLI), "check", "--no-cache", "--since", "c3", str(versions)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if " AS" in line]
    assert [line.split(" ", 1)[1] for line in lines] == [FINDING.split(" ", 1)[1]]


def test_the_cache_carries_what_the_history_check_needs(tmp_path: Path) -> None:
    """A warm run (every file from the cache, nothing parsed) reports the same AS506."""
    versions = history(tmp_path)
    cache = tmp_path / "cache"
    assert as506(versions, cache=cache) == [FINDING]
    assert as506(versions, cache=cache) == [FINDING]
