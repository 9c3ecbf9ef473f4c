"""Inline ``# alembic-standards: ignore[...] reason`` comments: found by tokenize, scoped by ast."""

from __future__ import annotations

from pathlib import Path

from alembic_standards.suppressions import scan_file, scan_source

SOURCE = '''\
"""Revision with suppressions."""
from alembic import op

TEXT = "# alembic-standards: ignore[AS999] inside a string is not a comment"


def upgrade() -> None:  # alembic-standards: ignore[AS801, as802] old revision style, TICKET-7
    op.create_index("ix_a", "a", ["b"])  # alembic-standards: ignore[AS501]
    op.create_table(
        "t",
    )  # alembic-standards: ignore[AS804] legacy order, replayed as is


@decorated
class Model:  # alembic-standards: ignore[AS101] OPAQUE protocol needs String(36)
    x = 1
'''


def test_scan_finds_comments_with_rules_reason_and_scope() -> None:
    found = scan_source(SOURCE, Path("r.py"))
    assert [(s.line, s.rule_ids, s.reason, s.first_line, s.last_line) for s in found] == [
        (7, ("AS801", "AS802"), "old revision style, TICKET-7", 7, 11),
        (8, ("AS501",), "", 8, 8),
        (11, ("AS804",), "legacy order, replayed as is", 9, 11),
        (15, ("AS101",), "OPAQUE protocol needs String(36)", 14, 16),
    ]
    assert found[0].covers(10)
    assert not found[1].covers(9)


def test_files_without_the_marker_are_not_tokenized(tmp_path: Path) -> None:
    path = tmp_path / "r.py"
    path.write_text("x = 1  # noqa\n")
    assert scan_file(path) == []
    path.write_text(SOURCE)
    assert len(scan_file(path)) == 4


def test_unreadable_or_broken_files_have_no_suppressions(tmp_path: Path) -> None:
    assert scan_file(tmp_path / "missing.py") == []
    broken = tmp_path / "broken.py"
    broken.write_bytes(b"def f(:  # alembic-standards: ignore[AS801] x\n\xff")
    assert scan_file(broken) == []
    unclosed = tmp_path / "unclosed.py"
    unclosed.write_text("x = (  # alembic-standards: ignore[AS801] reason\n")
    assert scan_file(unclosed) == []
