"""safety._split_statements splits in C when no ";" can be inside quotes (issue 15): the same
statements as the character walk it keeps for the other texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from alembic_standards.safety import _split_outside_quotes, _split_statements


def _walk(sql: str) -> list[str]:
    """The character walk, for every text (the reference)."""
    return [s.strip() for s in _split_outside_quotes(sql) if s.strip()]


@given(st.text(alphabet=st.sampled_from([";", "'", '"', "a", " ", "\n", "\t", "\u00a0", "S"]), max_size=30))
def test_split_statements_matches_the_walk(sql: str) -> None:
    assert list(_split_statements(sql)) == _walk(sql)


def test_split_statements_examples() -> None:
    assert list(_split_statements("SET lock_timeout = '5s'")) == ["SET lock_timeout = '5s'"]
    assert list(_split_statements("UPDATE t SET a = ';'; DELETE FROM t")) == ["UPDATE t SET a = ';'", "DELETE FROM t"]
    assert list(_split_statements(" ; ;\n")) == []
