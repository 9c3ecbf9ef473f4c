"""AS503's CHECK matching (``model_rules._check_names_column``) answers as the one regex it replaced."""

from __future__ import annotations

import random
import re

from alembic_standards.model_rules import _check_names_column


def _regex(text: str, table: str, column: str) -> bool:
    qualifier = rf'(?:(?<![\w."]){re.escape(table)}|"{re.escape(table)}")\.'
    bare_or_quoted = rf'(?:{re.escape(column)}(?![\w"])|"{re.escape(column)}")'
    return re.search(rf'(?:{qualifier}|(?<![\w."])){bare_or_quoted}', text) is not None


def test_the_check_match_is_the_regex() -> None:
    alphabet = ["s", "t", ".", '"', " ", "x", "_", "é", "(", "'"]
    names = ["s", "st", "t", "ts", "s.t", 't"', "x", "s s"]
    rng = random.Random(15)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        table, column = rng.choice(names), rng.choice(names)
        assert _check_names_column(text, table, column) == _regex(text, table, column), (text, table, column)


def test_the_check_match_examples() -> None:
    assert _check_names_column("status IN ('a', 'b')", "orders", "status")
    assert _check_names_column('"orders"."status" IN (1)', "orders", "status")
    assert _check_names_column("orders.status IN (1)", "orders", "status")
    assert not _check_names_column("other.status IN (1)", "orders", "status")
    assert not _check_names_column("payment_status IN (1)", "orders", "status")
